package docs

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// root is the repository, seen from this package's folder.
const root = ".."

// ruleID matches a rule id where it starts a word, so that "CTR-2017" is
// not read as one. A family written with a trailing hyphen ("R-RAG-*",
// "R-RAG-" + rating) matches as its prefix.
var ruleID = regexp.MustCompile(`\bR-[A-Z0-9]+(?:-[A-Z0-9]+)*`)

// localLink matches a link within a page to one of its own headings.
var localLink = regexp.MustCompile(`\]\(#([A-Za-z0-9_-]*)\)`)

// pages are the documents whose anchors other files link to.
var pages = []string{"rules.md", "architecture.md", "changing-rules.md"}

// idExts are the files whose rule ids must resolve. A bundle's .manifest
// (OPA's name for it) is JSON.
var idExts = []string{".go", ".rego", ".cel", ".json", ".md", ".manifest"}

// textExts are the files searched for pointers outside the repository.
var textExts = append([]string{".yml", ".yaml", ".txt", ".sql", ".sh", ".html", ".tmpl", ".toml", ".mod"}, idExts...)

// outside are the names of files that lived beside the repository, not in
// it. They are split so that this file does not name them itself.
var outside = []string{
	"DOMAIN" + ".md",
	"DESIGN" + ".md",
	"STYLE" + ".md",
	"ENGINES" + ".md",
	".." + "/shared",
}

// reference is what rules.md defines: its rule-id headings and every
// heading's anchor.
type reference struct {
	ids     map[string]bool
	anchors map[string]bool
}

// parseReference reads the headings of a page. A heading whose anchor is
// taken gets GitHub's suffix (-1, -2, ...) and is reported, so that in
// rules.md an anchor always means one place.
func parseReference(md []byte) (reference, []string) {
	ref := reference{ids: map[string]bool{}, anchors: map[string]bool{}}
	var problems []string
	inFence := false
	for i, line := range strings.Split(string(md), "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		text := strings.TrimSpace(strings.TrimLeft(line, "#"))
		a := anchor(text)
		if ref.anchors[a] {
			problems = append(problems, fmt.Sprintf("line %d: heading %q repeats the anchor #%s", i+1, text, a))
			base := a
			for n := 1; ref.anchors[a]; n++ {
				a = fmt.Sprintf("%s-%d", base, n)
			}
		}
		ref.anchors[a] = true
		if ruleID.FindString(text) == text {
			ref.ids[text] = true
		}
	}
	return ref, problems
}

// anchor is the anchor GitHub gives a heading: lower case, punctuation
// other than hyphens and underscores dropped, spaces made hyphens.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// resolves reports whether id has a heading, or is a family (R-TIME,
// R-RAG-ACT) of which at least one rule has a heading.
func (ref reference) resolves(id string) bool {
	if ref.ids[id] {
		return true
	}
	for h := range ref.ids {
		if strings.HasPrefix(h, id+"-") {
			return true
		}
	}
	return false
}

// unknownIDs lists, as file:line, the rule ids in content with no heading.
func (ref reference) unknownIDs(name string, content []byte) []string {
	var problems []string
	for i, line := range bytes.Split(content, []byte("\n")) {
		for _, id := range ruleID.FindAll(line, -1) {
			if !ref.resolves(string(id)) {
				problems = append(problems, fmt.Sprintf("%s:%d: %s has no heading in docs/rules.md", name, i+1, id))
			}
		}
	}
	return problems
}

// brokenAnchors lists, as file:line, the links to headings of the page
// docs/<page> that do not exist. In the page itself, links to its own
// headings are checked.
func (ref reference) brokenAnchors(name string, content []byte, page string) []string {
	link := regexp.MustCompile(`\b` + regexp.QuoteMeta(page) + `#([A-Za-z0-9_-]+)`)
	if name == "docs/"+page {
		link = localLink
	}
	var problems []string
	for i, line := range bytes.Split(content, []byte("\n")) {
		for _, m := range link.FindAllSubmatch(line, -1) {
			if !ref.anchors[string(m[1])] {
				problems = append(problems, fmt.Sprintf("%s:%d: docs/%s has no heading #%s", name, i+1, page, m[1]))
			}
		}
	}
	return problems
}

// outsideRefs lists, as file:line, the text in content that points at a
// file outside the repository.
func outsideRefs(name string, content []byte) []string {
	var problems []string
	for i, line := range bytes.Split(content, []byte("\n")) {
		for _, o := range outside {
			if bytes.Contains(line, []byte(o)) {
				problems = append(problems, fmt.Sprintf("%s:%d: %q is outside the repository; cite docs/rules.md or docs/architecture.md", name, i+1, o))
			}
		}
	}
	return problems
}

// repoFile is one file of the repository, named from its root.
type repoFile struct {
	name    string
	content []byte
}

