package transfer_test

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/transfer"
)

// genWord is a word of free text: letters, never one Blank reads as
// nothing.
func genWord(t *rapid.T, label string) string {
	return rapid.StringMatching(`[A-Z][a-z]{2,8}( [a-z]{3,8}){0,3}`).Filter(func(s string) bool { return !transfer.Blank(s) }).Draw(t, label)
}

// genText is free text as areas type it: quotes, commas, semicolons, a
// line break, a leading = or @, letters beyond ASCII.
func genText(t *rapid.T, label string) string {
	return rapid.StringMatching(`[=@"A-Za-z][a-z"',;é]{1,8}( [a-z,;"']{2,8}){0,3}(\n[A-Z][a-z]{2,6})?`).Filter(func(s string) bool {
		return !transfer.Blank(s) && transfer.Text(s) == s
	}).Draw(t, label)
}

func genDate(t *rapid.T, label string, from, to calendar.Date) calendar.Date {
	return from.AddDays(rapid.IntRange(0, to.Sub(from)).Draw(t, label))
}

func genBool(t *rapid.T, label string) *bool {
	switch rapid.IntRange(0, 2).Draw(t, label) {
	case 0:
		return nil
	case 1:
		b := true
		return &b
	}
	b := false
	return &b
}

// genPerson is a synthetic person with every field the Wiltshire mapping
// reads drawn at random, as Import would build them.
func genPerson(t *rapid.T, i int) register.NewPerson {
	dob := genDate(t, "dob", day("1950-01-01"), day("2008-06-01")) // an adult
	if rapid.Bool().Draw(t, "child") {
		dob = genDate(t, "dob", day("2012-01-01"), day("2016-01-01")) // a child well short of 16
	}
	p := dsr.Person{ID: fmt.Sprintf("W-%04d", i), DateOfBirth: dob, Autism: rapid.Bool().Draw(t, "autism")}
	p.LearningDisability = !p.Autism || rapid.Bool().Draw(t, "ld")
	if rapid.Bool().Draw(t, "has nhs") {
		p.NHSNumber = dsr.TestNHSNumber(i)
	}
	if rapid.Bool().Draw(t, "has postcode") {
		p.Postcode = "ZZ99 3VZ"
	}
	if rapid.Bool().Draw(t, "has la") {
		p.LocalAuthority = rapid.SampledFrom([]string{"Wiltshire", "Swindon", "Bath and North East Somerset"}).Draw(t, "la")
	}
	p.AwaitingDiagnosis = rapid.Bool().Draw(t, "awaiting")
	p.EHCP = rapid.Bool().Draw(t, "ehcp")
	from := dob.AddDays(1)
	if p.AgeOn(today) >= 16 {
		from = p.Birthday(16)
	}
	consentOn := genDate(t, "consent", from, today.AddDays(-30))
	if p.AgeOn(consentOn) >= 16 {
		p.LacksCapacity = rapid.Bool().Draw(t, "lacks")
	}
	e := dsr.Entry{}
	if rapid.Bool().Draw(t, "gender") {
		e.Gender = rapid.SampledFrom(dsr.Genders).Draw(t, "g")
	}
	if rapid.Bool().Draw(t, "eth") {
		e.Ethnicity = rapid.SampledFrom(dsr.EthnicCategories).Draw(t, "e")
	}
	if rapid.Bool().Draw(t, "pd") {
		e.PrimaryDiagnosis = genText(t, "pdt")
	}
	if rapid.Bool().Draw(t, "sd") {
		e.SecondaryDiagnosis = genWord(t, "sdt")
	}
	if rapid.Bool().Draw(t, "acc") {
		e.Accommodation = rapid.SampledFrom(dsr.AccommodationTypes).Draw(t, "a")
	}
	if rapid.Bool().Draw(t, "pl") {
		e.Placement = rapid.SampledFrom(dsr.Placements).Draw(t, "p")
	}
	for _, s := range []*string{&e.ResponsibleAuthority, &e.CareProvider, &e.CareCoordinator, &e.SocialWorker, &e.Advocate, &e.Team, &e.RiskReason} {
		if rapid.Bool().Draw(t, "text") {
			*s = genText(t, "t")
		}
	}
	for _, b := range []**bool{&e.Section117, &e.OnCPA, &e.CarePlan, &e.RiskAssessment, &e.CrisisPlan, &e.PersonalHealthBudgetOffered, &e.RiskOfAdmission, &e.RiskOfPlacementBreakdown} {
		*b = genBool(t, "yn")
	}
	if rapid.Bool().Draw(t, "funding") {
		h := rapid.IntRange(0, 100).Draw(t, "h")
		s := rapid.IntRange(0, 100-h).Draw(t, "s")
		e.Funding = &dsr.FundingSplit{Health: h, SocialCare: s, Education: 100 - h - s}
	}
	if rapid.Bool().Draw(t, "reviewed") {
		e.CrisisPlanReviewed = genDate(t, "rev", day("2020-01-01"), today)
	}
	if rapid.Bool().Draw(t, "kw") {
		e.KeyworkerReferral = genDate(t, "kwd", day("2020-01-01"), today)
	}
	for range rapid.IntRange(0, 3).Draw(t, "admissions") {
		e.PreviousAdmissions = append(e.PreviousAdmissions, genDate(t, "adm", day("2015-01-01"), today))
	}
	slices.SortFunc(e.PreviousAdmissions, calendar.Date.Compare)
	for range rapid.IntRange(0, 3).Draw(t, "mitigations") {
		e.Mitigations = append(e.Mitigations, genWord(t, "m"))
	}
	np := register.NewPerson{Details: register.Details{Person: p, Entry: e}}
	if rapid.Bool().Draw(t, "name") {
		np.Name = genText(t, "n")
	}
	if rapid.Bool().Draw(t, "address") {
		np.Address = "1 Test Street, Testtown"
	}
	c := &np.Circumstances
	for _, b := range []*bool{&c.InCrisis, &c.CommunityCannotManage, &c.AdmissionBeingConsidered, &c.SeriousHarmRisk, &c.MentalHealthDeteriorating, &c.PlacementBreakdownRisk, &c.EscalatingBehaviour} {
		*b = rapid.Bool().Draw(t, "circ")
	}
	giver := dsr.BySelf
	switch {
	case p.AgeOn(consentOn) < 16:
		giver = dsr.ByParent
	case p.LacksCapacity:
		giver = rapid.SampledFrom([]string{dsr.ByBestInterests, dsr.ByDeputy, dsr.ByAttorney}).Draw(t, "giver")
	}
	np.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: consentOn, GivenBy: giver}}
	if rapid.Bool().Draw(t, "rated") {
		np.Events = append(np.Events, dsr.Event{Type: dsr.EventRatingAgreed, Date: genDate(t, "rd", consentOn, today),
			Rating: rapid.SampledFrom([]dsr.Rating{dsr.Red, dsr.Amber, dsr.Green, dsr.Blue}).Draw(t, "r"), By: staff.ID, Reason: "the rating of record on the register imported"})
	}
	return np
}

