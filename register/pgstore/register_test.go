package pgstore_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/pgstore"
)

// consentRules stands in for a policy bundle: it decides consent with
// consent.National2023 and nothing else.
type consentRules struct{}

func (consentRules) Assess(_ context.Context, c dsr.Case) (dsr.Assessment, error) {
	if err := c.Validate(); err != nil {
		return dsr.Assessment{}, err
	}
	d := consent.National2023.Consent(&c)
	return dsr.Assessment{AsOf: c.AsOf, Consent: d, Eligible: true, OnRegister: d.Valid, Rating: dsr.Green, Reasons: d.Reasons}, nil
}

// testKEK is the key-encryption key of every register these tests open.
var testKEK = register.MemoryKey()

var staff = register.Actor{ID: "staff-17", Role: "coordinator"}

func openRegister(t testing.TB, s register.Store, rules dsr.Rules, day calendar.Date) *register.Register {
	t.Helper()
	reg, err := register.Open(ctx, s, rules, register.WithKeys(testKEK), register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return day.Start().Add(10 * time.Hour) }))
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func personB() register.NewPerson {
	return register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: "b", NHSNumber: dsr.TestNHSNumber(4242), DateOfBirth: calendar.MustParseDate("1999-05-05"), LearningDisability: true, Postcode: "ZZ99 3VZ"},
			Name:   "Person B Synthetic-Surname", Address: "2 Example Road, Sampleton",
		},
		Events: []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.BySelf}},
	}
}

var day = calendar.MustParseDate("2026-04-01")

// A register on PostgreSQL: nothing identifiable in any column, a
// withdrawal destroys the key (the row holds NULL), the details are gone
// after reopening, and the audit trail still verifies.
func TestARegisterOnPostgreSQL(t *testing.T) {
	s, dsn := openFresh(t)
	reg := openRegister(t, s, consentRules{}, day)
	np := personB()
	if err := reg.Add(ctx, np, staff); err != nil {
		t.Fatal(err)
	}
	var dump []byte
	rows, err := s.Pool().Query(ctx, `SELECT convert_to(r::text, 'UTF8') FROM records r UNION ALL SELECT convert_to(s::text, 'UTF8') FROM streams s UNION ALL SELECT data FROM meta`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var b []byte
		rows.Scan(&b)
		dump = append(dump, b...)
	}
	rows.Close()
	if len(dump) < 500 {
		t.Fatalf("test is blind: the dump has %d bytes", len(dump))
	}
	for _, id := range []string{string(np.Person.NHSNumber), np.Name, "Example Road", "1999-05-05", "ZZ99"} {
		if bytes.Contains(dump, []byte(id)) {
			t.Fatalf("%q is in the database in plain text", id)
		}
	}
	if err := reg.Record(ctx, "b", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: day, By: dsr.BySelf}, staff); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM streams WHERE key IS NOT NULL AND key_destroyed`); n != 0 {
		t.Fatal("a destroyed key is still in its row")
	}
	s.Close()
	s2, err := pgstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	reg = openRegister(t, s2, consentRules{}, day)
	if _, err := reg.Details(ctx, "b", staff); !errors.Is(err, register.ErrErased) {
		t.Fatalf("details after withdrawal and reopening: %v, want ErrErased", err)
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatalf("the audit trail no longer verifies: %v", err)
	}
}

func TestVerifyFindsARowEditedBehindTheRegistersBack(t *testing.T) {
	s, _ := openFresh(t)
	reg := openRegister(t, s, consentRules{}, day)
	if err := reg.Add(ctx, personB(), staff); err != nil {
		t.Fatal(err)
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE records SET actor_role = 'commissioner' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	err := reg.Verify(ctx)
	var ce *register.ChainError
	if !errors.As(err, &ce) || !errors.Is(err, register.ErrTampered) || ce.Seq != 2 {
		t.Fatalf("Verify: %v, want the record at seq 2", err)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM records WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	if err := reg.Verify(ctx); !errors.As(err, &ce) || ce.Seq != 2 || !strings.Contains(ce.Problem, "missing") {
		t.Fatalf("Verify after deleting a row: %v", err)
	}
}

func TestRekeyOnPostgreSQL(t *testing.T) {
	s, _ := openFresh(t)
	reg := openRegister(t, s, consentRules{}, day)
	if err := reg.Add(ctx, personB(), staff); err != nil {
		t.Fatal(err)
	}
	next := register.MemoryKey()
	if err := reg.Rekey(ctx, next); err != nil {
		t.Fatal(err)
	}
	if _, err := register.Open(ctx, s, consentRules{}, register.WithKeys(testKEK)); !errors.Is(err, register.ErrNoKey) {
		t.Fatalf("the old key after a rekey: %v, want ErrNoKey", err)
	}
	reg, err := register.Open(ctx, s, consentRules{}, register.WithKeys(next), register.WithConsentPolicy(consent.National2023))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := reg.Details(ctx, "b", staff); err != nil || d.Name != personB().Name {
		t.Fatalf("details under the new key: %+v, %v", d, err)
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}