// walkRepo returns the repository's files with one of exts, skipping .git
// (a folder, or a file in a git worktree) and what is not the project's
// own: node_modules (npm ci's test-time packages) and test-artifacts (what
// the tests write for CI to keep).
func walkRepo(t *testing.T, exts []string) []repoFile {
	t.Helper()
	var files []repoFile
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (d.Name() == "node_modules" || d.Name() == "test-artifacts") {
			return filepath.SkipDir
		}
		if d.Name() == ".git" {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !slices.Contains(exts, filepath.Ext(path)) {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		files = append(files, repoFile{name: filepath.ToSlash(rel), content: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no files found under %s", root)
	}
	return files
}

func loadReference(t *testing.T) reference { return loadPage(t, "rules.md") }

func loadPage(t *testing.T, page string) reference {
	t.Helper()
	md, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	ref, problems := parseReference(md)
	if page == "rules.md" {
		for _, p := range problems {
			t.Errorf("docs/%s: %s", page, p)
		}
	}
	return ref
}

// TestRuleIDsHaveHeadings: every rule id cited anywhere in the repository
// has a heading in rules.md.
func TestRuleIDsHaveHeadings(t *testing.T) {
	ref := loadReference(t)
	// The reference has an entry for each rule of every family; a handful
	// would mean the headings are no longer being read.
	if len(ref.ids) < 50 {
		t.Fatalf("docs/rules.md has %d rule headings, want at least 50: are they still '### R-…'?", len(ref.ids))
	}
	seen := 0
	for _, f := range walkRepo(t, idExts) {
		seen += len(ruleID.FindAll(f.content, -1))
		for _, p := range ref.unknownIDs(f.name, f.content) {
			t.Error(p)
		}
	}
	if seen < 1000 {
		t.Errorf("found %d rule ids in the repository, want more than 1,000: is the walk reading the bundles?", seen)
	}
}

// TestDocAnchorsResolve: every link to a heading of rules.md (or of the
// other pages in docs) leads to one.
func TestDocAnchorsResolve(t *testing.T) {
	files := walkRepo(t, idExts)
	for _, page := range pages {
		ref := loadPage(t, page)
		for _, f := range files {
			for _, p := range ref.brokenAnchors(f.name, f.content, page) {
				t.Error(p)
			}
		}
	}
}

// TestNoReferencesOutsideRepo: no text in the repository points at a file
// outside it.
func TestNoReferencesOutsideRepo(t *testing.T) {
	for _, f := range walkRepo(t, textExts) {
		for _, p := range outsideRefs(f.name, f.content) {
			t.Error(p)
		}
	}
}

// TestCheckersFindProblems: the checks above report what they exist to
// catch, on samples held in memory.
func TestCheckersFindProblems(t *testing.T) {
	// Ids and anchors that must not resolve are split, so that the walk
	// over the repository does not find them here.
	inFence, unknown, lookalike, typo := "R-"+"IN-FENCE", "R-"+"NOPE-1", "R-RAG-"+"RE", "r-rag-"+"bleu"
	ref, problems := parseReference([]byte("# Reference\n\n## Rating\n\n### R-RAG-RED\n\n### R-RAG-ACT-1\n\n```\n### " + inFence + "\n```\n"))
	if len(problems) != 0 {
		t.Fatalf("parseReference: %q", problems)
	}
	if !ref.ids["R-RAG-RED"] || ref.ids[inFence] || !ref.anchors["r-rag-red"] || !ref.anchors["rating"] {
		t.Fatalf("parseReference: ids %v, anchors %v", ref.ids, ref.anchors)
	}
	cases := []struct {
		name string
		got  []string
		want []string
	}{
		{"an unknown id", ref.unknownIDs("x.rego", []byte("a\n# "+unknown+": b\n")),
			[]string{"x.rego:2: " + unknown + " has no heading in docs/rules.md"}},
		{"a known id, a family, a prefix in code, and a word that only ends like an id",
			ref.unknownIDs("x.go", []byte("R-RAG-RED R-RAG-* R-RAG-ACT \"R-RAG-\" + r, CTR-2017")), nil},
		{"an id that only starts like a known one",
			ref.unknownIDs("x.md", []byte(lookalike)), []string{"x.md:1: " + lookalike + " has no heading in docs/rules.md"}},
		{"a broken anchor", ref.brokenAnchors("x.md", []byte("see docs/rules.md#r-rag-red and docs/rules.md#"+typo+"."), "rules.md"),
			[]string{"x.md:1: docs/rules.md has no heading #" + typo}},
		{"a broken anchor within rules.md", ref.brokenAnchors("docs/rules.md", []byte("[a](#rating) [b](#ratings)"), "rules.md"),
			[]string{"docs/rules.md:1: docs/rules.md has no heading #ratings"}},
		{"a file outside the repository", outsideRefs("x.go", []byte("ok\n// see "+outside[0]+" section 2\n")),
			[]string{fmt.Sprintf("x.go:2: %q is outside the repository; cite docs/rules.md or docs/architecture.md", outside[0])}},
	}
	for _, c := range cases {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, problems := parseReference([]byte("### R-RAG-RED\n### R-RAG-RED\n")); len(problems) != 1 {
		t.Errorf("a repeated heading: got %q, want one problem", problems)
	}
	if got := anchor("Worked example 4"); got != "worked-example-4" {
		t.Errorf("anchor = %q, want worked-example-4", got)
	}
}
