package policies_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/policies"
)

// A hostile bundle: an overlay of national-2023 written to hang or exhaust
// the process, or to read what a rule must not. Each must be refused at
// load or stopped at assessment within hostileBudget, with an error naming
// the file (and, for a limit, the limit). scripts/hostile-bundles.sh runs
// each case in its own process and reports its time and peak memory.
type hostileCase struct {
	name string
	// fsys builds the bundle; dir is a fresh temporary folder for the
	// cases that need a real file system (links, FIFOs, devices).
	fsys func(t *testing.T, dir string) fs.FS
	file string // the file the error must name
	want string // a word of the error: the limit or the reason
	// harmless: the engine makes the bundle harmless rather than refusing
	// it (a nested unroll now capped, a lazy list, a linear-time regular
	// expression): it may assess, within the budget, or fail as above.
	harmless bool
	// eagerRefused: compiled eagerly (WithEagerCompile, as dsr policy
	// test and build load), Load itself refuses the bundle, though the
	// hostile rule is a lazily compiled optional point.
	eagerRefused bool
}

const hostileBudget = 2 * time.Second

// regoOverlay extends national-2023 with eligibility replaced by a rule
// whose value is expr.
func regoOverlay(expr string) fstest.MapFS {
	return fstest.MapFS{
		".manifest": {Data: []byte(`{"metadata": {"name": "hostile", "version": "0.0.1", "extends": "national-2023",
			"description": "hostile", "sources": ["test"], "decision_points": {"eligibility": "eligibility.rego"}}}`)},
		"eligibility.rego": {Data: []byte("package dsr.eligibility\n\nx := " + expr + "\n\ndecision := {\"eligible\": x == -1, \"reasons\": []}\n")},
	}
}

func regoCase(name, expr, want string) hostileCase {
	return hostileCase{name: name, fsys: func(*testing.T, string) fs.FS { return regoOverlay(expr) }, file: "eligibility.rego", want: want}
}

func celCase(name, rule, want string) hostileCase {
	return hostileCase{name: name, fsys: func(*testing.T, string) fs.FS { return celOverlay(rule) }, file: "rating.cel", want: want}
}

func harmless(c hostileCase) hostileCase { c.harmless = true; return c }

// celCriteriaCase is an overlay of national-2023 whose Blue Light criteria
// point is the CEL rule: an optional point, compiled at its first use by
// default, which loadAndAssess makes.
func celCriteriaCase(name, rule, want string) hostileCase {
	return hostileCase{name: name, file: "criteria.cel", want: want, fsys: func(*testing.T, string) fs.FS {
		return fstest.MapFS{
			".manifest": {Data: []byte(`{"metadata": {"name": "hostile", "version": "0.0.1", "extends": "national-2023",
				"description": "hostile", "sources": ["test"], "decision_points": {"bluelight_criteria": "criteria.cel"}}}`)},
			"criteria.cel": {Data: []byte(rule)},
		}
	}}
}

func eagerRefused(c hostileCase) hostileCase { c.eagerRefused = true; return c }

// nestedExists is the rating rule of the issue: depth quantifiers, each
// over the list 0..15, nested (16^depth bodies if unrolled whole).
func nestedExists(depth int) string {
	list := "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]"
	body := "person.age == -1 - v0"
	for i := 1; i < depth; i++ {
		body += fmt.Sprintf(" + v%d", i)
	}
	for i := depth - 1; i >= 0; i-- {
		body = fmt.Sprintf("%s.exists(v%d, %s)", list, i, body)
	}
	return fmt.Sprintf(`{"rating": %s ? "red" : "green", "reasons": []}`, body)
}

