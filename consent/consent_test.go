package consent_test

import (
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
)

var day = calendar.MustParseDate

func TestWhoMayConsent(t *testing.T) {
	child := consent.Subject{DateOfBirth: day("2011-06-01")} // 14 on 2026-03-01
	competent := consent.Subject{DateOfBirth: day("2011-06-01"), GillickCompetent: true}
	adult := consent.Subject{DateOfBirth: day("1990-01-01")}
	lacking := consent.Subject{DateOfBirth: day("1990-01-01"), LacksCapacity: true}
	on := day("2026-03-01")
	cases := []struct {
		name string
		p    consent.Params
		s    consent.Subject
		by   consent.Giver
		want bool
	}{
		{"R-CONS-2: an adult with capacity consents for themselves", consent.National2023, adult, consent.Self, true},
		{"R-CONS-2: an adult who lacks capacity cannot consent for themselves", consent.National2023, lacking, consent.Self, false},
		{"R-CONS-2: a deputy consents for an adult who lacks capacity", consent.National2023, lacking, consent.Deputy, true},
		{"R-CONS-2: an attorney consents for an adult who lacks capacity", consent.National2023, lacking, consent.Attorney, true},
		{"R-CONS-2: a best-interests decision for an adult who lacks capacity", consent.National2023, lacking, consent.BestInterests, true},
		{"R-CONS-2: a deputy cannot consent for an adult with capacity", consent.National2023, adult, consent.Deputy, false},
		{"R-CONS-2: a parent consents for a child under 16", consent.National2023, child, consent.Parent, true},
		{"R-CONS-2: a parent cannot consent for an adult", consent.National2023, adult, consent.Parent, false},
		{"R-CONS-2: a child not Gillick competent cannot consent (worked example 6)", consent.National2023, child, consent.Self, false},
		{"R-CONS-2: a Gillick-competent child consents where allowed", consent.National2023, competent, consent.Self, true},
		{"R-CONS-2: a Gillick-competent child cannot where the area does not allow it", consent.Params{}, competent, consent.Self, false},
		{"R-CONS-2: best interests is not for a child", consent.National2023, child, consent.BestInterests, false},
		{"R-CONS-2: nobody named is nobody", consent.National2023, adult, "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, why := tc.p.MayConsent(tc.s, tc.by, on)
			if got != tc.want {
				t.Fatalf("MayConsent = %v (%s), want %v", got, why, tc.want)
			}
			if !got && why == "" {
				t.Fatal("a refusal says why")
			}
		})
	}
}

