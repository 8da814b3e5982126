package fhir_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	r4 "github.com/samply/golang-fhir-models/fhir-models/fhir"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/fhir"
	"github.com/dsrkit/dsrkit/fhir/fhirtest"
	"github.com/dsrkit/dsrkit/register"
)

var asOf = day("2026-04-15")

// resources decodes a bundle's entries by type.
type resources struct {
	patients   []r4.Patient
	flags      []r4.Flag
	consents   []r4.Consent
	episodes   []r4.EpisodeOfCare
	procedures []r4.Procedure
	risks      []r4.RiskAssessment
	urls       []string
}

func decode(t *testing.T, raw []byte) resources {
	t.Helper()
	b, err := r4.UnmarshalBundle(raw)
	require.NoError(t, err)
	require.Equal(t, r4.BundleTypeCollection, b.Type)
	var out resources
	for i, e := range b.Entry {
		require.NotNil(t, e.FullUrl, "entry %d", i)
		out.urls = append(out.urls, *e.FullUrl)
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		require.NoError(t, json.Unmarshal(e.Resource, &head))
		assert.Equal(t, "urn:uuid:"+head.ID, *e.FullUrl, "fullUrl is the resource's id as a urn:uuid")
		switch head.ResourceType {
		case "Patient":
			r, err := r4.UnmarshalPatient(e.Resource)
			require.NoError(t, err)
			out.patients = append(out.patients, r)
		case "Flag":
			r, err := r4.UnmarshalFlag(e.Resource)
			require.NoError(t, err)
			out.flags = append(out.flags, r)
		case "Consent":
			r, err := r4.UnmarshalConsent(e.Resource)
			require.NoError(t, err)
			out.consents = append(out.consents, r)
		case "EpisodeOfCare":
			r, err := r4.UnmarshalEpisodeOfCare(e.Resource)
			require.NoError(t, err)
			out.episodes = append(out.episodes, r)
		case "Procedure":
			r, err := r4.UnmarshalProcedure(e.Resource)
			require.NoError(t, err)
			out.procedures = append(out.procedures, r)
		case "RiskAssessment":
			r, err := r4.UnmarshalRiskAssessment(e.Resource)
			require.NoError(t, err)
			out.risks = append(out.risks, r)
		default:
			t.Errorf("entry %d: unexpected %s", i, head.ResourceType)
		}
	}
	return out
}

func export(t *testing.T, reg *register.Register, id string) []byte {
	t.Helper()
	b, err := fhir.Bundle(ctx, reg, id, asOf, staff)
	require.NoError(t, err)
	raw, err := fhir.Marshal(b)
	require.NoError(t, err)
	return raw
}

func identifier(p r4.Patient, system string) (string, bool) {
	for _, id := range p.Identifier {
		if id.System != nil && *id.System == system && id.Value != nil {
			return *id.Value, true
		}
	}
	return "", false
}

func TestEveryBundleIsValidFHIRR4(t *testing.T) {
	v := fhirtest.Schema(t)
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	for _, id := range shared {
		assert.NoError(t, v.Validate(export(t, reg, id)), "%s's bundle", id)
	}
	all, _, err := fhir.BundleAll(ctx, reg, asOf, staff)
	require.NoError(t, err)
	raw, err := fhir.Marshal(all)
	require.NoError(t, err)
	require.NoError(t, v.Validate(raw), "everyone's bundle")

	// The check can fail: a resource the schema refuses is reported,
	// naming the entry.
	bad := strings.Replace(string(export(t, reg, adultID)), `"gender": "female"`, `"gender": "woman"`, 1)
	err = v.Validate([]byte(bad))
	require.Error(t, err, "a gender outside FHIR's codes")
	assert.Contains(t, err.Error(), "entry[0] Patient")
}

