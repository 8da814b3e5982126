package archtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/dsrkit/dsrkit/"

// allowed lists, for each package of the module, the module's packages it
// may import. The order of the layers, bottom up:
// calendar; dsr; consent, cetr, bluelight; register and its stores;
// internal/bundle, internal/eval, internal/rego and internal/cel;
// policies and its tools; web; server; cmd/dsr. A new package must be added here, in
// its layer.
var allowed = map[string][]string{
	"calendar": {},
	// disclosure is R-REPORT-1 on its own: no dependencies.
	"disclosure":              {},
	"dsr":                     {"calendar"},
	"consent":                 {"calendar", "dsr"},
	"cetr":                    {"calendar", "dsr"},
	"bluelight":               {"calendar", "dsr"},
	"cetr/cetrtest":           {"calendar", "dsr", "cetr"},
	"bluelight/bluelighttest": {"calendar", "dsr", "bluelight"},
	"register":                {"calendar", "dsr", "consent", "cetr", "bluelight", "register/memstore", "register/storetest", "cetr/cetrtest", "bluelight/bluelighttest"},
	"register/memstore":       {"calendar", "dsr", "register", "register/storetest"},
	"register/sqlitestore":    {"calendar", "dsr", "register", "register/storetest"},
	"register/pgstore":        {"calendar", "dsr", "register", "register/storetest"},
	"register/storetest":      {"calendar", "dsr", "register"},
	// report renders the register's reports (board, meeting pack, review
	// summary, Blue Light minute) as HTML: above register, engine-free.
	"report": {"calendar", "dsr", "disclosure", "consent", "cetr", "bluelight", "register", "register/memstore", "register/sqlitestore",
		"cetr/cetrtest", "bluelight/bluelighttest"},
	// internal/pdf prints HTML to PDF through headless Chromium.
	"internal/pdf":        {},
	"internal/bundle":     {"calendar", "dsr"},
	"internal/eval":       {"calendar", "dsr", "internal/bundle"},
	"internal/rego":       {"calendar", "dsr", "internal/bundle", "internal/eval", "internal/benchcases"},
	"internal/cel":        {"calendar", "dsr", "internal/bundle", "internal/eval", "internal/benchcases"},
	"internal/schema":     {"calendar", "dsr"},
	"internal/benchcases": {},
	"internal/archtest":   {},
	"internal/attack":     {},
	"internal/progress":   {},
	// internal/testtools finds the tests' tools from outside Go (Chromium,
	// npm packages, PostgreSQL, the folder CI keeps): for tests only.
	"internal/testtools":     {},
	"scripts/attack":         {"internal/attack"},
	"scripts/attack/needles": {"dsr"},
	// transfer moves people in and out of the register (sheets, the
	// national return): above register, engine-free.
	"transfer": {"calendar", "dsr", "consent", "disclosure", "register", "register/memstore", "register/sqlitestore"},
	"policies": {"calendar", "dsr", "consent", "cetr", "bluelight", "internal/bundle", "internal/eval", "internal/rego", "internal/cel",
		"internal/benchcases", "policies/policycheck"},
	"policies/policycheck": {"calendar", "dsr", "policies", "internal/rego"},
	"policies/policydiff":  {"calendar", "dsr", "policies", "policies/policycheck"},
	"policies/policytest":  {"calendar", "dsr", "policies", "policies/policycheck"},
	"examples/policies":    {"calendar", "dsr", "consent", "cetr", "bluelight", "register", "register/memstore", "policies", "policies/policycheck", "policies/policydiff", "policies/policytest"},
	"docs":                 {},
	// web is the service's pages: above register and policies, below
	// server, which mounts them.
	"web": {"calendar", "dsr", "consent", "cetr", "bluelight", "register", "register/memstore", "register/sqlitestore", "policies", "docs"},
	// server is the HTTP service over a register and a policy bundle: above
	// policies and register, below cmd/dsr.
	"server": {"calendar", "dsr", "consent", "cetr", "bluelight", "register", "register/memstore", "register/sqlitestore", "register/pgstore",
		"internal/schema", "policies", "policies/policycheck", "policies/policydiff", "web", "report"},
	// fhir exports the register as FHIR R4 (through the register's
	// audited reads, judging consent to share with package consent);
	// fhir/fhirtest checks FHIR JSON in tests.
	"fhir":          {"calendar", "dsr", "consent", "cetr", "register"},
	"fhir/fhirtest": {"internal/testtools"},

	"cmd/dsr": nil, // the top: anything of ours
}