// held is what the register holds of a person that the mapping reads.
type held struct {
	D    register.Details
	Circ dsr.Circumstances
	Ev   []dsr.Event
}

func holdings(t *rapid.T, reg *register.Register) map[string]held {
	ids, err := reg.People(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]held{}
	for _, id := range ids {
		d, c, err := reg.DetailsAndCase(ctx, id, today, staff)
		if err != nil {
			t.Fatal(err)
		}
		out[id] = held{D: d, Circ: c.Circumstances, Ev: c.Events}
	}
	return out
}

func exportBytes(t *rapid.T, reg *register.Register, m *transfer.Mapping, xlsx bool) []byte {
	ex, err := transfer.Export(ctx, reg, m, transfer.ExportOptions{By: staff})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if xlsx {
		err = ex.WriteXLSX(&b)
	} else {
		err = ex.WriteCSV(&b)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func importBytes(t *rapid.T, reg *register.Register, m *transfer.Mapping, file []byte, xlsx bool) *transfer.Report {
	var tab *transfer.Table
	var err error
	if xlsx {
		tab, err = transfer.ReadXLSX(bytes.NewReader(file), m.Sheet)
	} else {
		tab, err = transfer.ReadCSV(bytes.NewReader(file), "register.csv")
	}
	if err != nil {
		t.Fatal(err)
	}
	rep, err := transfer.Import(ctx, reg, tab, m, transfer.Options{By: staff})
	if err != nil {
		var s strings.Builder
		rep.WriteText(&s)
		t.Fatalf("%v\n%s", err, s.String())
	}
	return rep
}

// Import, export and import again is the identity on every field the
// mapping reads, for CSV and XLSX, over generated registers; and the second
// register exports the same file.
func TestExportImportRoundTrip(t *testing.T) {
	m := mapping(t, "wiltshire")
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 8).Draw(t, "people")
		people := make([]register.NewPerson, n)
		for i := range people {
			people[i] = genPerson(t, i)
		}
		xlsx := rapid.Bool().Draw(t, "xlsx")
		one, _ := newReg(t)
		if _, err := one.AddAll(ctx, people, staff); err != nil {
			t.Fatal(err)
		}
		file := exportBytes(t, one, m, xlsx)
		two, _ := newReg(t)
		rep := importBytes(t, two, m, file, xlsx)
		if rep.Added != n || len(rep.NoConsent) != 0 {
			t.Fatalf("imported %d of %d; no consent %v", rep.Added, n, rep.NoConsent)
		}
		want, got := holdings(t, one), holdings(t, two)
		for id, w := range want {
			if !reflect.DeepEqual(w, got[id]) {
				t.Fatalf("%s:\n held %+v\n then %+v", id, w, got[id])
			}
		}
		if again := exportBytes(t, two, m, xlsx); !xlsx && !bytes.Equal(file, again) {
			t.Fatalf("the second register exports another file:\n%s\n%s", file, again)
		}
		// And a third import adds nobody.
		if rep := importBytes(t, two, m, file, xlsx); rep.Added != 0 || len(rep.Already) != n {
			t.Fatalf("re-import: added %d, already %d", rep.Added, len(rep.Already))
		}
	})
}