// doubling binds a string (or list) and doubles it n times.
func doubling(start, op string, n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cel.bind(s0, %s, ", start)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "cel.bind(s%d, s%d %s s%d, ", i, i-1, op, i-1)
	}
	fmt.Fprintf(&b, `{"rating": size(s%d) > 0 ? "red" : "green", "reasons": []}`, n)
	b.WriteString(strings.Repeat(")", n+1))
	return b.String()
}

// regoDoubling doubles a string with concat n times, one local a line.
func regoDoubling(n int) string {
	var b strings.Builder
	b.WriteString("count(s)\n\ns := y if {\n\ts0 := \"xxxxxxxxxxxxxxxx\"\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "\ts%d := concat(\"\", [s%d, s%d])\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "\ty := s%d\n}", n)
	return b.String()
}

// fsOverlay writes a small valid overlay of national-2023 to dir (its
// rule file adds a library module) and lets setup add the hostile part.
func fsOverlay(setup func(t *testing.T, dir string)) func(t *testing.T, dir string) fs.FS {
	return func(t *testing.T, dir string) fs.FS {
		write := func(name, text string) {
			if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		write(".manifest", `{"metadata": {"name": "hostile", "version": "0.0.1", "extends": "national-2023",
			"description": "hostile", "sources": ["test"], "decision_points": {}}}`)
		write("params/data.json", "{}\n")
		write("extra.rego", "package dsr.extra\n\nx := 1\n")
		setup(t, dir)
		return os.DirFS(dir)
	}
}

func hostileCases() []hostileCase {
	var cases []hostileCase
	// Builtins that read the clock, the network, randomness or the
	// environment: refused at load, at the call.
	for _, call := range []string{
		`time.now_ns()`,
		`http.send({"method": "get", "url": "http://127.0.0.1:1"})`,
		`net.lookup_ip_addr("localhost")`,
		`net.cidr_contains("10.0.0.0/8", "10.1.1.1")`,
		`opa.runtime()`,
		`rand.intn("x", 10)`,
		`uuid.rfc4122("x")`,
		`uuid.parse("00000000-0000-0000-0000-000000000000")`,
		`crypto.x509.parse_and_verify_certificates("x")`,
		`crypto.x509.parse_certificates("x")`,
		`io.jwt.decode_verify("x", {"secret": "k"})`,
		`providers.aws.sign_req({}, {}, 0)`,
		`trace("x")`,
	} {
		name := strings.SplitN(call, "(", 2)[0]
		cases = append(cases, regoCase("rego builtin "+name, call, "not allowed"))
	}
	cases = append(cases,
		regoCase("rego huge range", `count(numbers.range(1, 1000000000))`, "limit"),
		regoCase("rego huge range_step", `count(numbers.range_step(1, 1000000000000, 2))`, "limit"),
		regoCase("rego comprehension product", `count([1 | some i in numbers.range(1, 200000); some j in numbers.range(1, 200000)])`, "limit"),
		regoCase("rego set comprehension product", `count({[i, j] | some i in numbers.range(1, 200000); some j in numbers.range(1, 200000)})`, "limit"),
		regoCase("rego object comprehension", `count({sprintf("%d", [i]): numbers.range(1, 1000) | some i in numbers.range(1, 200000)})`, "limit"),
		regoCase("rego walk over a big object", `count([p | walk({sprintf("%d", [i]): numbers.range(1, 100) | some i in numbers.range(1, 200000)}, [p, _])])`, "limit"),
		regoCase("rego string doubling", regoDoubling(40), "limit"),
		regoCase("rego replace blow-up", `count(replace(concat("", [c | some _ in numbers.range(1, 50000); c := "ab"]), "", "xxxxxxxxxxxxxxxxxxxxxxxx"))`, "limit"),
		regoCase("rego sprintf width", `count(sprintf("%0999999d%0999999d%0999999d", [1, 2, 3]))`, "limit"),
		regoCase("rego regex blow-up", `count([1 | some _ in numbers.range(1, 200000); regex.match("^(a+)+$", concat("", ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "b"]))])`, "limit"),
		regoCase("rego regex too large", `regex.match("((((a{1000}){1000}){1000}){1000})", "a")`, "regex"),
		hostileCase{name: "rego deep recursion", fsys: func(*testing.T, string) fs.FS {
			return fstest.MapFS{
				".manifest":        regoOverlay("1")[".manifest"],
				"eligibility.rego": {Data: []byte("package dsr.eligibility\n\nf(n) := f(n + 1)\n\nx := f(0)\n\ndecision := {\"eligible\": x == -1, \"reasons\": []}\n")},
			}
		}, file: "eligibility.rego", want: "recursi"},
		regoCase("rego deep nesting", strings.Repeat("(", 20000)+"1"+strings.Repeat(")", 20000), "eligibility.rego"),
		harmless(celCase("cel nested unroll 3", nestedExists(3), "rating.cel")),
		harmless(celCase("cel nested unroll 4", nestedExists(4), "rating.cel")),
		harmless(celCase("cel nested unroll 5", nestedExists(5), "rating.cel")),
		harmless(celCase("cel nested unroll 6", nestedExists(6), "rating.cel")),
		celCase("cel exponential comprehension", `{"rating": lists.range(as_of).map(i, lists.range(as_of).map(j, lists.range(as_of).map(k, i + j + k))).size() > 0 ? "red" : "green", "reasons": []}`, "cost limit"),
		celCase("cel string doubling", doubling(`"xxxxxxxxxxxxxxxx"`, "+", 40), "cost limit"),
		harmless(celCase("cel list doubling", doubling(`[1, 2, 3, 4, 5, 6, 7, 8]`, "+", 40), "cost limit")),
		celCase("cel deep nesting", `{"rating": `+strings.Repeat("(", 20000)+`"red"`+strings.Repeat(")", 20000)+`, "reasons": []}`, "rating.cel"),
		celCriteriaCase("cel lazy point exponential comprehension", `{"met": lists.range(100000).map(i, lists.range(100000).map(j, i + j)).size() > 0, "unmet": ["crisis"], "reasons": []}`, "cost limit"),
		celCriteriaCase("cel lazy point runaway loop", `{"met": lists.range(100000).all(i, lists.range(100000).all(j, i + j >= 0)), "unmet": ["crisis"], "reasons": []}`, "cost limit"),
		eagerRefused(celCriteriaCase("cel lazy point deep nesting", `{"met": `+strings.Repeat("(", 20000)+`true`+strings.Repeat(")", 20000)+`, "unmet": [], "reasons": []}`, "criteria.cel")),
		harmless(celCase("cel regex blow-up", `{"rating": lists.range(as_of).all(i, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab".matches("^(a+)+$")) ? "red" : "green", "reasons": []}`, "cost limit")),
		hostileCase{name: "symlink out of the bundle", file: "evil.rego", want: "symbolic link", fsys: fsOverlay(func(t *testing.T, dir string) {
			outside := filepath.Join(t.TempDir(), "outside.rego")
			mustT(t, os.WriteFile(outside, []byte("package dsr.evil\n"), 0o644))
			mustT(t, os.Symlink(outside, filepath.Join(dir, "evil.rego")))
		})},
		hostileCase{name: "symlink inside the bundle", file: "again.rego", want: "symbolic link", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, os.Symlink("extra.rego", filepath.Join(dir, "again.rego")))
		})},
		hostileCase{name: "symlinked folder", file: "lib", want: "symbolic link", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, os.Symlink("/etc", filepath.Join(dir, "lib")))
		})},
		hostileCase{name: "dev zero", file: "params/data.json", want: "symbolic link", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, os.Remove(filepath.Join(dir, "params/data.json")))
			mustT(t, os.Symlink("/dev/zero", filepath.Join(dir, "params/data.json")))
		})},
		hostileCase{name: "device", file: "zero.rego", want: "device", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, syscall.Mknod(filepath.Join(dir, "zero.rego"), syscall.S_IFCHR|0o644, 1<<8|5))
		})},
		hostileCase{name: "FIFO", file: "fifo.rego", want: "FIFO", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, syscall.Mkfifo(filepath.Join(dir, "fifo.rego"), 0o644))
		})},
		hostileCase{name: "FIFO manifest", file: ".manifest", want: "FIFO", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, os.Remove(filepath.Join(dir, ".manifest")))
			mustT(t, syscall.Mkfifo(filepath.Join(dir, ".manifest"), 0o644))
		})},
		hostileCase{name: "100 MB file", file: "extra.rego", want: "limit", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, os.Truncate(filepath.Join(dir, "extra.rego"), 100<<20)) // sparse
		})},
		hostileCase{name: "dotdot decision point", file: "../outside.rego", want: "not found", fsys: fsOverlay(func(t *testing.T, dir string) {
			mustT(t, os.WriteFile(filepath.Join(dir, ".manifest"), []byte(`{"metadata": {"name": "hostile", "version": "0.0.1", "extends": "national-2023",
				"description": "hostile", "sources": ["test"], "decision_points": {"rating": "../outside.rego"}}}`), 0o644))
		})},
	)
	return cases
}

