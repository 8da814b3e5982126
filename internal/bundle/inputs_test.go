package bundle

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dsrkit/dsrkit/dsr"
)

// inputsBundle is a bundle whose manifest has the given inputs (a JSON
// array) and, when extends is set, extends it; a base bundle has every
// assessment point (Read does not compile them).
func inputsBundle(name, extends, inputs string) fstest.MapFS {
	points := `{}`
	fsys := fstest.MapFS{}
	if extends == "" {
		points = `{"eligibility": "e.rego", "consent": "c.rego", "rating": "r.rego", "actions": "a.rego", "review_cadence": "v.rego"}`
		for _, f := range []string{"e", "c", "r", "a", "v"} {
			fsys[f+".rego"] = &fstest.MapFile{Data: []byte("package dsr.x\n")}
		}
		fsys[ParamsFile] = &fstest.MapFile{Data: []byte(`{}`)}
	}
	ext := ""
	if extends != "" {
		ext = `"extends": "` + extends + `",`
	}
	fsys[ManifestFile] = &fstest.MapFile{Data: []byte(`{"metadata": {"name": "` + name + `", "version": "1", ` + ext +
		`"sources": [], "decision_points": ` + points + `, "inputs": ` + inputs + `}}`)}
	return fsys
}

func resolverOf(bundles map[string]fstest.MapFS) Resolver {
	return func(name string) (fs.FS, error) {
		if b, ok := bundles[name]; ok {
			return b, nil
		}
		return nil, errors.New("no bundle " + name)
	}
}

const alcohol = `{"name": "alcohol_use", "kind": "bool", "description": "Alcohol use reported", "source": "test"}`

// TestOverlayInputsJoinTheParents: an overlay's inputs follow its parent's.
func TestOverlayInputsJoinTheParents(t *testing.T) {
	parents := map[string]fstest.MapFS{"base": inputsBundle("base", "", "["+alcohol+"]")}
	b, err := Read(inputsBundle("area", "base", `[{"name": "self_harm", "kind": "int", "min": 0, "max": 3, "description": "d", "source": "s"}]`), resolverOf(parents))
	if err != nil {
		t.Fatal(err)
	}
	if got := dsr.InputNames(b.Manifest.Inputs); !slices.Equal(got, []string{"alcohol_use", "self_harm"}) {
		t.Errorf("inputs %q, want the parent's alcohol_use then the overlay's self_harm", got)
	}
}

// TestInputDeclarationsRefused: a bad declaration, a national name, a name
// declared twice or a parent's input declared again fails at load, naming
// the input and the manifest (R-INPUT-1).
func TestInputDeclarationsRefused(t *testing.T) {
	parents := map[string]fstest.MapFS{"base": inputsBundle("base", "", "["+alcohol+"]")}
	for _, tc := range []struct {
		name, extends, inputs, want string
	}{
		{"redefines a parent's input", "base", "[" + alcohol + "]", "input alcohol_use: base already declares it, and a declared input cannot be redefined (R-INPUT-1)"},
		{"a national circumstance", "base", `[{"name": "in_crisis", "kind": "bool", "description": "d", "source": "s"}]`, "input in_crisis: in_crisis is a national name and cannot be redefined (R-INPUT-1)"},
		{"a national person fact", "", `[{"name": "autism", "kind": "bool", "description": "d", "source": "s"}]`, "input autism: autism is a national name"},
		{"declared twice", "", "[" + alcohol + "," + alcohol + "]", "input alcohol_use is declared twice"},
		{"an int without max", "", `[{"name": "x", "kind": "int", "min": 0, "description": "d", "source": "s"}]`, "input x: an int input needs min and max"},
		{"min above max", "", `[{"name": "x", "kind": "int", "min": 4, "max": 3, "description": "d", "source": "s"}]`, "input x: min 4 is above max 3"},
		{"an enum without values", "", `[{"name": "x", "kind": "enum", "description": "d", "source": "s"}]`, "input x: an enum input needs values"},
		{"an enum value twice", "", `[{"name": "x", "kind": "enum", "values": ["a", "a"], "description": "d", "source": "s"}]`, `input x: value "a" given twice`},
		{"a bool with a range", "", `[{"name": "x", "kind": "bool", "max": 1, "description": "d", "source": "s"}]`, "input x: a bool input has no min, max or values"},
		{"an unknown kind", "", `[{"name": "x", "kind": "float", "description": "d", "source": "s"}]`, `input x: unknown kind "float"`},
		{"a name in capitals", "", `[{"name": "Alcohol", "kind": "bool", "description": "d", "source": "s"}]`, `input "Alcohol": a name is 1 to 64 lower-case letters`},
		{"no source", "", `[{"name": "x", "kind": "bool", "description": "d"}]`, "input x: a source is required"},
		{"no description", "", `[{"name": "x", "kind": "bool", "source": "s"}]`, "input x: a description is required"},
		{"an unknown key", "", `[{"name": "x", "kind": "bool", "description": "d", "source": "s", "default": true}]`, `unknown field "default"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(inputsBundle("area", tc.extends, tc.inputs), resolverOf(parents))
			var le *LoadError
			if !errors.As(err, &le) || !errors.Is(err, ErrBadBundle) {
				t.Fatalf("Read: %v, want a *LoadError", err)
			}
			if le.File != ManifestFile || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read: %v (file %s), want %s naming %q", err, le.File, ManifestFile, tc.want)
			}
		})
	}
}