// engineFree are the packages that must not depend on a policy engine even
// indirectly (go list -deps).
var engineFree = []string{"calendar", "disclosure", "dsr", "consent", "cetr", "bluelight", "register", "register/memstore", "register/sqlitestore", "register/pgstore",
	"register/storetest", "transfer", "internal/bundle", "internal/eval", "internal/schema", "fhir", "fhir/fhirtest", "report", "internal/pdf", "internal/progress", "internal/testtools"}

// engineImporters are the only packages that may import OPA or cel-go.
var engineImporters = []string{"internal/rego", "internal/cel"}

func isEngine(path string) bool {
	return strings.HasPrefix(path, "github.com/open-policy-agent/opa") || strings.HasPrefix(path, "cel.dev/") ||
		strings.HasPrefix(path, "github.com/google/cel-go")
}

type pkg struct {
	ImportPath   string
	Dir          string
	GoFiles      []string
	Imports      []string
	TestImports  []string
	XTestImports []string
	Deps         []string
}

// listPackages is `go list -json -deps=false ./...` from the module root.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = filepath.Join("..", "..")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 15 {
		t.Fatalf("go list found %d packages", len(pkgs))
	}
	return pkgs
}

func rel(path string) (string, bool) {
	if !strings.HasPrefix(path, module) {
		return "", false
	}
	return strings.TrimPrefix(path, module), true
}

func (p pkg) allImports() []string {
	return slices.Concat(p.Imports, p.TestImports, p.XTestImports)
}

// Imports point down: every package's code imports only the packages of
// ours its layer allows (allowed). Tests in the package itself count;
// external tests (package x_test) are the package's clients and may use
// any layer, as a host would.
func TestImportsPointDown(t *testing.T) {
	for _, p := range listPackages(t) {
		name, _ := rel(p.ImportPath)
		ok, known := allowed[name]
		if !known {
			t.Errorf("%s is not in archtest's layer table: add it, in its layer", name)
			continue
		}
		if ok == nil && name == "cmd/dsr" {
			continue
		}
		for _, imp := range slices.Concat(p.Imports, p.TestImports) {
			r, ours := rel(imp)
			if !ours || r == name {
				continue
			}
			if !slices.Contains(ok, r) {
				t.Errorf("%s imports %s, which its layer does not allow (it may import %v)", name, r, ok)
			}
		}
	}
}

// Only internal/rego and internal/cel import OPA or cel-go, tests
// included; the engine-free packages do not depend on either at all.
func TestOnlyTheBackEndsImportAnEngine(t *testing.T) {
	pkgs := listPackages(t)
	for _, p := range pkgs {
		name, _ := rel(p.ImportPath)
		if slices.Contains(engineImporters, name) {
			continue
		}
		for _, imp := range p.allImports() {
			if isEngine(imp) {
				t.Errorf("%s imports %s: only %v may import a policy engine", name, imp, engineImporters)
			}
		}
	}
	for _, name := range engineFree {
		cmd := exec.Command("go", "list", "-deps", "./"+name)
		cmd.Dir = filepath.Join("..", "..")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list -deps %s: %v", name, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if isEngine(sc.Text()) {
				t.Errorf("%s depends on %s: it must stay engine-free", name, sc.Text())
				break
			}
		}
	}
}

// No package holds more than a quarter of the module's non-test code.
func TestNoPackageOverAQuarterOfTheCode(t *testing.T) {
	lines := map[string]int{}
	total := 0
	for _, p := range listPackages(t) {
		name, _ := rel(p.ImportPath)
		for _, f := range p.GoFiles {
			n := countLines(t, filepath.Join(p.Dir, f))
			lines[name] += n
			total += n
		}
	}
	if total < 10_000 {
		t.Fatalf("the module has %d non-test lines: the count is broken", total)
	}
	for name, n := range lines {
		if 4*n > total {
			t.Errorf("%s has %d of the module's %d non-test lines (%.0f%%), more than a quarter: split it", name, n, total, 100*float64(n)/float64(total))
		}
	}
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}
