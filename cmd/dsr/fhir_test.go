package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	r4 "github.com/samply/golang-fhir-models/fhir-models/fhir"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/fhir"
	"github.com/dsrkit/dsrkit/fhir/fhirtest"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

// fhirEntries decodes a bundle's entries: the resource type of each, and
// the Patients, Flags and Procedures.
type fhirEntries struct {
	types      map[string]int
	patients   []r4.Patient
	flags      []r4.Flag
	procedures []r4.Procedure
}

func decodeFHIR(t *testing.T, raw []byte) fhirEntries {
	t.Helper()
	b, err := r4.UnmarshalBundle(raw)
	require.NoError(t, err)
	out := fhirEntries{types: map[string]int{}}
	for _, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		require.NoError(t, json.Unmarshal(e.Resource, &head))
		out.types[head.ResourceType]++
		switch head.ResourceType {
		case "Patient":
			p, err := r4.UnmarshalPatient(e.Resource)
			require.NoError(t, err)
			out.patients = append(out.patients, p)
		case "Flag":
			f, err := r4.UnmarshalFlag(e.Resource)
			require.NoError(t, err)
			out.flags = append(out.flags, f)
		case "Procedure":
			p, err := r4.UnmarshalProcedure(e.Resource)
			require.NoError(t, err)
			out.procedures = append(out.procedures, p)
		}
	}
	return out
}

func patientID(p r4.Patient, system string) string {
	for _, id := range p.Identifier {
		if id.System != nil && *id.System == system && id.Value != nil {
			return *id.Value
		}
	}
	return ""
}