// For every shipped mapping, the export of a register imported from an
// export is the same export: the identity on every field the mapping
// reads, whatever it leaves out.
func TestEveryMappingRoundTrips(t *testing.T) {
	for _, name := range transfer.Shipped() {
		m := mapping(t, name)
		t.Run(name, func(t *testing.T) {
			rapid.Check(t, func(t *rapid.T) {
				people := make([]register.NewPerson, rapid.IntRange(1, 6).Draw(t, "people"))
				for i := range people {
					people[i] = genPerson(t, i)
				}
				xlsx := rapid.Bool().Draw(t, "xlsx")
				one, _ := newReg(t)
				if _, err := one.AddAll(ctx, people, staff); err != nil {
					t.Fatal(err)
				}
				first, err := transfer.Export(ctx, one, m, transfer.ExportOptions{By: staff})
				if err != nil {
					t.Fatal(err)
				}
				two, _ := newReg(t)
				importBytes(t, two, m, exportBytes(t, one, m, xlsx), xlsx)
				second, err := transfer.Export(ctx, two, m, transfer.ExportOptions{By: staff})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(first.Headings, second.Headings) || !reflect.DeepEqual(first.Rows, second.Rows) {
					t.Fatalf("exports differ:\n%v\n%v", first.Rows, second.Rows)
				}
			})
		})
	}
}