func TestIdentifiersRoundTrip(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	for _, id := range shared {
		rs := decode(t, export(t, reg, id))
		require.Len(t, rs.patients, 1, id)
		p := rs.patients[0]
		n, ok := identifier(p, fhir.NHSNumberSystem)
		require.True(t, ok, "%s: an NHS number in the NHS number system", id)
		got, err := dsr.ParseNHSNumber(n)
		require.NoError(t, err)
		assert.Equal(t, nhs[id], got, "the same NHS number back")
		local, ok := identifier(p, fhir.LocalIDSystemBase+reg.ID())
		require.True(t, ok, "%s: the local id in the register's system", id)
		assert.Equal(t, id, local)
		require.Len(t, p.Identifier[0].Extension, 1)
		ext := p.Identifier[0].Extension[0]
		assert.Equal(t, fhir.NHSNumberVerificationStatusURL, ext.Url)
		require.NotNil(t, ext.ValueCodeableConcept)
		assert.Equal(t, fhir.NHSNumberVerificationStatusSystem, *ext.ValueCodeableConcept.Coding[0].System)

		// Every reference to the patient is to the bundle's Patient.
		patientURL := "urn:uuid:" + *p.Id
		for _, f := range rs.flags {
			assert.Equal(t, patientURL, *f.Subject.Reference)
		}
		for _, c := range rs.consents {
			assert.Equal(t, patientURL, *c.Patient.Reference)
		}
	}
	rs := decode(t, export(t, reg, adultID))
	require.NotNil(t, rs.patients[0].Gender)
	assert.Equal(t, r4.AdministrativeGenderFemale, *rs.patients[0].Gender)
	assert.Equal(t, "1990-05-17", *rs.patients[0].BirthDate)
	assert.Equal(t, "Alex Synthetic", *rs.patients[0].Name[0].Text)
}

func TestReviewsCarryTheSNOMEDCodesOfRCODE1(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	want := map[string][]string{
		adultID:     {"1060751000000101"},
		inpatientID: {"1060741000000104", "1060761000000103"},
	}
	for id, codes := range want {
		var got []string
		for _, pr := range decode(t, export(t, reg, id)).procedures {
			assert.Equal(t, r4.EventStatusCompleted, pr.Status)
			require.NotNil(t, pr.Code)
			for _, c := range pr.Code.Coding {
				if *c.System == fhir.SNOMEDSystem {
					got = append(got, *c.Code)
				}
			}
		}
		assert.Equal(t, codes, got, "%s's reviews in %s", id, fhir.SNOMEDSystem)
	}
	pr := decode(t, export(t, reg, adultID)).procedures[0]
	require.Len(t, pr.Identifier, 1, "the review record's id")
	assert.Equal(t, fhir.ReviewIDSystemBase+reg.ID(), *pr.Identifier[0].System)
	assert.Equal(t, adultReview, *pr.Identifier[0].Value)
	require.NotNil(t, pr.Outcome)
	assert.Equal(t, fhir.ReviewOutcomeSystem, *pr.Outcome.Coding[0].System)
	assert.Equal(t, string(cetr.StayInCommunity), *pr.Outcome.Coding[0].Code)
	assert.Equal(t, "2026-02-20", *pr.PerformedDateTime)
	pr = decode(t, export(t, reg, inpatientID)).procedures[0]
	assert.Empty(t, pr.Identifier, "a review held with no record kept")
	assert.Nil(t, pr.Outcome)
	for kind, code := range map[string]string{dsr.ReviewCommunity: "1060751000000101", dsr.ReviewPostAdmission: "1060741000000104", dsr.ReviewInpatient: "1060761000000103"} {
		got, ok := fhir.ReviewSNOMED(kind)
		assert.True(t, ok)
		assert.Equal(t, code, got, kind)
	}
	_, ok := fhir.ReviewSNOMED(dsr.ReviewTrigger)
	assert.False(t, ok, "R-CODE-1 gives no code for a trigger review")
}

func TestWithdrawnPeopleAreNeverExported(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	all, sum, err := fhir.BundleAll(ctx, reg, asOf, staff)
	require.NoError(t, err)
	raw, err := fhir.Marshal(all)
	require.NoError(t, err)
	rs := decode(t, raw)
	assert.Len(t, rs.patients, len(shared), "everyone held with consent to share, not the withdrawn person")
	assert.Equal(t, len(shared), sum.People)
	assert.Equal(t, len(unshared), sum.Omitted(), "the withdrawn are not held, so not counted")
	assert.NotContains(t, string(raw), string(nhs[withdrawnID]), "no trace of their NHS number")
	assert.NotContains(t, string(raw), withdrawnID)
	assert.NotContains(t, string(raw), "Kim Synthetic")
	for _, id := range shared {
		assert.Contains(t, string(raw), string(nhs[id]))
	}

	_, err = fhir.Bundle(ctx, reg, withdrawnID, asOf, staff)
	require.ErrorIs(t, err, fhir.ErrWithdrawn)
	assert.ErrorIs(t, err, register.ErrErased)
	assert.NotContains(t, err.Error(), withdrawnID, "the refusal names nobody")
	assert.NotContains(t, err.Error(), string(nhs[withdrawnID]))
	assert.Contains(t, err.Error(), "R-CONS-4")

	_, err = fhir.Bundle(ctx, reg, "syn-nobody", asOf, staff)
	require.ErrorIs(t, err, fhir.ErrNotFound)
	assert.ErrorIs(t, err, register.ErrNotFound)
	assert.NotContains(t, err.Error(), "syn-nobody")
}

