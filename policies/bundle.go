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
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
)

// DefaultBundle is the profile used when none is named.
const DefaultBundle = "national-2023"

//go:embed all:bundles
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
	manifestFile = ".manifest"        // OPA's bundle manifest, ours under "metadata" (bundlelayout.go)
	paramsFile   = "params/data.json" // OPA's data.params
)

// Decision points, in evaluation order. Points in the first stage see only
// the case; the second stage also sees the first stage's decisions.
var (
	stage1Points = []string{"eligibility", "consent", "rating"}
	stage2Points = []string{"actions", "review_cadence"}
)

// Points lists the assessment's decision points, which every bundle
// defines; OptionalPoints (points.go) lists the others a bundle may define.
var Points = append(slices.Clone(stage1Points), stage2Points...)

// manifest is a bundle's manifest: the "metadata" of its .manifest.
type manifest struct {
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
}

// source is one file of a bundle, kept for error positions and the digest.
type source struct {
	name string // path inside the bundle, prefixed with the parent's name for inherited files
	text []byte
}

func (s source) isCEL() bool { return path.Ext(s.name) == ".cel" }

// bundle is a bundle read from an fs.FS, before compilation, with any
// parent it extends already merged in.
type bundle struct {
	manifest manifest
	params   map[string]any // parameters, decoded with UseNumber
	points   map[string]source
	library  []source // other .rego files (helpers, extra rules)
	files    []source // every file, for the digest
	parents  []string // the chain of bundles extended, nearest first
}

// maxExtends bounds a chain of overlays (and catches cycles).
const maxExtends = 8

// readBundle reads and checks a bundle, merging the bundles it extends.
func readBundle(fsys fs.FS) (*bundle, error) { return readBundleAt(fsys, "", 0) }

func readBundleAt(fsys fs.FS, prefix string, depth int) (*bundle, error) {
	if depth > maxExtends {
		return nil, &LoadError{File: prefix + manifestFile, Err: fmt.Errorf("more than %d bundles extend each other (a cycle?)", maxExtends)}
	}
	mfName, pfName := prefix+manifestFile, prefix+paramsFile
	b := &bundle{points: map[string]source{}}
	if err := checkLayout(fsys, prefix); err != nil {
		return nil, err
	}
	mf, err := fs.ReadFile(fsys, manifestFile)
	if err != nil {
		return nil, &LoadError{File: mfName, Err: fmt.Errorf("bundle has no manifest: %w", err)}
	}
	if err := decodeManifest(mf, &b.manifest); err != nil {
		return nil, &LoadError{File: mfName, Err: err}
	}
	m := &b.manifest
	switch {
	case m.Name == "":
		return nil, &LoadError{File: mfName, Err: errors.New(`"name" is required`)}
	case m.Version == "":
		return nil, &LoadError{File: mfName, Err: errors.New(`"version" is required`)}
	}
	var parent *bundle
	if m.Extends != "" {
		pfs, err := parentFS(fsys, m.Extends)
		if err != nil {
			return nil, &LoadError{File: mfName, Err: fmt.Errorf("extends: %w", err)}
		}
		if parent, err = readBundleAt(pfs, m.Extends+"/", depth+1); err != nil {
			return nil, err
		}
	}
	b.files = append(b.files, source{mfName, mf})
	pf, err := fs.ReadFile(fsys, paramsFile)
	switch {
	case err != nil && parent == nil:
		return nil, &LoadError{File: pfName, Err: fmt.Errorf("bundle has no parameters file: %w", err)}
	case err == nil:
		b.files = append(b.files, source{pfName, pf})
		dec := json.NewDecoder(bytes.NewReader(pf))
		dec.UseNumber()
		if err := dec.Decode(&b.params); err != nil {
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
		if err != nil || d.IsDir() {
			return err
		}
		ext := path.Ext(p)
		if (ext != ".rego" && ext != ".cel") || strings.HasSuffix(p, "_test.rego") || strings.HasPrefix(p, "testdata/") {
			return nil
		}
		text, err := fs.ReadFile(fsys, p)
		if err != nil {
			return &LoadError{File: prefix + p, Err: err}
		}
		src := source{prefix + p, text}
		b.files = append(b.files, src)
		for point, file := range m.DecisionPoints {
			if file == p {
				b.points[point] = src
				return nil
			}
		}
		if ext == ".cel" {
			return &LoadError{File: prefix + p, Err: errors.New("a CEL file must be a decision point named in the manifest")}
		}
		b.library = append(b.library, src)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for point, file := range m.DecisionPoints {
		if _, ok := b.points[point]; !ok {
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
func mergeParent(b, parent *bundle, pfName string) (*bundle, error) {
	params := deepCopy(parent.params).(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(b.params)) {
		old, ok := parent.params[k]
		if !ok {
			if slices.Contains(b.manifest.Declares, k) {
				params[k] = b.params[k]
				continue
			}
			return nil, &ParamError{File: pfName, Param: k, Problem: fmt.Sprintf("unknown parameter: %s does not define it and the manifest does not declare it", b.manifest.Extends)}
		}
		if slices.Contains(b.manifest.Declares, k) {
			return nil, &ParamError{File: pfName, Param: k, Problem: fmt.Sprintf("declared as new, but %s already defines it", b.manifest.Extends)}
		}
		v, err := merge(k, old, b.params[k])
		if err != nil {
			var pe *ParamError
			if errors.As(err, &pe) {
				pe.File = pfName
			}
			return nil, err
		}
		params[k] = v
	}
	for _, k := range b.manifest.Declares {
		if _, ok := b.params[k]; !ok {
			return nil, &ParamError{File: pfName, Param: k, Problem: "declared in the manifest but given no value"}
		}
	}
	points := maps.Clone(parent.points)
	maps.Copy(points, b.points)
	m := b.manifest
	m.Sources = append(slices.Clone(m.Sources), parent.manifest.Sources...)
	m.Unconfirmed = append(slices.Clone(m.Unconfirmed), parent.manifest.Unconfirmed...)
	types := maps.Clone(parent.manifest.ParamTypes)
	if types == nil {
		types = map[string]string{}
	}
	maps.Copy(types, m.ParamTypes)
	m.ParamTypes = types
	return &bundle{
		manifest: m,
		params:   params,
		points:   points,
		library:  append(slices.Clone(parent.library), b.library...),
		files:    append(slices.Clone(parent.files), b.files...),
		parents:  append([]string{m.Extends}, parent.parents...),
	}, nil
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
