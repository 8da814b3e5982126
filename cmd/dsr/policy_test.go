package main

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/policies"
)

// TestPolicyListTable: `dsr policy list` prints one row per embedded
// profile with its version, engines, what it extends and its digest.
func TestPolicyListTable(t *testing.T) {
	r := runCLI(t, "", "policy", "list")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if got := strings.Fields(lines[0]); !slices.Equal(got, []string{"NAME", "VERSION", "ENGINE", "EXTENDS", "DIGEST"}) {
		t.Errorf("header = %q", lines[0])
	}
	names := policies.BundleNames()
	if len(lines) != len(names)+1 {
		t.Fatalf("%d rows for %d profiles:\n%s", len(lines)-1, len(names), r.stdout)
	}
	rows := map[string][]string{}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		rows[f[0]] = f
	}
	for _, name := range names {
		f, ok := rows[name]
		if !ok || len(f) != 5 {
			t.Errorf("no row of five columns for %s:\n%s", name, r.stdout)
			continue
		}
		ref := loadRef(t, name)
		if f[1] != ref.version || f[2] != ref.engine || f[4] != ref.digest {
			t.Errorf("row %q, want version %s, engine %s, digest %s", f, ref.version, ref.engine, ref.digest)
		}
	}
	for name, extends := range map[string]string{"national-2023": "-", "national-2017": "national-2023", "cyp-2021": "national-2023", "mha-2025": "national-2023"} {
		if f := rows[name]; len(f) == 5 && f[3] != extends {
			t.Errorf("%s extends %q, want %q", name, f[3], extends)
		}
	}
}

// TestPolicyListJSON: --json prints the same profiles as a JSON array,
// with each profile's sources and what it carries over unconfirmed.
func TestPolicyListJSON(t *testing.T) {
	r := runCLI(t, "", "policy", "list", "--json")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	var got []profileInfo
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding: %v\n%s", err, r.stdout)
	}
	var names []string
	for _, p := range got {
		names = append(names, p.Name)
		ref := loadRef(t, p.Name)
		if p.Version != ref.version || p.Engine != ref.engine || p.Digest != ref.digest {
			t.Errorf("%s: %+v, want %+v", p.Name, p, ref)
		}
		if p.Error != "" || p.Description == "" || len(p.Sources) == 0 {
			t.Errorf("%s: error %q, description %q, sources %q: want a description and sources", p.Name, p.Error, p.Description, p.Sources)
		}
	}
	if want := policies.BundleNames(); !slices.Equal(names, want) {
		t.Errorf("profiles %q, want %q", names, want)
	}
	for _, p := range got {
		if p.Name == "mha-2025" {
			if !slices.Equal(p.Extends, []string{"national-2023"}) || len(p.Unconfirmed) == 0 {
				t.Errorf("mha-2025: extends %q, unconfirmed %q", p.Extends, p.Unconfirmed)
			}
		}
	}
}

func TestPolicyUsage(t *testing.T) {
	tests := []struct {
		args     []string
		code     int
		inStdout string
		inStderr string
	}{
		{[]string{"policy"}, exitUsage, "", "want a subcommand"},
		{[]string{"policy", "show"}, exitUsage, "", `unknown subcommand "show"`},
		{[]string{"policy", "list", "extra"}, exitUsage, "", `unexpected argument "extra"`},
		{[]string{"policy", "list", "--yaml"}, exitUsage, "", "flag provided but not defined"},
		{[]string{"policy", "help"}, exitOK, "Usage: dsr policy list", ""},
		{[]string{"policy", "list", "-h"}, exitOK, "Usage: dsr policy list", ""},
		{[]string{"help"}, exitOK, "dsr policy list", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runCLI(t, "", tt.args...)
			if r.code != tt.code || !strings.Contains(r.stdout, tt.inStdout) || !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("exit %d (want %d)\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestPolicyListCancelled: a cancelled context stops the listing.
func TestPolicyListCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb strings.Builder
	if code := run(ctx, []string{"policy", "list"}, strings.NewReader(""), &out, &errb); code != exitFailure {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitFailure, errb.String())
	}
}

type profileRef struct{ version, engine, digest string }

func loadRef(t *testing.T, name string) profileRef {
	t.Helper()
	fsys, err := policies.Bundle(name)
	if err != nil {
		t.Fatal(err)
	}
	e, err := policies.Load(context.Background(), fsys)
	if err != nil {
		t.Fatalf("loading %s: %v", name, err)
	}
	ref := e.Policy()
	return profileRef{ref.Version, ref.Engine, ref.Digest}
}
