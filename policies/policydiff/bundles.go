package policydiff

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"github.com/dsrkit/dsrkit/policies"
)

// BundleChanges is what differs between two bundles themselves: the
// parameters in force and the rule files in force (policies.Engine's
// Params and RuleFiles).
type BundleChanges struct {
	// Params lists every parameter whose value differs, by its path
	// ("review_cadence.red.n"), sorted.
	Params []ParamChange `json:"params"`
	// Rule files present only under the new bundle, only under the old,
	// and under both with another text. A decision point's file is matched
	// on its point, a library module on its name.
	Added   []policies.RuleFile `json:"added"`
	Removed []policies.RuleFile `json:"removed"`
	Changed []FileChange        `json:"changed"`
}

// ParamChange is one parameter's value under each bundle, as JSON; "" when
// the bundle does not have it.
type ParamChange struct {
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// FileChange is a rule file in force under both bundles with another text
// (or another file for the same decision point).
type FileChange struct {
	Old policies.RuleFile `json:"old"`
	New policies.RuleFile `json:"new"`
}

// Empty reports whether the two bundles have the same parameters and rule
// files.
func (c *BundleChanges) Empty() bool {
	return len(c.Params) == 0 && len(c.Added) == 0 && len(c.Removed) == 0 && len(c.Changed) == 0
}

func compareBundles(old, new *policies.Engine) BundleChanges {
	c := BundleChanges{Params: []ParamChange{}, Added: []policies.RuleFile{}, Removed: []policies.RuleFile{}, Changed: []FileChange{}}
	op, np := map[string]string{}, map[string]string{}
	flatten("", old.Params(), op)
	flatten("", new.Params(), np)
	names := slices.Sorted(maps.Keys(op))
	for name := range np {
		if _, ok := op[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if op[name] != np[name] {
			c.Params = append(c.Params, ParamChange{Name: name, Old: op[name], New: np[name]})
		}
	}
	key := func(f policies.RuleFile) string {
		if f.Point != "" {
			return "point:" + f.Point
		}
		return "lib:" + f.Name
	}
	of, nf := map[string]policies.RuleFile{}, map[string]policies.RuleFile{}
	for _, f := range old.RuleFiles() {
		of[key(f)] = f
	}
	newFiles := new.RuleFiles()
	for _, f := range newFiles {
		nf[key(f)] = f
	}
	for _, f := range old.RuleFiles() {
		n, ok := nf[key(f)]
		switch {
		case !ok:
			c.Removed = append(c.Removed, f)
		case n.Digest != f.Digest || n.Name != f.Name:
			c.Changed = append(c.Changed, FileChange{Old: f, New: n})
		}
	}
	for _, f := range newFiles {
		if _, ok := of[key(f)]; !ok {
			c.Added = append(c.Added, f)
		}
	}
	return c
}

// flatten writes every leaf of v under prefix into out, as compact JSON:
// objects are walked ("a.b.c"); arrays and scalars are leaves.
func flatten(prefix string, v any, out map[string]string) {
	if m, ok := v.(map[string]any); ok && (len(m) > 0 || prefix == "") {
		for k, x := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, x, out)
		}
		return
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		out[prefix] = "?"
		return
	}
	out[prefix] = string(bytes.TrimSpace(b.Bytes()))
}
