package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
)

// Resolver finds a bundle that another extends, by name (the embedded
// profiles, for the policies package).
type Resolver func(name string) (fs.FS, error)

// Files a bundle folder holds besides its rule files.
const (
	ManifestFile = ".manifest"        // OPA's bundle manifest, ours under "metadata" (layout.go)
	ParamsFile   = "params/data.json" // OPA's data.params
)

// Decision points, in evaluation order. Points in the first stage see only
// the case; the second stage also sees the first stage's decisions.
var (
	Stage1Points = []string{"eligibility", "consent", "rating"}
	Stage2Points = []string{"actions", "review_cadence"}
)

// Points lists the assessment's decision points, which every bundle
// defines; OptionalPoints lists the others a bundle may define.
var Points = append(slices.Clone(Stage1Points), Stage2Points...)

// The optional decision points. A bundle may define any of them, in Rego
// or CEL, and an overlay may add or replace one; an assessment never
// evaluates them.
const (
	PointBlueLightCriteria = "bluelight_criteria"
	PointBlueLightInvitees = "bluelight_invitees"
	PointBlueLightFunding  = "bluelight_funding"
	PointCETRRules         = "cetr_rules"
)

// OptionalPoints lists the decision points a bundle may define besides
// Points.
var OptionalPoints = []string{PointBlueLightCriteria, PointBlueLightInvitees, PointBlueLightFunding, PointCETRRules}

// Manifest is a bundle's manifest: the "metadata" of its .manifest.
type Manifest struct {
	Name        string   `json:"name"`
	Version     string   `json:"version"`
	Description string   `json:"description"`
	Extends     string   `json:"extends,omitempty"`
	Sources     []string `json:"sources"`
	Unconfirmed []string `json:"unconfirmed,omitempty"`
	// DecisionPoints maps a point to its rule file, .rego or .cel. An
	// overlay names only the points it replaces.
	DecisionPoints map[string]string `json:"decision_points"`
	// ParamTypes gives parameters a type JSON cannot say: "date" (an ISO
	// date, which rules see as a day number).
	ParamTypes map[string]string `json:"param_types,omitempty"`
	// Declares names the parameters an overlay adds for the rules it adds;
	// any other parameter an overlay sets must exist in its parent.
	Declares []string `json:"declares,omitempty"`
	// Inputs are the inputs the bundle declares besides the national
	// vocabulary (R-INPUT-1). An overlay's join its parent's; neither
	// a national name nor a parent's input may be declared again.
	Inputs []dsr.InputDecl `json:"inputs,omitempty"`
}

// Source is one file of a bundle, kept for error positions and the digest.
type Source struct {
	Name string // path inside the bundle, prefixed with the parent's name for inherited files
	Text []byte
}

// IsCEL reports whether the file is a CEL rule file.
func (s Source) IsCEL() bool { return path.Ext(s.Name) == ".cel" }

// Bundle is a bundle read from an fs.FS, before compilation, with any
// parent it extends already merged in.
type Bundle struct {
	Manifest   Manifest
	Params     map[string]any    // parameters, decoded with UseNumber
	PointFiles map[string]Source // the rule file of each decision point
	Library    []Source          // other .rego files (helpers, extra rules)
	Files      []Source          // every file, for the digest
	Parents    []string          // the chain of bundles extended, nearest first
}

// Digest is the content digest of the bundle with params in force.
func (b *Bundle) Digest(params map[string]any) string { return digest(b.Files, params) }

// MaxExtends bounds a chain of overlays (and catches cycles).
const MaxExtends = 8

// Read reads and checks a bundle, merging the bundles it extends, which
// resolve finds by name.
// Only regular files inside the bundle's folder are read, within
// MaxFileSize each and MaxBundleSize in all (see reader).
func Read(fsys fs.FS, resolve Resolver) (*Bundle, error) {
	var total int64
	return readAt(fsys, resolve, "", 0, &total)
}