func TestTheFlagFollowsThePersonsPlaceOnTheRegister(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)

	rs := decode(t, export(t, reg, adultID))
	require.Len(t, rs.flags, 1)
	f := rs.flags[0]
	assert.Equal(t, r4.FlagStatusActive, f.Status)
	assert.Equal(t, fhir.FlagSystem, *f.Code.Coding[0].System)
	assert.Equal(t, fhir.FlagCode, *f.Code.Coding[0].Code)
	assert.Equal(t, "2026-04-01", *f.Period.Start, "from inclusion")
	assert.Nil(t, f.Period.End)
	require.Len(t, f.Extension, 1)
	assert.Equal(t, fhir.RatingExtension, f.Extension[0].Url)
	assert.Equal(t, fhir.RatingSystem, *f.Extension[0].ValueCoding.System)
	assert.Equal(t, "RED", *f.Extension[0].ValueCoding.Code, "in crisis, the community cannot manage: RED (R-RAG-RED)")
	require.Len(t, rs.risks, 1)
	ra := rs.risks[0]
	assert.Equal(t, "RED", *ra.Prediction[0].QualitativeRisk.Coding[0].Code)
	var rules []string
	for _, n := range ra.Note {
		rules = append(rules, strings.SplitN(n.Text, ":", 2)[0])
	}
	assert.Contains(t, rules, "R-RAG-RED", "the reasons name their rules")
	assert.NotEmpty(t, *ra.Prediction[0].Rationale)
	assert.Len(t, ra.Basis, 1, "the community C(E)TR")

	rs = decode(t, export(t, reg, inpatientID))
	assert.Equal(t, "BLUE", *rs.flags[0].Extension[0].ValueCoding.Code, "in hospital: BLUE (R-RAG-BLUE)")
	require.Len(t, rs.episodes, 2)
	assert.Equal(t, r4.EpisodeOfCareStatusFinished, rs.episodes[0].Status)
	assert.Equal(t, "2025-07-01", *rs.episodes[0].Period.Start)
	assert.Equal(t, "2025-08-01", *rs.episodes[0].Period.End)
	assert.Equal(t, r4.EpisodeOfCareStatusActive, rs.episodes[1].Status, "in hospital now")
	assert.Nil(t, rs.episodes[1].Period.End)

	rs = decode(t, export(t, reg, removedID))
	f = rs.flags[0]
	assert.Equal(t, r4.FlagStatusInactive, f.Status, "removed: inactive")
	assert.Equal(t, "2026-04-10", *f.Period.End, "ended on the day of removal")
	assert.Empty(t, f.Extension, "no rating of record once off the register")
	assert.Empty(t, rs.risks)
	assert.Equal(t, "best_interests", *rs.consents[0].Extension[0].ValueCoding.Code)
	assert.Equal(t, "a best-interests decision", *rs.consents[0].Performer[0].Display)
}

