package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// A bundle built with dsr policy build loads with --policy x.tar.gz and
// gives what the folder gives: the same Policy() (name, version, digest,
// engine), the same chain and sources, and the same assessment of every
// example and scenario case, with and without --set.
func TestPolicyBuildRoundTrip(t *testing.T) {
	cases, _ := filepath.Glob("../../examples/cases/*.json")
	scenarios, _ := filepath.Glob("../../policies/testdata/scenarios/*/case.json")
	cases = append(cases, scenarios...)
	if len(cases) < 20 {
		t.Fatalf("only %d cases", len(cases))
	}
	dir := t.TempDir()
	for _, tc := range []struct{ name, policy, set string }{
		{"national-2023", "national-2023", "post_admission_lookback_days=30"},
		{"wiltshire", "../../examples/policies/wiltshire", "keyworker_max_age=24"},
		{"kingston-richmond-crisis-red", "../../examples/policies/changes/kingston-richmond-crisis-red", ""},
		{"mha-2025", "mha-2025", "commencement=2026-01-01"},
		{"national-2023-cel", "national-2023-cel", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, tc.name+".tar.gz")
			if r := runCLI(t, "", "policy", "build", tc.policy, "-o", out); r.code != exitOK {
				t.Fatalf("policy build: exit %d: %s", r.code, r.stderr)
			}
			folder, err := openBundle(tc.policy)
			if err != nil {
				t.Fatal(err)
			}
			built, err := openBundle(out)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			ef, err := policies.Load(ctx, folder)
			if err != nil {
				t.Fatal(err)
			}
			eb, err := policies.Load(ctx, built)
			if err != nil {
				t.Fatal(err)
			}
			if ef.Policy() != eb.Policy() || !slices.Equal(ef.Extends(), eb.Extends()) || ef.Description() != eb.Description() {
				t.Fatalf("built %+v (extends %v), folder %+v (extends %v)", eb.Policy(), eb.Extends(), ef.Policy(), ef.Extends())
			}
			fs1, fu1 := ef.Sources()
			fs2, fu2 := eb.Sources()
			if !reflect.DeepEqual(fs1, fs2) || !reflect.DeepEqual(fu1, fu2) {
				t.Errorf("sources differ: built %v %v, folder %v %v", fs2, fu2, fs1, fu1)
			}
			// Every case through the API, with and without the override.
			opts := [][]policies.Option{nil}
			if tc.set != "" {
				name, value, _ := strings.Cut(tc.set, "=")
				opts = append(opts, []policies.Option{policies.WithParam(name, parseValue(value))})
			}
			for _, o := range opts {
				ef, err := policies.Load(ctx, folder, o...)
				if err != nil {
					t.Fatal(err)
				}
				eb, err := policies.Load(ctx, built, o...)
				if err != nil {
					t.Fatal(err)
				}
				if ef.Policy() != eb.Policy() {
					t.Fatalf("with %s: built %+v, folder %+v", tc.set, eb.Policy(), ef.Policy())
				}
				for _, c := range cases {
					raw, err := os.ReadFile(c)
					if err != nil {
						t.Fatal(err)
					}
					dc, err := dsr.UnmarshalCase(raw)
					if err != nil {
						t.Fatalf("%s: %v", c, err)
					}
					af, errf := ef.Assess(ctx, dc)
					ab, errb := eb.Assess(ctx, dc)
					jf, _ := json.Marshal(af)
					jb, _ := json.Marshal(ab)
					if fmt.Sprint(errf) != fmt.Sprint(errb) || !bytes.Equal(jf, jb) {
						t.Fatalf("%s with %q: folder %s (%v)\nbuilt %s (%v)", c, tc.set, jf, errf, jb, errb)
					}
				}
			}
			// And through the CLI, as a user runs it.
			for _, c := range cases[:3] {
				args := []string{"assess", c}
				if tc.set != "" {
					args = append(args, "--set", tc.set)
				}
				a := runCLI(t, "", append(args, "--policy", tc.policy)...)
				b := runCLI(t, "", append(args, "--policy", out)...)
				if a.code != exitOK || a.stdout != b.stdout || a.code != b.code {
					t.Fatalf("dsr %v: folder (exit %d)\n%s%s\nbuilt (exit %d)\n%s%s", args, a.code, a.stdout, a.stderr, b.code, b.stdout, b.stderr)
				}
			}
		})
	}
}

// The build refuses a missing or wrong -o, and a bundle that does not
// load; --policy refuses a .tar.gz that is not a bundle archive.
func TestPolicyBuildErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"policy", "build", "national-2023"}, exitUsage},
		{[]string{"policy", "build", "national-2023", "-o", filepath.Join(dir, "x.zip")}, exitUsage},
		{[]string{"policy", "build", "no-such-bundle", "-o", filepath.Join(dir, "x.tar.gz")}, exitFailure},
		{[]string{"policy", "build", "-h"}, exitOK},
	} {
		if r := runCLI(t, "", tc.args...); r.code != tc.code {
			t.Errorf("%v: exit %d, want %d: %s", tc.args, r.code, tc.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "x.tar.gz")); err == nil {
		t.Error("a failed build left an archive")
	}
	junk := filepath.Join(dir, "junk.tar.gz")
	if err := os.WriteFile(junk, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, "", "assess", "--policy", junk, "../../examples/cases/red-child.json"); r.code != exitFailure {
		t.Errorf("--policy junk.tar.gz: exit %d, want %d", r.code, exitFailure)
	}
}