func readAt(fsys fs.FS, resolve Resolver, prefix string, depth int, total *int64) (*Bundle, error) {
	rd := reader{fsys: fsys, prefix: prefix, total: total}
	if depth > MaxExtends {
		return nil, &LoadError{File: prefix + ManifestFile, Err: fmt.Errorf("more than %d bundles extend each other (a cycle?)", MaxExtends)}
	}
	mfName, pfName := prefix+ManifestFile, prefix+ParamsFile
	b := &Bundle{PointFiles: map[string]Source{}}
	if err := checkLayout(fsys, prefix); err != nil {
		return nil, err
	}
	mf, err := rd.read(ManifestFile)
	var le *LoadError
	if errors.As(err, &le) {
		return nil, err
	}
	if err != nil {
		return nil, &LoadError{File: mfName, Err: fmt.Errorf("bundle has no manifest: %w", err)}
	}
	if err := DecodeManifest(mf, &b.Manifest); err != nil {
		return nil, &LoadError{File: mfName, Err: err}
	}
	m := &b.Manifest
	switch {
	case m.Name == "":
		return nil, &LoadError{File: mfName, Err: errors.New(`"name" is required`)}
	case m.Version == "":
		return nil, &LoadError{File: mfName, Err: errors.New(`"version" is required`)}
	}
	if err := checkInputs(m.Inputs); err != nil {
		return nil, &LoadError{File: mfName, Err: err}
	}
	var parent *Bundle
	if m.Extends != "" {
		pfs, err := parentFS(fsys, resolve, m.Extends)
		if err != nil {
			return nil, &LoadError{File: mfName, Err: fmt.Errorf("extends: %w", err)}
		}
		if parent, err = readAt(pfs, resolve, m.Extends+"/", depth+1, total); err != nil {
			return nil, err
		}
	}
	b.Files = append(b.Files, Source{mfName, mf})
	pf, err := rd.read(ParamsFile)
	switch {
	case errors.As(err, &le):
		return nil, err
	case err != nil && parent == nil:
		return nil, &LoadError{File: pfName, Err: fmt.Errorf("bundle has no parameters file: %w", err)}
	case err == nil:
		b.Files = append(b.Files, Source{pfName, pf})
		dec := json.NewDecoder(bytes.NewReader(pf))
		dec.UseNumber()
		if err := dec.Decode(&b.Params); err != nil {
			return nil, &LoadError{File: pfName, Err: err}
		}
		if err := noMore(dec); err != nil {
			return nil, &LoadError{File: pfName, Err: err}
		}
	}
	for point, file := range m.DecisionPoints {
		if !slices.Contains(Points, point) && !slices.Contains(OptionalPoints, point) {
			return nil, &LoadError{File: mfName, Err: fmt.Errorf("unknown decision point %q (want one of %s)", point, strings.Join(slices.Concat(Points, OptionalPoints), ", "))}
		}
		if ext := path.Ext(file); ext != ".rego" && ext != ".cel" {
			return nil, &LoadError{File: mfName, Err: fmt.Errorf("decision point %s: %q is neither a .rego nor a .cel file", point, file)}
		}
	}
	if parent == nil {
		for _, point := range Points {
			if _, ok := m.DecisionPoints[point]; !ok {
				return nil, &LoadError{File: mfName, Err: fmt.Errorf("decision point %q has no rule file", point)}
			}
		}
	}
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Every entry, read or not, must be a plain file or folder: a
		// link is refused here, before anything follows it.
		if err := CheckEntry(prefix+p, d.Type()); err != nil || d.IsDir() {
			return err
		}
		ext := path.Ext(p)
		if (ext != ".rego" && ext != ".cel") || strings.HasSuffix(p, "_test.rego") || strings.HasPrefix(p, "testdata/") {
			return nil
		}
		text, err := rd.read(p)
		if errors.As(err, &le) {
			return err
		}
		if err != nil {
			return &LoadError{File: prefix + p, Err: err}
		}
		src := Source{prefix + p, text}
		b.Files = append(b.Files, src)
		for point, file := range m.DecisionPoints {
			if file == p {
				b.PointFiles[point] = src
				return nil
			}
		}
		if ext == ".cel" {
			return &LoadError{File: prefix + p, Err: errors.New("a CEL file must be a decision point named in the manifest")}
		}
		b.Library = append(b.Library, src)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for point, file := range m.DecisionPoints {
		if _, ok := b.PointFiles[point]; !ok {
			return nil, &LoadError{File: prefix + file, Err: fmt.Errorf("rule file for decision point %s not found", point)}
		}
	}
	if parent == nil {
		return b, nil
	}
	return mergeParent(b, parent, pfName)
}

