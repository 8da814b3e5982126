package register_test

import (
	"errors"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// The helpers of package cetr's tests that the tests of the review
// plug-in use. Every person here is synthetic.

func d(s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	return calendar.MustParseDate(s)
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London)
	if err != nil {
		panic(err)
	}
	return t
}

const commissioner = "Commissioner A"

// panelOf returns a valid panel: the commissioner chairs, with an independent
// clinical expert and expert by experience trained until the end of 2026.
func panelOf(extra ...cetr.Member) []cetr.Member {
	return append([]cetr.Member{
		{Name: commissioner, Role: cetr.Chair},
		{Name: "Clinical Expert B", Role: cetr.ClinicalExpert, TrainingExpires: d("2026-12-31")},
		{Name: "Expert C", Role: cetr.ExpertByExperience, TrainingExpires: d("2026-12-31")},
	}, extra...)
}

var teacher = cetr.Member{Name: "Teacher D", Role: cetr.Education}

// child is Person A, aged 14 in 2026.
func child() dsr.Person {
	return dsr.Person{ID: "person-a", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: d("2011-06-10"), Autism: true, LocalAuthority: "Borough A"}
}

// adult is Person B, aged 30 in 2026.
func adult() dsr.Person {
	return dsr.Person{ID: "person-b", NHSNumber: dsr.TestNHSNumber(2), DateOfBirth: d("1996-01-15"), LearningDisability: true, LocalAuthority: "Borough B"}
}

func plan(p dsr.Person, k cetr.Kind, planned string) cetr.Plan {
	return cetr.Plan{ID: "review-1", Person: p, Kind: k, Planned: d(planned), Commissioner: commissioner}
}

func mustNew(t testing.TB, p cetr.Plan) *cetr.Review {
	t.Helper()
	r, err := cetr.New(p, cetr.DefaultParams())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

func recordAll(t testing.TB, r *cetr.Review) {
	t.Helper()
	for _, l := range cetr.KLOEs {
		if err := r.Record(l, "Finding under "+l.Title()); err != nil {
			t.Fatalf("Record %s: %v", l, err)
		}
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// heldReview is a community CETR for Person A held on 2 March 2026 with
// consent, a valid panel and every finding.
func heldReview(t testing.TB) *cetr.Review {
	t.Helper()
	r := mustNew(t, plan(child(), cetr.Community, "2026-03-02"))
	must(t, r.SetConsent(cetr.Consent{Asked: d("2026-02-10"), Given: d("2026-02-12"), GivenBy: dsr.ByParent}))
	must(t, r.SetPanel(panelOf(teacher)...))
	must(t, r.SendPapers(at("2026-02-27 09:00")))
	recordAll(t, r)
	must(t, r.Hold(d("2026-03-02"), cetr.StayInCommunity, ""))
	return r
}

// fields returns the field of every error joined in err.
func fields(err error) []string {
	var out []string
	var walk func(error)
	walk = func(e error) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			for _, x := range j.Unwrap() {
				walk(x)
			}
			return
		}
		var ve *dsr.ValidationError
		var pe *cetr.PanelError
		var re *cetr.RecipientError
		switch {
		case errors.As(e, &pe):
			out = append(out, pe.Field)
		case errors.As(e, &re):
			out = append(out, re.Field+":"+string(re.Role))
		case errors.As(e, &ve):
			out = append(out, ve.Field)
		default:
			out = append(out, "?"+e.Error())
		}
	}
	if err != nil {
		walk(err)
	}
	return out
}