func TestEvaluate(t *testing.T) {
	teen := consent.Subject{DateOfBirth: day("2010-09-15")} // 16 on 2026-09-15
	adult := consent.Subject{DateOfBirth: day("1990-01-01")}
	every365 := consent.National2023
	every365.ReconfirmEvery = &calendar.Deadline{N: 365, Unit: calendar.Days}
	cases := []struct {
		name      string
		p         consent.Params
		s         consent.Subject
		records   []consent.Record
		asOf      string
		valid     bool
		by        consent.Giver
		rule      string
		reconfirm []string // "rule due"
	}{
		{"R-CONS-1: no consent recorded is not valid", consent.National2023, adult, nil, "2026-04-01", false, "", "R-CONS-1", nil},
		{"the zero Record is not a consent", consent.National2023, adult, []consent.Record{{}}, "2026-04-01", false, "", "R-CONS-2", nil},
		{"R-CONS-1: an adult's own consent holds", consent.National2023, adult,
			[]consent.Record{consent.Give(consent.Self, day("2026-03-02"), "form 12")}, "2026-04-01", true, consent.Self, "R-CONS-1", nil},
		{"a consent dated after as_of does not count yet", consent.National2023, adult,
			[]consent.Record{consent.Give(consent.Self, day("2026-04-02"), "")}, "2026-04-01", false, "", "R-CONS-1", nil},
		{"R-CONS-4: a withdrawal ends consent", consent.National2023, adult,
			[]consent.Record{consent.Give(consent.Self, day("2026-03-02"), ""), consent.Withdraw(consent.Self, day("2026-03-20"))}, "2026-04-01", false, "", "R-CONS-4", nil},
		{"R-CONS-4: consent given again after a withdrawal holds", consent.National2023, adult,
			[]consent.Record{consent.Give(consent.Self, day("2026-03-02"), ""), consent.Withdraw(consent.Self, day("2026-03-20")), consent.Give(consent.Self, day("2026-03-25"), "")}, "2026-04-01", true, consent.Self, "R-CONS-1", nil},
		{"withdrawing only information sharing leaves inclusion", consent.National2023, adult,
			[]consent.Record{consent.Give(consent.Self, day("2026-03-02"), ""), consent.Withdraw(consent.Self, day("2026-03-20"), consent.Sharing)}, "2026-04-01", true, consent.Self, "R-CONS-1", nil},
		{"consent for a C(E)TR alone is not consent for inclusion", consent.National2023, adult,
			[]consent.Record{consent.Give(consent.Self, day("2026-03-02"), "", consent.CETR)}, "2026-04-01", false, "", "R-CONS-1", nil},
		{"R-CONS-3: a parent's consent holds before 16, with notice of the lapse from 90 days before", consent.National2023, teen,
			[]consent.Record{consent.Give(consent.Parent, day("2026-03-02"), "")}, "2026-07-01", true, consent.Parent, "R-CONS-1", []string{"R-CONS-3 2026-09-15"}},
		{"R-CONS-3: no notice more than 90 days before the 16th birthday", consent.National2023, teen,
			[]consent.Record{consent.Give(consent.Parent, day("2026-03-02"), "")}, "2026-06-16", true, consent.Parent, "R-CONS-1", nil},
		{"R-CONS-3: a parent's consent lapses at the 16th birthday", consent.National2023, teen,
			[]consent.Record{consent.Give(consent.Parent, day("2026-03-02"), "")}, "2026-09-15", false, "", "R-CONS-3", []string{"R-CONS-3 2026-09-15"}},
		{"R-CONS-3: the young person's confirmation restores it", consent.National2023, teen,
			[]consent.Record{consent.Give(consent.Parent, day("2026-03-02"), ""), consent.Give(consent.Self, day("2026-09-20"), "")}, "2026-10-01", true, consent.Self, "R-CONS-1", nil},
		{"R-CONS-3: where the area keeps a parent's consent, it does not lapse", consent.Params{GillickAllowed: true}, teen,
			[]consent.Record{consent.Give(consent.Parent, day("2026-03-02"), "")}, "2026-10-01", true, consent.Parent, "R-CONS-1", nil},
		{"R-CONS-5: Greenwich re-confirms every 365 days; consent stays valid", every365, adult,
			[]consent.Record{consent.Give(consent.Self, day("2025-03-02"), "")}, "2026-04-01", true, consent.Self, "R-CONS-1", []string{"R-CONS-5 2026-03-02"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := tc.p.Evaluate(tc.s, tc.records, consent.Inclusion, day(tc.asOf))
			if st.Valid != tc.valid || st.GivenBy != tc.by {
				t.Fatalf("valid %v by %q, want %v by %q (%v)", st.Valid, st.GivenBy, tc.valid, tc.by, st.Reasons)
			}
			if len(st.Reasons) != 1 || st.Reasons[0].Rule != tc.rule {
				t.Fatalf("reasons %v, want one citing %s", st.Reasons, tc.rule)
			}
			var got []string
			for _, r := range st.Reconfirm {
				got = append(got, r.Rule+" "+r.Due.String())
			}
			if len(got) != len(tc.reconfirm) || (len(got) > 0 && got[0] != tc.reconfirm[0]) {
				t.Fatalf("reconfirm %v, want %v", got, tc.reconfirm)
			}
		})
	}
}

func TestTheZeroStatusIsNotGiven(t *testing.T) {
	var st consent.Status
	if st.Valid || st.GivenBy != "" || st.Decision().Valid {
		t.Fatal("the zero Status must mean not given")
	}
}

func TestRecordsRoundTripThroughEvents(t *testing.T) {
	for _, r := range []consent.Record{
		consent.Give(consent.Parent, day("2026-03-02"), "", consent.Inclusion, consent.CETR),
		consent.Withdraw(consent.Self, day("2026-03-20")),
	} {
		got, ok := consent.FromEvent(r.Event())
		if !ok || got.By != r.By || got.Withdrawn != r.Withdrawn || got.Date != r.Date || len(got.Scopes) != len(r.Scopes) {
			t.Fatalf("%+v came back as %+v", r, got)
		}
		e := r.Event()
		if e.HasScope(dsr.ScopeDSR) != r.Covers(consent.Inclusion) {
			t.Fatalf("Covers and dsr.Event.HasScope disagree for %+v", r)
		}
	}
	if _, ok := consent.FromEvent(dsr.Event{Type: dsr.EventAdmitted}); ok {
		t.Fatal("an admission is not a consent record")
	}
}

func TestALeapDayBirthdayReaches16OnTheFirstOfMarch(t *testing.T) {
	s := consent.Subject{DateOfBirth: day("2012-02-29")}
	if got := s.Sixteenth(); got != day("2028-02-29") {
		t.Fatalf("2028 is a leap year: %s", got)
	}
	s = consent.Subject{DateOfBirth: day("2008-02-29")}
	if got := s.Sixteenth(); got != day("2024-02-29") {
		t.Fatalf("got %s", got)
	}
	s = consent.Subject{DateOfBirth: day("2011-02-28")}
	if got := s.Sixteenth(); got != day("2027-02-28") {
		t.Fatalf("got %s", got)
	}
}
