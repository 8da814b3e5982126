package policycheck_test

import (
	"os/exec"
	"strings"
	"testing"
)

// policycheck is what the dsr command links: it must not bring in rapid,
// and no package it depends on may import testing but OPA's tester (the
// Rego unit-test runner, which imports it for its benchmarks).
func TestNoTestFrameworkInTheDeps(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "github.com/dsrkit/dsrkit/policies/policycheck").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 10 {
		t.Fatalf("go list printed too little:\n%s", out)
	}
	for _, line := range lines {
		pkg, imports, _ := strings.Cut(line, " ")
		if strings.HasPrefix(pkg, "pgregory.net/rapid") {
			t.Errorf("policycheck depends on %s", pkg)
		}
		for _, imp := range strings.Fields(imports) {
			if imp == "testing" && pkg != "github.com/open-policy-agent/opa/v1/tester" {
				t.Errorf("%s imports testing", pkg)
			}
		}
	}
}