// TestFHIRExportOfTheDemoRegister: the demo register (240 synthetic
// people, inpatients and C(E)TRs among them), with consents to share
// given by whoever may give them, removals, withdrawals, post-admission
// and inpatient reviews added, and consents to share withdrawn or given by
// someone who could not. Everyone with consent to share exports as a
// bundle the FHIR R4 JSON Schema accepts; NHS numbers and local ids come
// back from the bundle; reviews carry R-CODE-1's SNOMED CT codes. Everyone
// without it is refused alone (R-CONS-1, R-CONS-2, R-CONS-4) and absent
// from --all, which counts them on standard error by rule; the withdrawn
// are absent from --all and refused alone. No refusal, and nothing on
// standard error, names anyone.
func TestFHIRExportOfTheDemoRegister(t *testing.T) {
	v := fhirtest.Schema(t)
	ctx := context.Background()
	setClock(t, "2026-04-02 09:00")
	asOf := calendar.MustParseDate("2026-04-02")
	dir := t.TempDir()
	db, key := filepath.Join(dir, "demo.db"), filepath.Join(dir, "demo.key")
	r := runCLI(t, "", "demo", "--db", db, "--key-file", key)
	require.Equal(t, exitOK, r.code, r.stderr)

	reg, store, _, err := openRegister(ctx, db, policies.DefaultBundle, nil, key, io.Discard, register.WithClock(cliNow))
	require.NoError(t, err)
	ids, err := reg.People(ctx)
	require.NoError(t, err)
	require.Greater(t, len(ids), 200, "the demo's people")
	by := register.Actor{ID: "fhir-test", Role: register.RoleCoordinator}
	withdrawn := map[string]dsr.NHSNumber{}
	removed := map[string]bool{}
	// unshared: everyone held without consent to share, by the rule that
	// decides; the demo records consent for inclusion only.
	unshared := map[string]string{}
	nhsOf := map[string]dsr.NHSNumber{}
	reviewed := 0
	// giver is someone who may give consent for the person today (want
	// true), or someone who may not (want false).
	giver := func(p dsr.Person, want bool) string {
		for _, g := range consent.Givers {
			if ok, _ := consent.National2023.MayConsent(consent.SubjectOf(p), g, asOf); ok == want {
				return string(g)
			}
		}
		t.Fatalf("no giver who may consent: %v", want)
		return ""
	}
	share := func(p dsr.Person) { // inclusion re-confirmed, and sharing
		require.NoError(t, reg.Record(ctx, p.ID, dsr.Event{Type: dsr.EventConsentGiven, Date: asOf, GivenBy: giver(p, true), Scope: []string{dsr.ScopeDSR, dsr.ScopeSharing}}, by))
	}
	for i, id := range ids {
		c, err := reg.Case(ctx, id, asOf, by)
		require.NoError(t, err)
		f := dsr.Derive(&c)
		nhsOf[id] = c.Person.NHSNumber
		unshared[id] = "R-CONS-1"
		switch {
		case i%40 == 7:
			delete(unshared, id)
			withdrawn[id] = c.Person.NHSNumber
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: asOf, By: dsr.BySelf}, by))
		case i%40 == 4:
			// Shared, then removed: exported with an inactive flag.
			share(c.Person)
			delete(unshared, id)
			removed[id] = true
			require.NoError(t, reg.Remove(ctx, id, register.RemovedMovedArea, by, "transfer letter"))
		case i%40 == 3:
			removed[id] = true
			require.NoError(t, reg.Remove(ctx, id, register.RemovedMovedArea, by, "transfer letter"))
		case i%40 == 17:
			share(c.Person)
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: asOf, By: giver(c.Person, true), Scope: []string{dsr.ScopeSharing}}, by))
			unshared[id] = "R-CONS-4"
		case i%40 == 19:
			// Consent for inclusion stands; sharing "consented" by someone
			// who could not.
			share(c.Person)
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventConsentGiven, Date: asOf, GivenBy: giver(c.Person, false), Scope: []string{dsr.ScopeSharing}}, by))
			unshared[id] = "R-CONS-2"
		case f.Inpatient && reviewed < 10:
			reviewed++
			in := f.Current().Admitted
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventReviewHeld, Date: in.AddDays(1), Kind: dsr.ReviewPostAdmission}, by))
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventReviewHeld, Date: asOf, Kind: dsr.ReviewInpatient}, by))
			share(c.Person)
			delete(unshared, id)
		case i%3 == 0:
			share(c.Person)
			delete(unshared, id)
		}
	}
	require.NotEmpty(t, withdrawn)
	require.NotEmpty(t, removed)
	require.Positive(t, reviewed, "the demo has inpatients")
	byRule := map[string]int{}
	for _, rule := range unshared {
		byRule[rule]++
	}
	for _, rule := range []string{"R-CONS-1", "R-CONS-2", "R-CONS-4"} {
		require.Positive(t, byRule[rule], "someone left out by %s", rule)
	}
	sharedN := len(ids) - len(withdrawn) - len(unshared)
	require.Positive(t, sharedN, "someone with consent to share")

	// Every person alone: valid, and their identifiers come back.
	local := fhir.LocalIDSystemBase + reg.ID()
	snomed := map[string]int{}
	kinds := map[string]int{}
	exported, removedExported := 0, 0
	for _, id := range ids {
		if _, ok := withdrawn[id]; ok {
			continue
		}
		b, err := fhir.Bundle(ctx, reg, id, asOf, by)
		if rule, ok := unshared[id]; ok {
			require.ErrorIs(t, err, fhir.ErrNoSharingConsent, id)
			assert.Contains(t, err.Error(), rule+": ", id)
			assert.NotContains(t, err.Error(), id, "the refusal names nobody")
			assert.NotContains(t, err.Error(), string(nhsOf[id]))
			continue
		}
		require.NoError(t, err, id)
		exported++
		raw, err := fhir.Marshal(b)
		require.NoError(t, err)
		require.NoError(t, v.Validate(raw), "%s's bundle", id)
		es := decodeFHIR(t, raw)
		require.Len(t, es.patients, 1)
		d, err := reg.Details(ctx, id, by)
		require.NoError(t, err)
		assert.Equal(t, string(d.Person.NHSNumber), patientID(es.patients[0], fhir.NHSNumberSystem), "%s: the NHS number in the NHS number system", id)
		assert.Equal(t, id, patientID(es.patients[0], local), "%s: the local id in the register's system", id)
		require.Len(t, es.flags, 1)
		if removed[id] {
			removedExported++
			assert.Equal(t, r4.FlagStatusInactive, es.flags[0].Status, id)
			assert.Equal(t, asOf.String(), *es.flags[0].Period.End, id)
		}
		for _, p := range es.procedures {
			var kind, code string
			for _, c := range p.Code.Coding {
				switch *c.System {
				case fhir.ReviewKindSystem:
					kind = *c.Code
				case fhir.SNOMEDSystem:
					code = *c.Code
				}
			}
			want, ok := fhir.ReviewSNOMED(kind)
			assert.True(t, ok, "the demo's reviews are of kinds R-CODE-1 codes")
			assert.Equal(t, want, code, "%s: a %s review", id, kind)
			snomed[code]++
			kinds[kind]++
		}
	}
	for _, code := range []string{fhir.SNOMEDCommunityReview, fhir.SNOMEDPostAdmissionReview, fhir.SNOMEDInpatientReview} {
		assert.Positive(t, snomed[code], "some review coded %s", code)
	}
	t.Logf("reviews exported by kind: %v", kinds)
	t.Logf("%d people held: %d exported (%d of them removed), %d left out by rule %v, %d withdrawn", len(ids), exported, removedExported, len(unshared), byRule, len(withdrawn))
	assert.Equal(t, sharedN, exported)
	assert.Positive(t, removedExported, "someone removed, with consent to share")
	store.Close()

	// Everyone at once, through the CLI.
	out := filepath.Join(dir, "all.json")
	r = runCLI(t, "", "register", "fhir", "--all", "-o", out, "--as-of", asOf.String(), "--db", db, "--key-file", key, "--by", "fhir-test", "--role", "coordinator", "--why", "shared care record")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "wrote "+out)
	raw, err := os.ReadFile(out)
	require.NoError(t, err)
	fi, err := os.Stat(out)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the bundle identifies people")
	require.NoError(t, v.Validate(raw), "everyone's bundle")
	es := decodeFHIR(t, raw)
	assert.Len(t, es.patients, sharedN, "everyone held with consent to share")
	assert.Contains(t, r.stdout, fmt.Sprintf("a FHIR R4 bundle of %d people", sharedN))
	t.Logf("--all: %d bytes, %v; stderr %q", len(raw), es.types, r.stderr)
	want := fmt.Sprintf("%d people exported, %d left out without consent to share: %d no consent to share is recorded (R-CONS-1); %d ", sharedN, len(unshared), byRule["R-CONS-1"], byRule["R-CONS-2"])
	assert.Contains(t, r.stderr, want, "the count of those left out, by rule")
	assert.Contains(t, r.stderr, fmt.Sprintf("; %d consent to share was withdrawn (R-CONS-4)", byRule["R-CONS-4"]))
	for id, rule := range unshared {
		assert.NotContains(t, string(raw), `"`+id+`"`, "no unshared person's local id (%s)", rule)
		assert.NotContains(t, string(raw), string(nhsOf[id]), "no unshared person's NHS number")
		assert.NotContains(t, r.stderr, id, "standard error names nobody")
		assert.NotContains(t, r.stderr, string(nhsOf[id]))
	}
	assert.NotContains(t, r.stderr, "syn-", "standard error names nobody, shared or not")
	for id, n := range withdrawn {
		assert.NotContains(t, string(raw), `"`+id+`"`, "no withdrawn person's local id")
		assert.NotContains(t, string(raw), string(n), "no withdrawn person's NHS number")

		r = runCLI(t, "", "register", "fhir", id, "--as-of", asOf.String(), "--db", db, "--key-file", key, "--by", "fhir-test", "--role", "coordinator")
		assert.Equal(t, exitFailure, r.code)
		assert.Empty(t, r.stdout)
		assert.Contains(t, r.stderr, "R-CONS-4")
		assert.NotContains(t, r.stderr, id, "the refusal names nobody")
		assert.NotContains(t, r.stderr, string(n))
	}
	// Someone without consent to share, alone: refused, exit 1, naming
	// the rule and nobody.
	for id, rule := range unshared {
		r = runCLI(t, "", "register", "fhir", id, "--as-of", asOf.String(), "--db", db, "--key-file", key, "--by", "fhir-test", "--role", "coordinator")
		assert.Equal(t, exitFailure, r.code)
		assert.Empty(t, r.stdout)
		assert.Contains(t, r.stderr, rule+": ")
		assert.Contains(t, r.stderr, "scope sharing")
		assert.NotContains(t, r.stderr, id, "the refusal names nobody")
		assert.NotContains(t, r.stderr, string(nhsOf[id]))
		break
	}
	// The same export again is the same bundle.
	again := filepath.Join(dir, "again.json")
	r = runCLI(t, "", "register", "fhir", "--all", "-o", again, "--as-of", asOf.String(), "--db", db, "--key-file", key, "--by", "fhir-test", "--role", "coordinator")
	require.Equal(t, exitOK, r.code, r.stderr)
	raw2, err := os.ReadFile(again)
	require.NoError(t, err)
	assert.True(t, string(raw) == string(raw2), "re-export is stable")
}

func TestFHIRCommandUsage(t *testing.T) {
	r := runCLI(t, "", "register", "fhir", "--db", "x.db", "--by", "a", "--role", "coordinator")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "want ID or --all")
	r = runCLI(t, "", "register", "fhir", "p1", "--all", "--db", "x.db", "--by", "a", "--role", "coordinator")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "not both")
	r = runCLI(t, "", "register", "fhir", "p1", "--db", "x.db", "--by", "a", "--role", "analyst")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "may not export identifiable records")
	r = runCLI(t, "", "register", "fhir", "-h")
	assert.Equal(t, exitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "Usage: dsr register fhir"))
	r = runCLI(t, "", "register", "fhir", "p1", "--db", filepath.Join(t.TempDir(), "none.db"), "--by", "a", "--role", "coordinator")
	assert.Equal(t, exitUsage, r.code, "a missing register is not created")
	assert.Contains(t, r.stderr, "no such register file")
}
