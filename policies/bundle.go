package policies

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
)

// DefaultBundle is the profile used when none is named.
const DefaultBundle = "national-2023"

//go:embed bundles
var embedded embed.FS

// Bundle returns the embedded profile with the given name, as an fs.FS that
// Load accepts.
func Bundle(name string) (fs.FS, error) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownBundle, name)
	}
	sub, err := fs.Sub(embedded, "bundles/"+name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownBundle, name)
	}
	if _, err := fs.Stat(sub, manifestFile); err != nil {
		return nil, fmt.Errorf("%w: %q (have %s)", ErrUnknownBundle, name, strings.Join(BundleNames(), ", "))
	}
	return sub, nil
}

// BundleNames lists the embedded profiles.
func BundleNames() []string {
	entries, _ := fs.ReadDir(embedded, "bundles")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := fs.Stat(embedded, "bundles/"+e.Name()+"/"+manifestFile); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	return names
}

const (
	manifestFile = "manifest.json"
	paramsFile   = "params.json"
)

// Decision points, in evaluation order. Points in the first stage see only
// the case; the second stage also sees the first stage's decisions.
var (
	stage1Points = []string{"eligibility", "consent", "rating"}
	stage2Points = []string{"actions", "review_cadence"}
)

// Points lists every decision point a bundle may define.
var Points = append(slices.Clone(stage1Points), stage2Points...)

// manifest is a bundle's manifest.json.
type manifest struct {
	Name           string            `json:"name"`
	Version        string            `json:"version"`
	Description    string            `json:"description"`
	Extends        string            `json:"extends,omitempty"`
	Sources        []string          `json:"sources"`
	Unconfirmed    []string          `json:"unconfirmed,omitempty"`
	DecisionPoints map[string]string `json:"decision_points"`
}

// source is one file of a bundle, kept for error positions and the digest.
type source struct {
	name string // path inside the bundle
	text []byte
}

// bundle is a bundle read from an fs.FS, before compilation.
type bundle struct {
	manifest manifest
	params   map[string]any // parameters file, decoded with UseNumber
	points   map[string]source
	library  []source // other .rego files (helpers)
	files    []source // every file, for the digest
}

// readBundle reads and checks the structure of a bundle.
func readBundle(fsys fs.FS) (*bundle, error) {
	b := &bundle{points: map[string]source{}}
	mf, err := fs.ReadFile(fsys, manifestFile)
	if err != nil {
		return nil, &LoadError{File: manifestFile, Err: fmt.Errorf("bundle has no manifest: %w", err)}
	}
	if err := strictJSON(mf, &b.manifest); err != nil {
		return nil, &LoadError{File: manifestFile, Err: err}
	}
	m := &b.manifest
	switch {
	case m.Name == "":
		return nil, &LoadError{File: manifestFile, Err: errors.New(`"name" is required`)}
	case m.Version == "":
		return nil, &LoadError{File: manifestFile, Err: errors.New(`"version" is required`)}
	}
	if m.Extends != "" {
		return nil, &LoadError{File: manifestFile, Err: fmt.Errorf("bundle %q extends %q: overlays are not supported yet", m.Name, m.Extends)}
	}
	pf, err := fs.ReadFile(fsys, paramsFile)
	if err != nil {
		return nil, &LoadError{File: paramsFile, Err: fmt.Errorf("bundle has no parameters file: %w", err)}
	}
	dec := json.NewDecoder(bytes.NewReader(pf))
	dec.UseNumber()
	if err := dec.Decode(&b.params); err != nil {
		return nil, &LoadError{File: paramsFile, Err: err}
	}
	b.files = append(b.files, source{manifestFile, mf}, source{paramsFile, pf})
	for point, file := range m.DecisionPoints {
		if !slices.Contains(Points, point) {
			return nil, &LoadError{File: manifestFile, Err: fmt.Errorf("unknown decision point %q (want one of %s)", point, strings.Join(Points, ", "))}
		}
		if path.Ext(file) != ".rego" {
			return nil, &LoadError{File: manifestFile, Err: fmt.Errorf("decision point %s: %q is not a .rego file", point, file)}
		}
	}
	for _, point := range Points {
		if _, ok := m.DecisionPoints[point]; !ok {
			return nil, &LoadError{File: manifestFile, Err: fmt.Errorf("decision point %q has no rule file", point)}
		}
	}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" || strings.HasSuffix(p, "_test.rego") {
			return err
		}
		text, err := fs.ReadFile(fsys, p)
		if err != nil {
			return &LoadError{File: p, Err: err}
		}
		src := source{p, text}
		b.files = append(b.files, src)
		for point, file := range m.DecisionPoints {
			if file == p {
				b.points[point] = src
				return nil
			}
		}
		b.library = append(b.library, src)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for point, file := range m.DecisionPoints {
		if _, ok := b.points[point]; !ok {
			return nil, &LoadError{File: file, Err: fmt.Errorf("rule file for decision point %s not found", point)}
		}
	}
	return b, nil
}

// digest is the sha256 of the bundle's files (sorted by name) and the
// parameters in force, so an override changes the digest.
func digest(files []source, params map[string]any) string {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b source) int { return strings.Compare(a.name, b.name) })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%s\x00%d\x00", f.name, len(f.text))
		h.Write(f.text)
	}
	p, _ := json.Marshal(params) // map keys marshal sorted: canonical
	h.Write(p)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
