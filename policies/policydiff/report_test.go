package policydiff_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/testtools"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
)

func load(t testing.TB, fsys fs.FS) *policies.Engine {
	t.Helper()
	e, err := policies.Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func profile(t testing.TB, name string) *policies.Engine {
	t.Helper()
	fsys, err := policies.Bundle(name)
	if err != nil {
		t.Fatal(err)
	}
	return load(t, fsys)
}

func wiltshire(t testing.TB) *policies.Engine {
	return load(t, os.DirFS("../../examples/policies/wiltshire"))
}

func run(t testing.TB, old, new *policies.Engine, src policydiff.Source) *policydiff.Report {
	t.Helper()
	rep, err := policydiff.Run(context.Background(), old, new, src, fixedClock())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func generated(n int) policydiff.Generated {
	return policydiff.Generated{Gen: policycheck.NewGenerator(policycheck.DefaultMix, 5), N: n}
}

func text(t testing.TB, rep *policydiff.Report) (txt, html string) {
	t.Helper()
	var a, b bytes.Buffer
	if err := rep.WriteText(&a); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String()
}

// The report says what differs between the bundles: Wiltshire's
// parameters old → new and no rule file; BLMK's eligibility point in CEL
// for national-2023's Rego; a library module an overlay adds, or removes
// the other way round.
func TestBundleChanges(t *testing.T) {
	national, wilts := profile(t, "national-2023"), wiltshire(t)
	rep := run(t, national, wilts, generated(50))
	got := map[string][2]string{}
	for _, p := range rep.Bundles.Params {
		got[p.Name] = [2]string{p.Old, p.New}
	}
	for name, want := range map[string][2]string{
		"age_max":                  {"null", "17"},
		"review_cadence.red.n":     {"14", "21"},
		"review_cadence.green.n":   {"91", "21"},
		"post_admission.cetr.unit": {`"days"`, `"working_days"`},
	} {
		if got[name] != want {
			t.Errorf("parameter %s: %q, want %q", name, got[name], want)
		}
	}
	if _, ok := got["review_cadence.red.unit"]; ok {
		t.Error("review_cadence.red.unit is the same under both, yet listed")
	}
	if b := rep.Bundles; len(b.Added)+len(b.Removed)+len(b.Changed) != 0 {
		t.Errorf("Wiltshire changes no rule file: %+v", b)
	}
	txt, html := text(t, rep)
	for _, want := range []string{"What changed in the rules", "review_cadence.red.n: 14 → 21", "age_max: null → 17"} {
		if !strings.Contains(txt, want) {
			t.Errorf("the text lacks %q", want)
		}
	}
	if !strings.Contains(html, "<code>review_cadence.red.n</code></td><td><code>14</code></td><td><code>21</code>") {
		t.Error("the HTML lacks review_cadence.red.n 14 → 21")
	}

	blmk := load(t, os.DirFS("../../examples/policies/blmk"))
	rep = run(t, national, blmk, generated(20))
	if c := rep.Bundles.Changed; len(c) != 1 || c[0].Old.Point != "eligibility" || c[0].Old.Name != "eligibility.rego" || c[0].Old.From != "national-2023" ||
		c[0].New.Name != "eligibility.cel" || c[0].New.From != "blmk" {
		t.Errorf("national-2023 → blmk: changed %+v, want eligibility.rego → blmk's eligibility.cel", c)
	}
	// BLMK's inclusion list is its own criteria.
	if p := rep.Bundles.Params; len(p) != 1 || p[0].Name != "criteria" || !strings.Contains(p[0].New, "mha_or_dols") || len(rep.Bundles.Added)+len(rep.Bundles.Removed) != 0 {
		t.Errorf("national-2023 → blmk: %+v", rep.Bundles)
	}

	// Wiltshire with a helper module of its own.
	overlay := fstest.MapFS{}
	err := fs.WalkDir(os.DirFS("../../examples/policies/wiltshire"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(p, "testdata") {
			return err
		}
		b, err := os.ReadFile(filepath.Join("../../examples/policies/wiltshire", p))
		overlay[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	overlay["helpers.rego"] = &fstest.MapFile{Data: []byte("package dsr.wiltshire_helpers\n\nanswer := 42\n")}
	helped := load(t, overlay)
	rep = run(t, wilts, helped, generated(20))
	if a := rep.Bundles.Added; len(a) != 1 || a[0].Name != "helpers.rego" || a[0].Point != "" || a[0].From != "wiltshire" {
		t.Errorf("added %+v, want wiltshire's helpers.rego", a)
	}
	if len(rep.Bundles.Params) != 0 || !slices.Equal(rep.Bundles.Removed, []policies.RuleFile{}) {
		t.Errorf("%+v", rep.Bundles)
	}
	rep = run(t, helped, wilts, generated(20))
	if r := rep.Bundles.Removed; len(r) != 1 || r[0].Name != "helpers.rego" {
		t.Errorf("removed %+v, want helpers.rego", r)
	}
	txt, _ = text(t, rep)
	if !strings.Contains(txt, "Rule file removed: helpers.rego (from wiltshire)") {
		t.Errorf("the text does not name the removed file:\n%s", txt)
	}

	rep = run(t, national, national, generated(20))
	if !rep.Bundles.Empty() {
		t.Errorf("a bundle against itself: %+v", rep.Bundles)
	}
}

// outcome is one case's assessments under both bundles, as the test works
// them out itself.
type outcome struct {
	c    dsr.Case
	a, b dsr.Assessment
}

func outcomes(t *testing.T, old, new *policies.Engine, src policydiff.Source) []outcome {
	t.Helper()
	ctx := context.Background()
	out := make([]outcome, src.Len())
	for i := range out {
		c, _, err := src.Case(i)
		if err != nil {
			t.Fatal(err)
		}
		a, err := old.Assess(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		b, err := new.Assess(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = outcome{c, a, b}
	}
	return out
}

// losesProtection is the report's rule, worked out again: the suggested
// rating falls, eligibility, consent or the register place is lost, or an
// action (kind and cause date) is no longer due while the rating does not
// rise.
func losesProtection(o outcome) bool {
	a, b := o.a, o.b
	fell := a.Rating != dsr.Unrated && a.Rating != b.Rating &&
		(b.Rating == dsr.Unrated || (a.Rating != dsr.Blue && b.Rating != dsr.Blue && b.Rating.Severity() < a.Rating.Severity()))
	if fell || (a.Eligible && !b.Eligible) || (a.Consent.Valid && !b.Consent.Valid) || (a.OnRegister && !b.OnRegister) {
		return true
	}
	rose := a.Rating != b.Rating && b.Rating != dsr.Unrated &&
		(a.Rating == dsr.Unrated || (a.Rating != dsr.Blue && b.Rating != dsr.Blue && b.Rating.Severity() > a.Rating.Severity()))
	for _, x := range a.Actions {
		if !rose && !slices.ContainsFunc(b.Actions, func(y dsr.Action) bool { return y.Kind == x.Kind && y.From == x.From }) {
			return true
		}
	}
	return false
}

// The people who lose protection are counted and listed first: the count
// and the first people are those the test works out itself; every change
// that takes protection away comes before any other; RED → AMBER under
// Wiltshire's eligibility is a loss, and so is a review no longer due.
func TestLoseProtectionFirst(t *testing.T) {
	t.Run("a higher rating's actions replace the lower's", func(t *testing.T) {
		kr := load(t, os.DirFS("../../examples/policies/kingston-richmond"))
		crisis := load(t, os.DirFS("../../examples/policies/changes/kingston-richmond-crisis-red"))
		rep := run(t, kr, crisis, generated(6000))
		removed := false
		for _, c := range rep.Changes {
			if c.LosesProtection {
				t.Errorf("%s %s marked as a loss: ratings only rise", c.Kind, c.What)
			}
			removed = removed || strings.HasSuffix(c.What, " removed")
		}
		if !removed || rep.LoseProtection.People != 0 {
			t.Errorf("want actions removed yet nobody losing protection: %d lose", rep.LoseProtection.People)
		}
	})
	national, wilts := profile(t, "national-2023"), wiltshire(t)
	src := generated(800)
	rep := run(t, national, wilts, src)
	var want []int
	for i, o := range outcomes(t, national, wilts, src) {
		if losesProtection(o) {
			want = append(want, i)
		}
	}
	if rep.LoseProtection.People != len(want) || len(want) == 0 {
		t.Fatalf("%d lose protection, want %d (and some)", rep.LoseProtection.People, len(want))
	}
	var got []int
	for _, e := range rep.LoseProtection.Examples {
		got = append(got, e.Index)
		if len(e.Losses) == 0 || len(e.Reasons) == 0 || e.Reasons[0].Message == "" {
			t.Errorf("#%d: no loss or reason in words: %+v", e.Index, e)
		}
	}
	if !slices.Equal(got, want[:5]) {
		t.Errorf("first people losing protection %v, want %v", got, want[:5])
	}
	seenOther := false
	kinds := map[string]bool{}
	for _, c := range rep.Changes {
		if !c.LosesProtection {
			seenOther = true
			continue
		}
		if seenOther {
			t.Errorf("%s %s takes protection away but comes after a change that does not", c.Kind, c.What)
		}
		kinds[c.Kind+" "+c.What] = true
	}
	for _, k := range []string{"rating red→not eligible", "eligibility lost", "register lost", "action dsr_review removed"} {
		if !kinds[k] {
			t.Errorf("%q is not marked as losing protection (%v)", k, kinds)
		}
	}
	for _, c := range rep.Changes {
		if c.What == "dsr_review moved" && c.LosesProtection {
			t.Error("a review moved is marked as a loss")
		}
	}
	txt, html := text(t, rep)
	if i, j := strings.Index(txt, "People who lose protection"), strings.Index(txt, "Ratings (rows"); i < 0 || j < i {
		t.Error("the text does not list the people who lose protection before the ratings")
	}
	if i, j := strings.Index(html, "People who lose protection"), strings.Index(html, "Rating transitions"); i < 0 || j < i {
		t.Error("the HTML does not list the people who lose protection before the ratings")
	}
}

// Nobody with no rating is called "none": the matrix, the changes and the
// breakdowns say "not eligible".
func TestNotEligibleNotNone(t *testing.T) {
	rep := run(t, profile(t, "national-2023"), wiltshire(t), generated(400))
	txt, html := text(t, rep)
	found := false
	for _, tr := range rep.Transitions {
		if tr.From == "none" || tr.To == "none" {
			t.Errorf("transition %+v", tr)
		}
		found = found || tr.To == "not eligible"
	}
	if !found {
		t.Error("no transition to not eligible")
	}
	for _, c := range rep.Changes {
		if strings.Contains(c.What, "none") {
			t.Errorf("change %q", c.What)
		}
	}
	if !slices.ContainsFunc(rep.Changes, func(c policydiff.Change) bool { return c.What == "red→not eligible" }) {
		t.Error("no red→not eligible change")
	}
	for name, s := range map[string]string{"text": txt, "HTML": html} {
		if strings.Contains(s, "none") {
			i := strings.Index(s, "none")
			t.Errorf("the %s says none: …%s…", name, s[max(0, i-60):min(len(s), i+20)])
		}
		if !strings.Contains(s, "not eligible") {
			t.Errorf("the %s never says not eligible", name)
		}
	}
}

// Every rule responsible for a change has its finding in words, the
// lowest-numbered person's, beside its id; Wiltshire's age limit is the
// cause of eligibility lost, in its own words.
func TestCausesInWords(t *testing.T) {
	national, wilts := profile(t, "national-2023"), wiltshire(t)
	src := generated(600)
	rep := run(t, national, wilts, src)
	outs := outcomes(t, national, wilts, src)
	for _, c := range rep.Changes {
		for _, rc := range c.Rules {
			if rc.Reason == "" {
				t.Errorf("%s %s: %s has no words", c.Kind, c.What, rc.Rule)
			}
		}
		for _, e := range c.Examples {
			if len(e.Reasons) != len(e.Rules) {
				t.Errorf("%s %s #%d: rules %v, reasons %v", c.Kind, c.What, e.Index, e.Rules, e.Reasons)
			}
		}
	}
	i := slices.IndexFunc(rep.Changes, func(c policydiff.Change) bool { return c.Kind == "eligibility" && c.What == "lost" })
	if i < 0 {
		t.Fatal("nobody loses eligibility under Wiltshire")
	}
	lost := rep.Changes[i]
	if len(lost.Rules) != 1 || lost.Rules[0].Rule != "R-ELIG-1" || lost.Rules[0].Count != lost.Count {
		t.Fatalf("eligibility lost: rules %+v", lost.Rules)
	}
	// The words are those of the lowest-numbered person's new R-ELIG-1
	// finding under Wiltshire (the first in order, if there are several).
	o := outs[lost.Examples[0].Index]
	var want string
	for _, r := range o.b.Reasons {
		if r.Rule == "R-ELIG-1" && !slices.Contains(o.a.Reasons, r) && (want == "" || r.Message < want) {
			want = r.Message
		}
	}
	if lost.Rules[0].Reason != want || !strings.Contains(want, "17") {
		t.Errorf("eligibility lost: %q, want %q (Wiltshire's maximum age 17)", lost.Rules[0].Reason, want)
	}
	txt, html := text(t, rep)
	if !strings.Contains(txt, want+" (R-ELIG-1, ") {
		t.Errorf("the text does not give %q beside R-ELIG-1", want)
	}
	if !strings.Contains(html, template(want)+` <span class="rule">R-ELIG-1, `) {
		t.Errorf("the HTML does not give %q beside R-ELIG-1", want)
	}
}

// template escapes s as html/template writes text.
func template(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

// The breakdowns by age band and by rating of record count what the test
// counts itself: each person in the band of their age on the day assessed
// and the row of their rating of record under the old bundle.
func TestBreakdowns(t *testing.T) {
	national, wilts := profile(t, "national-2023"), wiltshire(t)
	src := generated(700)
	rep := run(t, national, wilts, src)
	type counts struct{ people, lose int }
	age, rating := map[string]counts{}, map[string]counts{}
	for _, o := range outcomes(t, national, wilts, src) {
		years := o.c.Person.AgeOn(o.c.AsOf)
		band := "26 and over"
		switch {
		case years <= 13:
			band = "under 14"
		case years <= 15:
			band = "14–15"
		case years <= 17:
			band = "16–17"
		case years <= 25:
			band = "18–25"
		}
		r := o.a.RatingOfRecord.String()
		if r == "" {
			r = "not eligible"
		}
		l := 0
		if losesProtection(o) {
			l = 1
		}
		age[band] = counts{age[band].people + 1, age[band].lose + l}
		rating[r] = counts{rating[r].people + 1, rating[r].lose + l}
	}
	if len(rep.ByAgeBand) != len(policydiff.AgeBands) {
		t.Fatalf("%d age bands", len(rep.ByAgeBand))
	}
	sum := 0
	for i, g := range rep.ByAgeBand {
		if g.Group != policydiff.AgeBands[i] || g.People != age[g.Group].people || g.LoseProtection != age[g.Group].lose {
			t.Errorf("age band %+v, want %s %+v", g, policydiff.AgeBands[i], age[g.Group])
		}
		sum += g.People
	}
	if sum != rep.Assessed {
		t.Errorf("the age bands hold %d, %d assessed", sum, rep.Assessed)
	}
	// Wiltshire's register ends at 17: nobody under 18 loses eligibility,
	// everybody over 17 on the national register does.
	for _, g := range rep.ByAgeBand[3:] {
		if g.LoseProtection == 0 {
			t.Errorf("%s: nobody loses protection", g.Group)
		}
	}
	for _, g := range rep.ByRating {
		if g.People != rating[g.Group].people || g.LoseProtection != rating[g.Group].lose {
			t.Errorf("rating of record %+v, want %+v", g, rating[g.Group])
		}
	}
	txt, html := text(t, rep)
	for _, want := range []string{"By age band", "By rating of record", "under 14", "26 and over"} {
		if !strings.Contains(txt, want) || !strings.Contains(html, want) {
			t.Errorf("the text or HTML lacks %q", want)
		}
	}
}

// Cases assessed on one date (register cases, --as-of): the report and
// every person shown carry that date, so `--case I` and `dsr assess`
// give what the report shows.
func TestExamplesCarryTheRunsAsOf(t *testing.T) {
	asOf := calendar.NewDate(2026, time.November, 2)
	g := policycheck.NewGenerator(policycheck.DefaultMix, 9)
	var cases policydiff.Cases
	for i := 0; len(cases.List) < 300; i++ {
		c := g.Case(i)
		if c.AsOf.Compare(asOf) > 0 {
			continue // events after asOf: not a case of that day
		}
		c.AsOf = asOf
		if c.Validate() != nil {
			continue
		}
		cases.List = append(cases.List, c)
	}
	rep := run(t, profile(t, "national-2023"), wiltshire(t), cases)
	if rep.AsOf != "2026-11-02" {
		t.Fatalf("report as_of %q", rep.AsOf)
	}
	n := 0
	for _, c := range rep.Changes {
		for _, e := range c.Examples {
			n++
			if e.AsOf != rep.AsOf {
				t.Errorf("%s %s #%d as of %s", c.Kind, c.What, e.Index, e.AsOf)
			}
		}
	}
	if n == 0 {
		t.Fatal("no examples")
	}
	txt, _ := text(t, rep)
	if !strings.Contains(txt, "Every case assessed as of 2026-11-02") {
		t.Error("the text does not say the run's date")
	}
	// Generated cases have dates of their own: no date for the run.
	if rep := run(t, profile(t, "national-2023"), wiltshire(t), generated(50)); rep.AsOf != "" {
		t.Errorf("generated cases: as_of %q", rep.AsOf)
	}
}

// TestPolicyDiffHTMLArtifact writes the report of national-2023 → the
// Wiltshire overlay over generated cases to $DSR_ARTIFACTS/policy-diff.html
// (default <repo>/test-artifacts), for the browser test's screenshot and
// for people to look at, and checks what it opens with.
func TestPolicyDiffHTMLArtifact(t *testing.T) {
	rep := run(t, profile(t, "national-2023"), wiltshire(t), generated(2000))
	_, html := text(t, rep)
	for _, want := range []string{"What changed in the rules", "People who lose protection", "By age band", "not eligible", "R-ELIG-1"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML lacks %q", want)
		}
	}
	testtools.SaveArtifact(t, "policy-diff.html", []byte(html))
}