// Every hostile bundle is refused at load or stopped at assessment within
// hostileBudget, with an error that names the file and the limit or
// reason, and matches ErrBadBundle or ErrEvaluation.
func TestHostileBundles(t *testing.T) {
	cases := hostileCases()
	if len(cases) < 30 {
		t.Fatalf("%d hostile bundles, want at least 30", len(cases))
	}
	paths := []struct {
		name string
		opts []policies.Option
	}{
		{"optimised", nil}, // optional CEL points compiled at their first use
		{"plain", []policies.Option{policies.WithOptimize(false)}},
		{"eager", []policies.Option{policies.WithEagerCompile(true)}},
	}
	// scripts/hostile-bundles.sh measures one path per process.
	if only := os.Getenv("DSR_HOSTILE_PATH"); only != "" {
		paths = slices.DeleteFunc(paths, func(p struct {
			name string
			opts []policies.Option
		}) bool {
			return p.name != only
		})
		if len(paths) == 0 {
			t.Fatalf("DSR_HOSTILE_PATH=%s: no such path", only)
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range paths {
				fsys := c.fsys(t, t.TempDir())
				start := time.Now()
				atLoad, err := loadAndAssess(t, fsys, path.opts...)
				took := time.Since(start)
				if err == nil && c.harmless {
					t.Logf("%s, %v: loaded and assessed (harmless)", path.name, took.Round(time.Millisecond))
					if took > hostileBudget {
						t.Errorf("%s: took %v, over %v", path.name, took, hostileBudget)
					}
					continue
				}
				if err == nil {
					t.Fatalf("%s: the hostile bundle loaded and assessed", path.name)
				}
				t.Logf("%s, %v: %.300s", path.name, took.Round(time.Millisecond), err)
				if took > hostileBudget {
					t.Errorf("%s: took %v, over %v", path.name, took, hostileBudget)
				}
				if c.eagerRefused && path.name == "eager" && !atLoad {
					t.Errorf("eager: Load accepted the bundle; its first use refused it: %v", err)
				}
				if !errors.Is(err, policies.ErrBadBundle) && !errors.Is(err, policies.ErrEvaluation) {
					t.Errorf("error %v matches neither ErrBadBundle nor ErrEvaluation", err)
				}
				if !strings.Contains(err.Error(), c.file) || !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %.500q does not name %s and %q", err, c.file, c.want)
				}
			}
		})
	}
}

// loadAndAssess loads the bundle, assesses a case and decides the Blue
// Light criteria (the first use of a lazily compiled point); atLoad says
// whether Load failed.
func loadAndAssess(t *testing.T, fsys fs.FS, opts ...policies.Option) (atLoad bool, err error) {
	ctx := context.Background()
	e, err := policies.Load(ctx, fsys, opts...)
	if err != nil {
		return true, err
	}
	if _, err = e.Assess(ctx, someCase(t)); err != nil {
		return false, err
	}
	_, err = policies.BlueLightRules(e).Criteria(ctx, bluelight.CriteriaInput{UnexpectedCrisis: true, NoTimeForCETR: true, KnownToServices: true})
	return false, err
}

func mustT(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
