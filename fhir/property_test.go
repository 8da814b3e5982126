package fhir_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	r4 "github.com/samply/golang-fhir-models/fhir-models/fhir"
	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/fhir"
	"github.com/dsrkit/dsrkit/fhir/fhirtest"
	"github.com/dsrkit/dsrkit/register"
)

// TestAnyHistoryExportsAsValidFHIR: for a synthetic adult with or without
// capacity, with any mix of consent scopes, inpatient spells (the last
// perhaps still open), reviews of every kind, an agreed rating, consents
// to share given (by anyone, whether or not they could give it) and
// withdrawn in any order, and a removal, the export follows the sharing
// gate: when, by a model of the rules kept here (the latest record
// covering sharing decides: a withdrawal ends it, and only the person
// with capacity, or for one without it a deputy, an attorney or a
// best-interests decision, may give it to an adult), consent to share
// does not hold, Bundle refuses with ErrNoSharingConsent citing the rule
// and naming nobody, and BundleAll leaves the person out and counts them;
// when it holds, the bundle is valid FHIR R4, the identifiers come back,
// every review has R-CODE-1's code where its kind has one, and the flag
// and spells say what the history says.
func TestAnyHistoryExportsAsValidFHIR(t *testing.T) {
	v := fhirtest.Schema(t)
	rapid.Check(t, func(rt *rapid.T) {
		reg, clk := newRegister(t)
		id := "syn-prop"
		np := person(id, day("1980-01-01").AddDays(rapid.IntRange(0, 365*25).Draw(rt, "dob")), "Pat Synthetic")
		np.Person.NHSNumber = dsr.TestNHSNumber(rapid.IntRange(0, 99_999).Draw(rt, "nhs"))
		np.Entry.Gender = rapid.SampledFrom(append([]string{""}, dsr.Genders...)).Draw(rt, "gender")
		np.Circumstances.InCrisis = rapid.Bool().Draw(rt, "crisis")
		np.Circumstances.CommunityCannotManage = rapid.Bool().Draw(rt, "cannot_manage")
		np.Circumstances.MentalHealthDeteriorating = rapid.Bool().Draw(rt, "deteriorating")
		np.Person.LacksCapacity = rapid.Bool().Draw(rt, "lacks_capacity")
		may := func(by string) bool { // the model: who may consent for an adult
			if np.Person.LacksCapacity {
				return by == dsr.ByDeputy || by == dsr.ByAttorney || by == dsr.ByBestInterests
			}
			return by == dsr.BySelf
		}
		giver := dsr.BySelf
		if np.Person.LacksCapacity {
			giver = rapid.SampledFrom([]string{dsr.ByDeputy, dsr.ByAttorney, dsr.ByBestInterests}).Draw(rt, "giver")
		}
		scopes := []string{dsr.ScopeDSR}
		for _, s := range []string{dsr.ScopeCETR, dsr.ScopeSharing} {
			if rapid.Bool().Draw(rt, "scope_"+s) {
				scopes = append(scopes, s)
			}
		}
		// The model's judgement of consent to share, and the rule that
		// decides when it does not hold.
		sharing, rule := slices.Contains(scopes, dsr.ScopeSharing), "R-CONS-1"
		d := day("2025-01-01").AddDays(rapid.IntRange(0, 250).Draw(rt, "consented"))
		np.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: d, GivenBy: giver, Scope: scopes}}
		spells := rapid.IntRange(0, 3).Draw(rt, "spells")
		open := false
		for i := range spells {
			d = d.AddDays(rapid.IntRange(1, 20).Draw(rt, fmt.Sprintf("gap%d", i)))
			np.Events = append(np.Events, dsr.Event{Type: dsr.EventAdmitted, Date: d, Security: rapid.SampledFrom(dsr.SecurityLevels).Draw(rt, "security"),
				LegalStatus: rapid.SampledFrom(dsr.LegalStatuses).Draw(rt, "legal")})
			if i == spells-1 && rapid.Bool().Draw(rt, "still_in") {
				open = true
				break
			}
			d = d.AddDays(rapid.IntRange(1, 40).Draw(rt, fmt.Sprintf("stay%d", i)))
			np.Events = append(np.Events, dsr.Event{Type: dsr.EventDischarged, Date: d})
		}
		var kinds []string
		for i := range rapid.IntRange(0, 4).Draw(rt, "reviews") {
			k := rapid.SampledFrom(dsr.ReviewKinds).Draw(rt, fmt.Sprintf("kind%d", i))
			kinds = append(kinds, k)
			np.Events = append(np.Events, dsr.Event{Type: dsr.EventReviewHeld, Date: d, Kind: k})
		}
		if d.After(day("2026-03-31")) {
			rt.Fatalf("the generator ran past the day the person is added: %s", d)
		}
		ok(rt, reg.Add(ctx, np, staff))
		clk.set(day("2026-04-05"))
		if rapid.Bool().Draw(rt, "agree") {
			a, err := reg.Assess(ctx, id, day("2026-04-05"))
			ok(rt, err)
			if a.Rating != dsr.Unrated {
				ok(rt, reg.Agree(ctx, id, a.Rating, "", staff))
			}
		}
		// Up to three later consents to share or withdrawals of it, on the
		// same day or the next (the later recorded decides a day's).
		on := day("2026-04-05")
		for i := range rapid.IntRange(0, 3).Draw(rt, "sharing_records") {
			on = on.AddDays(rapid.IntRange(0, 1).Draw(rt, fmt.Sprintf("sharing_day%d", i)))
			clk.set(on)
			if rapid.IntRange(0, 3).Draw(rt, fmt.Sprintf("sharing_withdrawn%d", i)) == 0 {
				ok(rt, reg.Record(ctx, id, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: on, By: giver, Scope: []string{dsr.ScopeSharing}}, staff))
				sharing, rule = false, "R-CONS-4"
				continue
			}
			by := rapid.SampledFrom(dsr.ConsentGivers).Draw(rt, fmt.Sprintf("sharing_by%d", i))
			ok(rt, reg.Record(ctx, id, dsr.Event{Type: dsr.EventConsentGiven, Date: on, GivenBy: by, Scope: []string{dsr.ScopeSharing}}, staff))
			sharing, rule = may(by), "R-CONS-2"
		}
		removed := rapid.Bool().Draw(rt, "removed")
		if removed {
			ok(rt, reg.Remove(ctx, id, register.RemovedDied, staff, ""))
		}
		clk.set(day("2026-04-10"))

		_, sum, err := fhir.BundleAll(ctx, reg, day("2026-04-10"), staff)
		ok(rt, err)
		b, err := fhir.Bundle(ctx, reg, id, day("2026-04-10"), staff)
		if !sharing {
			if !errors.Is(err, fhir.ErrNoSharingConsent) || !strings.Contains(err.Error(), rule+": ") {
				rt.Fatalf("no consent to share (%s): Bundle gives %v", rule, err)
			}
			if strings.Contains(err.Error(), id) || strings.Contains(err.Error(), string(np.Person.NHSNumber)) {
				rt.Fatalf("the refusal names the person: %v", err)
			}
			if sum.People != 0 || sum.Omitted() != 1 || sum.LeftOut[0].Rule != rule {
				rt.Fatalf("BundleAll's summary %+v, want one left out by %s", sum, rule)
			}
			return
		}
		ok(rt, err)
		if sum.People != 1 || sum.Omitted() != 0 {
			rt.Fatalf("BundleAll's summary %+v, want one exported", sum)
		}
		raw, err := fhir.Marshal(b)
		ok(rt, err)
		if err := v.Validate(raw); err != nil {
			rt.Fatalf("invalid FHIR: %v", err)
		}
		var patients []r4.Patient
		var flags []r4.Flag
		var episodes []r4.EpisodeOfCare
		var procedures []r4.Procedure
		for _, e := range b.Entry {
			if p, err := r4.UnmarshalPatient(e.Resource); err == nil && p.BirthDate != nil {
				patients = append(patients, p)
			}
			if f, err := r4.UnmarshalFlag(e.Resource); err == nil && f.Code.Coding != nil && *f.Code.Coding[0].System == fhir.FlagSystem {
				flags = append(flags, f)
			}
			if ep, err := r4.UnmarshalEpisodeOfCare(e.Resource); err == nil && ep.Patient.Reference != nil && ep.Period != nil && ep.Type != nil {
				episodes = append(episodes, ep)
			}
			if pr, err := r4.UnmarshalProcedure(e.Resource); err == nil && pr.Code != nil && pr.PerformedDateTime != nil {
				procedures = append(procedures, pr)
			}
		}
		if len(patients) != 1 || idOf(patients[0], fhir.NHSNumberSystem) != string(np.Person.NHSNumber) {
			rt.Fatalf("the NHS number does not come back: %d patients", len(patients))
		}
		if idOf(patients[0], fhir.LocalIDSystemBase+reg.ID()) != id {
			rt.Fatal("the local id does not come back")
		}
		if len(flags) != 1 {
			rt.Fatalf("%d flags", len(flags))
		}
		if removed && (flags[0].Status != r4.FlagStatusInactive || flags[0].Period.End == nil) {
			rt.Fatal("a removed person's flag is not inactive with an end")
		}
		if len(episodes) != spells {
			rt.Fatalf("%d episodes of care for %d spells", len(episodes), spells)
		}
		if spells > 0 && (episodes[spells-1].Status == r4.EpisodeOfCareStatusActive) != open {
			rt.Fatalf("the last spell's status %s, still in %v", episodes[spells-1].Status.Code(), open)
		}
		if len(procedures) != len(kinds) {
			rt.Fatalf("%d procedures for %d reviews", len(procedures), len(kinds))
		}
		for i, pr := range procedures {
			want, has := fhir.ReviewSNOMED(kinds[i])
			var got string
			for _, c := range pr.Code.Coding {
				if *c.System == fhir.SNOMEDSystem {
					got = *c.Code
				}
			}
			if has != (got != "") || got != want {
				rt.Fatalf("a %s review coded %q, want %q", kinds[i], got, want)
			}
		}
	})
}

func idOf(p r4.Patient, system string) string {
	v, _ := identifier(p, system)
	return v
}

func ok(rt *rapid.T, err error) {
	rt.Helper()
	if err != nil {
		rt.Fatal(err)
	}
}
