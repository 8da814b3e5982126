package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"testing/fstest"
)

// FuzzManifest: any .manifest either decodes or fails with an error, never
// a panic; one that decodes keeps its metadata through SetManifestExtends.
func FuzzManifest(f *testing.F) {
	f.Add([]byte(`{"metadata": {"name": "x", "version": "1", "decision_points": {"rating": "rating.rego"}}}`))
	f.Add([]byte(`{"revision": "r", "roots": ["dsr"], "metadata": {"name": "x", "version": "1", "extends": "national-2023", "param_types": {"d": "date"}, "declares": ["d"]}}`))
	f.Add([]byte(`{"metadata": null}`))
	f.Add([]byte(`{"metadata": {"unknown": 1}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var m Manifest
		if err := DecodeManifest(raw, &m); err != nil {
			return
		}
		out, err := SetManifestExtends(raw, "base")
		if err != nil {
			t.Fatalf("a manifest that decodes cannot be rebased: %v", err)
		}
		var m2 Manifest
		if err := DecodeManifest(out, &m2); err != nil {
			t.Fatalf("rebased manifest does not decode: %v\n%s", err, out)
		}
		if m2.Extends != "base" || m2.Name != m.Name || m2.Version != m.Version {
			t.Fatalf("rebase changed the manifest: %+v, then %+v", m, m2)
		}
	})
}

// FuzzBundle: a bundle with any manifest, parameters and parameter types
// (an overlay of national-2023 and a bundle of its own) reads, or fails
// with a *LoadError or *ParamError; what reads goes through the checks
// Load makes (deadlines, overrides, typed parameters) without a panic.
func FuzzBundle(f *testing.F) {
	f.Add([]byte(`{"metadata": {"name": "o", "version": "1", "extends": "national-2023", "decision_points": {}}}`), []byte(`{"age_min": 0}`), []byte(`{"review_cadence": {"red": {"n": 7, "unit": "days"}}}`))
	f.Add([]byte(`{"metadata": {"name": "o", "version": "1", "extends": "national-2023", "declares": ["start"], "param_types": {"start": "date"}}}`), []byte(`{"start": "2026-01-01"}`), []byte(`{"start": "2026-02-30"}`))
	f.Add([]byte(`{"metadata": {"name": "o", "version": "1", "decision_points": {"eligibility": "a.rego", "consent": "a.rego", "rating": "a.rego", "actions": "a.rego", "review_cadence": "a.rego"}, "param_types": {"x": "date"}}}`), []byte(`{"x": null, "d": {"n": 1.5, "unit": "weeks"}}`), []byte(`null`))
	resolve := DirResolver("../../policies/bundles")
	f.Fuzz(func(t *testing.T, manifest, params, override []byte) {
		fsys := fstest.MapFS{
			ManifestFile: {Data: manifest},
			ParamsFile:   {Data: params},
			"a.rego":     {Data: []byte("package dsr.a\n")},
		}
		b, err := Read(fsys, resolve)
		if err != nil {
			var le *LoadError
			var pe *ParamError
			if !errors.As(err, &le) && !errors.As(err, &pe) {
				t.Fatalf("error %T %v is neither a LoadError nor a ParamError", err, err)
			}
			return
		}
		if err := CheckDeadlines(ParamsFile, b.Params); err != nil {
			return
		}
		var ov map[string]any
		dec := json.NewDecoder(bytes.NewReader(override))
		dec.UseNumber()
		var overrides []Override
		if dec.Decode(&ov) == nil {
			for k, v := range ov {
				overrides = append(overrides, Override{Name: k, Value: v})
			}
		}
		all, err := ApplyOverrides(ParamsFile, b.Params, overrides)
		if err != nil {
			return
		}
		_ = CheckDeadlines("option", all)
		_, _ = TypedParams(b.Manifest.ParamTypes, all)
		_ = b.Digest(all)
	})
}
