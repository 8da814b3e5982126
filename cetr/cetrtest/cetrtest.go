// Package cetrtest holds synthetic fixtures for tests of C(E)TR records:
// dates, a valid panel, two synthetic people (NHS numbers from the 999
// test range) and a held review. Used by the tests of cetr and of the
// register's review plug-in; it imports testing, so only tests use it.
package cetrtest

import (
	"errors"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// Every person here is synthetic.

// Date parses an ISO date; "" is the zero date.
func Date(s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	return calendar.MustParseDate(s)
}

// At parses "2006-01-02 15:04" in Europe/London.
func At(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.London)
	if err != nil {
		panic(err)
	}
	return t
}

// Commissioner chairs every panel here.
const Commissioner = "Commissioner A"

// Panel returns a valid panel: the Commissioner chairs, with an independent
// clinical expert and expert by experience trained until the end of 2026.
func Panel(extra ...cetr.Member) []cetr.Member {
	return append([]cetr.Member{
		{Name: Commissioner, Role: cetr.Chair},
		{Name: "Clinical Expert B", Role: cetr.ClinicalExpert, TrainingExpires: Date("2026-12-31")},
		{Name: "Expert C", Role: cetr.ExpertByExperience, TrainingExpires: Date("2026-12-31")},
	}, extra...)
}

// Teacher is the education member of a CETR panel.
var Teacher = cetr.Member{Name: "Teacher D", Role: cetr.Education}

// Child is Person A, aged 14 in 2026.
func Child() dsr.Person {
	return dsr.Person{ID: "person-a", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: Date("2011-06-10"), Autism: true, LocalAuthority: "Borough A"}
}

// Adult is Person B, aged 30 in 2026.
func Adult() dsr.Person {
	return dsr.Person{ID: "person-b", NHSNumber: dsr.TestNHSNumber(2), DateOfBirth: Date("1996-01-15"), LearningDisability: true, LocalAuthority: "Borough B"}
}

// Plan is review-1 for p, of kind k, planned on the date.
func Plan(p dsr.Person, k cetr.Kind, planned string) cetr.Plan {
	return cetr.Plan{ID: "review-1", Person: p, Kind: k, Planned: Date(planned), Commissioner: Commissioner}
}

// MustNew makes the review with the national parameters.
func MustNew(t testing.TB, p cetr.Plan) *cetr.Review {
	t.Helper()
	r, err := cetr.New(p, cetr.DefaultParams())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// RecordAll records a finding under every key line of enquiry.
func RecordAll(t testing.TB, r *cetr.Review) {
	t.Helper()
	for _, l := range cetr.KLOEs {
		if err := r.Record(l, "Finding under "+l.Title()); err != nil {
			t.Fatalf("Record %s: %v", l, err)
		}
	}
}

// Must fails t on err.
func Must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// HeldReview is a community CETR for Person A held on 2 March 2026 with
// consent, a valid panel and every finding.
func HeldReview(t testing.TB) *cetr.Review {
	t.Helper()
	r := MustNew(t, Plan(Child(), cetr.Community, "2026-03-02"))
	Must(t, r.SetConsent(cetr.Consent{Asked: Date("2026-02-10"), Given: Date("2026-02-12"), GivenBy: dsr.ByParent}))
	Must(t, r.SetPanel(Panel(Teacher)...))
	Must(t, r.SendPapers(At("2026-02-27 09:00")))
	RecordAll(t, r)
	Must(t, r.Hold(Date("2026-03-02"), cetr.StayInCommunity, ""))
	return r
}

// Fields returns the field of every error joined in err.
func Fields(err error) []string {
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