func TestConsentsSayWhoGaveThemAndWhetherTheyHold(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	rs := decode(t, export(t, reg, childID))
	got := map[string]r4.ConsentState{}
	for _, c := range rs.consents {
		assert.Equal(t, "parent", *c.Extension[0].ValueCoding.Code)
		assert.Equal(t, "2026-03-02", *c.DateTime)
		assert.Nil(t, c.Performer[0].Reference, "a parent is not the patient")
		scope := *c.Category[1].Coding[0].Code
		got[scope] = c.Status
		if scope == dsr.ScopeCETR {
			assert.Equal(t, "2026-04-10", *c.Provision.Period.End)
		}
		assert.Contains(t, *c.PolicyRule.Text, map[string]string{dsr.ScopeDSR: "inclusion", dsr.ScopeCETR: "Treatment Review", dsr.ScopeSharing: "information sharing"}[scope],
			"the policy says what the consent is for")
	}
	assert.Equal(t, map[string]r4.ConsentState{
		dsr.ScopeDSR: r4.ConsentStateActive, dsr.ScopeCETR: r4.ConsentStateInactive, dsr.ScopeSharing: r4.ConsentStateActive,
	}, got, "consent to a C(E)TR withdrawn: inactive; the rest hold")

	// A parent's consent confirmed by the young person at 16: the
	// parent's is inactive from the day of the confirmation, the young
	// person's holds.
	rs = decode(t, export(t, reg, confirmedID))
	states := map[string][]r4.ConsentState{}
	for _, c := range rs.consents {
		states[*c.Extension[0].ValueCoding.Code] = append(states[*c.Extension[0].ValueCoding.Code], c.Status)
	}
	assert.Equal(t, map[string][]r4.ConsentState{
		dsr.ByParent: {r4.ConsentStateInactive, r4.ConsentStateInactive}, dsr.BySelf: {r4.ConsentStateActive, r4.ConsentStateActive},
	}, states)

	rs = decode(t, export(t, reg, adultID))
	require.Len(t, rs.consents, 2, "inclusion and sharing")
	assert.Equal(t, "urn:uuid:"+*rs.patients[0].Id, *rs.consents[0].Performer[0].Reference, "given by the person")
}

func TestExportIsStableAndAudited(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	first := export(t, reg, inpatientID)
	again := export(t, reg, inpatientID)
	assert.Equal(t, string(first), string(again), "the same register, the same bundle: ids derive from pseudonyms")
	b, err := fhir.Bundle(ctx, reg, inpatientID, asOf, staff, fhir.Because("shared care record upload"))
	require.NoError(t, err)
	audit, err := reg.Audit(ctx, inpatientID, register.Actor{ID: "admin-1", Role: register.RoleAdmin})
	require.NoError(t, err)
	whys := map[string]int{}
	for _, e := range audit {
		if e.Read {
			whys[e.Why]++
			assert.Equal(t, staff, e.By)
		}
	}
	assert.Equal(t, 6, whys["FHIR R4 export"], "two exports, each reading details, standing and case")
	assert.Equal(t, 3, whys["shared care record upload"])
	require.NotEmpty(t, b.Entry)

	// Ids are unique across everyone.
	all, _, err := fhir.BundleAll(ctx, reg, asOf, staff)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, e := range all.Entry {
		assert.False(t, seen[*e.FullUrl], "fullUrl %s twice", *e.FullUrl)
		seen[*e.FullUrl] = true
	}

	_, _, err = fhir.BundleAll(ctx, reg, asOf, register.Actor{})
	var ve *dsr.ValidationError
	assert.True(t, errors.As(err, &ve), "who exports is required")
}

