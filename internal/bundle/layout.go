package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"
)

// A bundle folder is laid out so OPA's own tools (opa test, opa eval -d,
// opa build) load it as it is:
//
//   - .manifest is OPA's bundle manifest; dsrkit's manifest is its
//     "metadata". OPA's file loader skips it (an unknown extension below
//     the top of a path) and OPA's bundle reader reads it as the manifest,
//     so it never lands in OPA's data.
//   - params/data.json holds the parameters: OPA loads a JSON file under
//     the path of its folder, so the Rego's data.params is this file.
//
// A bundle in the layout before (manifest.json, params.json at the root)
// fails to load with an error naming the file to move.

// opaManifest is the .manifest file: OPA's fields (which dsrkit ignores)
// and dsrkit's manifest under "metadata".
type opaManifest struct {
	Revision string          `json:"revision,omitempty"`
	Roots    []string        `json:"roots,omitempty"`
	Metadata json.RawMessage `json:"metadata"`
}

// DecodeManifest reads a .manifest strictly into m.
func DecodeManifest(raw []byte, m *Manifest) error {
	var om opaManifest
	if err := StrictJSON(raw, &om); err != nil {
		return err
	}
	// encoding/json matches keys regardless of case; the manifest's must
	// be exact ("metaData" would be read as metadata by dsrkit and not by
	// OPA's tools).
	if err := exactKeys(raw, opaManifest{}); err != nil {
		return err
	}
	if err := exactKeys(om.Metadata, Manifest{}); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	if len(bytes.TrimSpace(om.Metadata)) == 0 || bytes.Equal(bytes.TrimSpace(om.Metadata), []byte("null")) {
		return errors.New(`"metadata" (the dsrkit manifest) is required`)
	}
	if err := StrictJSON(om.Metadata, m); err != nil {
		return fmt.Errorf("metadata: %w", err)
	}
	return nil
}

// SetManifestExtends rewrites the "extends" of a .manifest's metadata,
// keeping every other key as written.
func SetManifestExtends(raw []byte, extends string) ([]byte, error) {
	var outer map[string]json.RawMessage
	if err := json.Unmarshal(raw, &outer); err != nil {
		return nil, err
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(outer["metadata"], &keys); err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	keys["extends"], _ = json.Marshal(extends)
	meta, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	outer["metadata"] = meta
	return json.MarshalIndent(outer, "", "  ")
}

// oldLayout names the files of the layout before and where each goes now.
var oldLayout = []struct{ old, now string }{
	{"manifest.json", ManifestFile + ` (its fields under "metadata")`},
	{"params.json", ParamsFile},
}

// checkLayout refuses a bundle laid out the old way, naming the file to move.
func checkLayout(fsys fs.FS, prefix string) error {
	for _, f := range oldLayout {
		if _, err := fs.Stat(fsys, f.old); err == nil {
			return &LoadError{File: prefix + f.old, Err: fmt.Errorf("bundle is in the old layout: move %s to %s, where OPA's tools read it", f.old, f.now)}
		}
	}
	return nil
}

// parentResolver is an fs.FS that carries the bundles its bundle extends
// (a built bundle archive); other bundles extend embedded profiles.
type parentResolver interface {
	Parent(name string) (fs.FS, error)
}

// parentFS returns the bundle called name that the bundle in fsys extends:
// from fsys itself when it carries its parents, else through resolve.
func parentFS(fsys fs.FS, resolve Resolver, name string) (fs.FS, error) {
	if r, ok := fsys.(parentResolver); ok {
		return r.Parent(name)
	}
	return resolve(name)
}

// exactKeys refuses an object (raw) with a key that is not spelt exactly
// as one of the JSON names of the fields of the struct like.
func exactKeys(raw []byte, like any) error {
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return nil // not an object: the strict decoder has said why
	}
	t := reflect.TypeOf(like)
	names := map[string]bool{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names[name] = true
	}
	for k := range keys {
		if !names[k] {
			return fmt.Errorf("unknown field %q (keys are case-sensitive)", k)
		}
	}
	return nil
}