// mergeParent lays an overlay over the bundle it extends: its parameters
// change the parent's (an overlay may not invent parameters), its decision
// points replace the parent's, and its other Rego modules join the parent's.
func mergeParent(b, parent *Bundle, pfName string) (*Bundle, error) {
	params := DeepCopy(parent.Params).(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(b.Params)) {
		old, ok := parent.Params[k]
		if !ok {
			if slices.Contains(b.Manifest.Declares, k) {
				params[k] = b.Params[k]
				continue
			}
			return nil, &ParamError{File: pfName, Param: k, Problem: fmt.Sprintf("unknown parameter: %s does not define it and the manifest does not declare it", b.Manifest.Extends)}
		}
		if slices.Contains(b.Manifest.Declares, k) {
			return nil, &ParamError{File: pfName, Param: k, Problem: fmt.Sprintf("declared as new, but %s already defines it", b.Manifest.Extends)}
		}
		v, err := merge(k, old, b.Params[k])
		if err != nil {
			var pe *ParamError
			if errors.As(err, &pe) {
				pe.File = pfName
			}
			return nil, err
		}
		params[k] = v
	}
	for _, k := range b.Manifest.Declares {
		if _, ok := b.Params[k]; !ok {
			return nil, &ParamError{File: pfName, Param: k, Problem: "declared in the manifest but given no value"}
		}
	}
	points := maps.Clone(parent.PointFiles)
	maps.Copy(points, b.PointFiles)
	m := b.Manifest
	for _, in := range m.Inputs {
		if slices.ContainsFunc(parent.Manifest.Inputs, func(d dsr.InputDecl) bool { return d.Name == in.Name }) {
			return nil, &LoadError{File: b.Files[0].Name, Err: fmt.Errorf("input %s: %s already declares it, and a declared input cannot be redefined (R-INPUT-1)", in.Name, m.Extends)}
		}
	}
	m.Inputs = append(slices.Clone(parent.Manifest.Inputs), m.Inputs...)
	m.Sources = append(slices.Clone(m.Sources), parent.Manifest.Sources...)
	m.Unconfirmed = append(slices.Clone(m.Unconfirmed), parent.Manifest.Unconfirmed...)
	types := maps.Clone(parent.Manifest.ParamTypes)
	if types == nil {
		types = map[string]string{}
	}
	maps.Copy(types, m.ParamTypes)
	m.ParamTypes = types
	return &Bundle{
		Manifest:   m,
		Params:     params,
		PointFiles: points,
		Library:    append(slices.Clone(parent.Library), b.Library...),
		Files:      append(slices.Clone(parent.Files), b.Files...),
		Parents:    append([]string{m.Extends}, parent.Parents...),
	}, nil
}

// checkInputs checks a manifest's input declarations, each on its own
// (dsr.InputDecl.Check: no national name among them) and together (no name
// twice).
func checkInputs(decls []dsr.InputDecl) error {
	for i, d := range decls {
		if err := d.Check(); err != nil {
			return fmt.Errorf("inputs: %w", err)
		}
		if slices.ContainsFunc(decls[:i], func(o dsr.InputDecl) bool { return o.Name == d.Name }) {
			return fmt.Errorf("inputs: input %s is declared twice", d.Name)
		}
	}
	return nil
}

// digest is the sha256 of the bundle's files (sorted by name) and the
// parameters in force, so an override changes the digest.
func digest(files []Source, params map[string]any) string {
	sorted := slices.Clone(files)
	slices.SortFunc(sorted, func(a, b Source) int { return strings.Compare(a.Name, b.Name) })
	h := sha256.New()
	for _, f := range sorted {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.Text))
		h.Write(f.Text)
	}
	p, _ := json.Marshal(params) // map keys marshal sorted: canonical
	h.Write(p)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// StrictJSON decodes one JSON value into v, refusing unknown fields and
// anything after the value.
func StrictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	return noMore(dec)
}

// noMore refuses data after the value dec has decoded.
func noMore(dec *json.Decoder) error {
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("data after the JSON value at offset %d", dec.InputOffset())
	}
	return nil
}

// DirResolver finds bundles as the folders of root, by name: the embedded
// profiles' folder as it is on disk, for tools and tests that read a
// bundle without the policies package.
func DirResolver(root string) Resolver {
	return func(name string) (fs.FS, error) {
		if name == "" || strings.ContainsAny(name, `/\.`) {
			return nil, fmt.Errorf("no bundle %q", name)
		}
		fsys := os.DirFS(path.Join(root, name))
		if _, err := fs.Stat(fsys, ManifestFile); err != nil {
			return nil, fmt.Errorf("no bundle %q in %s", name, root)
		}
		return fsys, nil
	}
}