// BenchmarkBundle: one person's bundle (an inpatient with two spells and
// two reviews), reads and audits included.
func BenchmarkBundle(b *testing.B) {
	reg, clk := newRegister(b)
	populate(b, reg, clk)
	for b.Loop() {
		if _, err := fhir.Bundle(ctx, reg, inpatientID, asOf, staff); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidate: the FHIR R4 JSON Schema check of one such bundle.
func BenchmarkValidate(b *testing.B) {
	v := fhirtest.Schema(b)
	reg, clk := newRegister(b)
	populate(b, reg, clk)
	bundle, err := fhir.Bundle(ctx, reg, inpatientID, asOf, staff)
	require.NoError(b, err)
	raw, err := fhir.Marshal(bundle)
	require.NoError(b, err)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if err := v.Validate(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// TestOnlyPeopleWithConsentToShareAreExported: a shared care record is
// information sharing, so someone is exported only with consent to share
// that holds on the export's date. Each unshared person is refused alone,
// with an error that names the rule and nobody, after only their case was
// read; everyone's bundle leaves them out and counts them by rule.
func TestOnlyPeopleWithConsentToShareAreExported(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	admin := register.Actor{ID: "admin-1", Role: register.RoleAdmin}
	for id, rule := range unshared {
		_, err := fhir.Bundle(ctx, reg, id, asOf, staff)
		require.ErrorIs(t, err, fhir.ErrNoSharingConsent, id)
		assert.Contains(t, err.Error(), rule+": ", "%s: the rule that decided", id)
		assert.Contains(t, err.Error(), "scope sharing", "what is missing")
		assert.NotContains(t, err.Error(), id, "the refusal names nobody")
		assert.NotContains(t, err.Error(), string(nhs[id]))
		assert.NotContains(t, err.Error(), unsharedName)

		audit, err := reg.Audit(ctx, id, admin)
		require.NoError(t, err)
		var reads []string
		for _, e := range audit {
			if e.Read {
				reads = append(reads, e.What)
			}
		}
		assert.Len(t, reads, 1, "%s: only the case is read, to judge consent: %v", id, reads)
	}

	// The same people on a day they did hold it: the lapsed young person
	// before their 16th birthday, the unshared before the withdrawal.
	for _, id := range []string{lapsedID, unsharedID} {
		_, err := fhir.Bundle(ctx, reg, id, day("2026-04-09"), staff)
		assert.NoError(t, err, "%s on 9 April", id)
	}
	// And the shared on a day before they gave it.
	_, err := fhir.Bundle(ctx, reg, gillickID, day("2026-03-04"), staff)
	assert.ErrorIs(t, err, fhir.ErrNoSharingConsent, "the day before the consent to share")

	all, sum, err := fhir.BundleAll(ctx, reg, asOf, staff)
	require.NoError(t, err)
	raw, err := fhir.Marshal(all)
	require.NoError(t, err)
	for id := range unshared {
		assert.NotContains(t, string(raw), string(nhs[id]), "no unshared person's NHS number")
		assert.NotContains(t, string(raw), `"`+id+`"`, "no unshared person's local id")
	}
	assert.NotContains(t, string(raw), unsharedName)
	assert.Equal(t, len(shared), len(decode(t, raw).patients), "at least the shared are exported")
	assert.Equal(t, fhir.Summary{People: len(shared), LeftOut: []fhir.LeftOut{
		{Rule: "R-CONS-1", Reason: "no consent to share is recorded", People: 1},
		{Rule: "R-CONS-2", Reason: "the latest consent to share was given by someone who could not give it", People: 1},
		{Rule: "R-CONS-3", Reason: "a parent's consent to share lapsed at the 16th birthday and the young person has not confirmed it", People: 1},
		{Rule: "R-CONS-4", Reason: "consent to share was withdrawn", People: 1},
	}}, sum)
	line := sum.String()
	assert.Contains(t, line, "6 people exported, 4 left out without consent to share: 1 no consent to share is recorded (R-CONS-1); ")
	for id := range unshared {
		assert.NotContains(t, line, id)
	}
}

// TestTheAreasConsentParametersJudgeSharing: a Gillick-competent child's
// own consent to share holds where the area allows Gillick competence
// (national-2023, the default), and not where it does not (R-CONS-2); a
// parent's consent to share does not lapse at 16 where the area says it
// does not (R-CONS-3).
func TestTheAreasConsentParametersJudgeSharing(t *testing.T) {
	reg, clk := newRegister(t)
	populate(t, reg, clk)
	_, err := fhir.Bundle(ctx, reg, gillickID, asOf, staff)
	require.NoError(t, err, "national-2023 allows a Gillick-competent child to consent")
	_, err = fhir.Bundle(ctx, reg, gillickID, asOf, staff, fhir.WithConsentParams(consent.National2023))
	require.NoError(t, err)

	noGillick := consent.National2023
	noGillick.GillickAllowed = false
	_, err = fhir.Bundle(ctx, reg, gillickID, asOf, staff, fhir.WithConsentParams(noGillick))
	require.ErrorIs(t, err, fhir.ErrNoSharingConsent)
	assert.Contains(t, err.Error(), "R-CONS-2: ")
	assert.Contains(t, err.Error(), "Gillick competent")

	noLapse := consent.National2023
	noLapse.ParentConsentLapses = false
	_, err = fhir.Bundle(ctx, reg, lapsedID, asOf, staff, fhir.WithConsentParams(noLapse))
	assert.NoError(t, err, "a parent's consent to share that does not lapse")
	_, sum, err := fhir.BundleAll(ctx, reg, asOf, staff, fhir.WithConsentParams(noGillick))
	require.NoError(t, err)
	assert.Equal(t, len(shared)-1, sum.People, "the Gillick-competent child left out")
	assert.Equal(t, 2, sum.LeftOut[1].People, "R-CONS-2: the bad giver and the Gillick-competent child")
}
