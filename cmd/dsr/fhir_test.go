package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	r4 "github.com/samply/golang-fhir-models/fhir-models/fhir"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
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

// TestFHIRExportOfTheDemoRegister: every person of the demo register (240
// synthetic people, inpatients and C(E)TRs among them), with removals,
// withdrawals and post-admission and inpatient reviews added, exports as
// a bundle the FHIR R4 JSON Schema accepts; NHS numbers and local ids come
// back from the bundle; reviews carry R-CODE-1's SNOMED CT codes; the
// withdrawn are absent from --all and refused alone, the refusal naming
// nobody.
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
	reviewed := 0
	for i, id := range ids {
		c, err := reg.Case(ctx, id, asOf, by)
		require.NoError(t, err)
		f := dsr.Derive(&c)
		switch {
		case i%40 == 7:
			d, err := reg.Details(ctx, id, by)
			require.NoError(t, err)
			withdrawn[id] = d.Person.NHSNumber
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: asOf, By: dsr.BySelf}, by))
		case i%40 == 3:
			removed[id] = true
			require.NoError(t, reg.Remove(ctx, id, register.RemovedMovedArea, by, "transfer letter"))
		case f.Inpatient && reviewed < 10:
			reviewed++
			in := f.Current().Admitted
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventReviewHeld, Date: in.AddDays(1), Kind: dsr.ReviewPostAdmission}, by))
			require.NoError(t, reg.Record(ctx, id, dsr.Event{Type: dsr.EventReviewHeld, Date: asOf, Kind: dsr.ReviewInpatient}, by))
		}
	}
	require.NotEmpty(t, withdrawn)
	require.NotEmpty(t, removed)
	require.Positive(t, reviewed, "the demo has inpatients")

	// Every person alone: valid, and their identifiers come back.
	local := fhir.LocalIDSystemBase + reg.ID()
	snomed := map[string]int{}
	kinds := map[string]int{}
	for _, id := range ids {
		if _, ok := withdrawn[id]; ok {
			continue
		}
		b, err := fhir.Bundle(ctx, reg, id, asOf, by)
		require.NoError(t, err, id)
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
	assert.Len(t, es.patients, len(ids)-len(withdrawn), "everyone held but the withdrawn")
	t.Logf("--all: %d bytes, %v", len(raw), es.types)
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
