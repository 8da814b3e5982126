package policies

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/internal/bundle"
)

// RuleFile is a rule file in force in a loaded bundle, for comparing two
// bundles (policydiff): a decision point's file, or a Rego library module
// of helpers.
type RuleFile struct {
	// Name is the file's path inside the bundle that holds it: an
	// inherited file without its parent's prefix, so that a profile's
	// rating.rego and an overlay's inherited copy have the same name.
	Name string `json:"name"`
	// Point is the decision point the file decides; "" for a library
	// module.
	Point string `json:"point,omitempty"`
	// From is the name of the bundle the file comes from (the loaded
	// bundle or one it extends).
	From string `json:"from"`
	// Digest is the SHA-256 of the file's text, in hex.
	Digest string `json:"digest"`
}

// RuleFiles lists the rule files in force: every decision point's file
// (an overlay's where it replaces its parent's), then the library modules,
// each sorted by point and name. Test files are not rule files.
func (e *Engine) RuleFiles() []RuleFile { return slices.Clone(e.files) }

// Params returns the parameters in force (the bundle's, an overlay's laid
// over its parent's, and any WithParams overrides), a copy the caller may
// change.
func (e *Engine) Params() map[string]any { return bundle.DeepCopy(e.params).(map[string]any) }

// ruleFiles is b's RuleFiles.
func ruleFiles(b *bundle.Bundle) []RuleFile {
	file := func(src bundle.Source, point string) RuleFile {
		name, from := src.Name, b.Manifest.Name
		// Inherited files carry "<parent>/" prefixes, the nearest first.
		for _, p := range b.Parents {
			if rest, ok := strings.CutPrefix(name, p+"/"); ok {
				name, from = rest, p
			}
		}
		sum := sha256.Sum256(src.Text)
		return RuleFile{Name: name, Point: point, From: from, Digest: hex.EncodeToString(sum[:])}
	}
	var out []RuleFile
	for _, point := range slices.Sorted(maps.Keys(b.PointFiles)) {
		out = append(out, file(b.PointFiles[point], point))
	}
	var lib []RuleFile
	for _, src := range b.Library {
		lib = append(lib, file(src, ""))
	}
	slices.SortFunc(lib, func(x, y RuleFile) int {
		return cmp.Or(strings.Compare(x.Name, y.Name), strings.Compare(x.From, y.From))
	})
	return append(out, lib...)
}
