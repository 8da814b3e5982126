package sqlitestore_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/register"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
	"github.com/dsrkit/dsrkit/register/storetest"
)

func openTemp(t testing.TB) (*sqlitestore.Store, string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "register.db")
	s, err := sqlitestore.Open(context.Background(), file)
	if err != nil {
		t.Fatal(err)
	}
	return s, file
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) register.Store { s, _ := openTemp(t); return s })
}

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

// testKEK is the key-encryption key of every register these tests open:
// the same for the whole process, so a register reopens.
var testKEK = register.MemoryKey()

var (
	ctx   = context.Background()
	staff = register.Actor{ID: "staff-17", Role: "coordinator"}
)

func openRegister(t *testing.T, s register.Store) *register.Register {
	t.Helper()
	reg, err := register.Open(ctx, s, consentRules{}, register.WithKeys(testKEK), register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC) }))
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

// fileBytes reads the database and its write-ahead log, everything of the
// register that is on disk.
func fileBytes(t *testing.T, file string) []byte {
	t.Helper()
	var all []byte
	for _, f := range []string{file, file + "-wal", file + "-journal"} {
		b, err := os.ReadFile(f)
		if err == nil {
			all = append(all, b...)
		}
	}
	return all
}

func TestAfterWithdrawalNothingIdentifiableCanBeRecoveredFromTheFile(t *testing.T) {
	s, file := openTemp(t)
	defer s.Close()
	reg := openRegister(t, s)
	np := personB()
	if err := reg.Add(ctx, np, staff); err != nil {
		t.Fatal(err)
	}
	st, err := s.Stream(ctx, reg.PersonStream("b"))
	if err != nil || len(st.Key) == 0 {
		t.Fatalf("person b's stream: %v", err)
	}
	key := st.Key
	raw := fileBytes(t, file)
	for _, id := range []string{string(np.Person.NHSNumber), np.Name, "Example Road", "1999-05-05"} {
		if bytes.Contains(raw, []byte(id)) {
			t.Fatalf("%q is in the file in plain text", id)
		}
	}
	if !bytes.Contains(raw, key) {
		t.Fatal("test is blind: the key should be in the file before withdrawal")
	}

	if err := reg.Record(ctx, "b", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: calendar.MustParseDate("2026-04-01"), By: dsr.BySelf}, staff); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(fileBytes(t, file), key) {
		t.Fatal("the destroyed key can still be read from the file")
	}
	s.Close()

	s2, err := sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	reg = openRegister(t, s2)
	if _, err := reg.Details(ctx, "b", staff); !errors.Is(err, register.ErrErased) {
		t.Fatalf("details after withdrawal and reopening: %v, want ErrErased", err)
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatalf("the audit trail no longer verifies: %v", err)
	}
}

func TestVerifyFindsARowEditedBehindTheRegistersBack(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	reg := openRegister(t, s)
	if err := reg.Add(ctx, personB(), staff); err != nil {
		t.Fatal(err)
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE records SET actor_role = 'admin' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	err := reg.Verify(ctx)
	var ce *register.ChainError
	if !errors.As(err, &ce) || !errors.Is(err, register.ErrTampered) || ce.Seq != 2 {
		t.Fatalf("Verify: %v, want the record at seq 2", err)
	}
	if _, err := s.DB().Exec(`DELETE FROM records WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	if err := reg.Verify(ctx); !errors.As(err, &ce) || ce.Seq != 2 || !strings.Contains(ce.Problem, "missing") {
		t.Fatalf("Verify after deleting a row: %v", err)
	}
}

func TestMigrationsAreEmbeddedAndAppliedOnce(t *testing.T) {
	ms, err := sqlitestore.Migrations()
	if err != nil || len(ms) == 0 || ms[0].Version != 1 {
		t.Fatalf("migrations %v, %v", ms, err)
	}
	s, file := openTemp(t)
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != len(ms) {
		t.Fatalf("schema version %d, %v", v, err)
	}
	s.Close()
	s, err = sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	var n int
	s.DB().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(ms) {
		t.Fatalf("%d migrations recorded, want %d", n, len(ms))
	}
	if _, err := s.DB().Exec(`INSERT INTO schema_migrations VALUES (999, 'from the future', '2030-01-01')`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := sqlitestore.Open(ctx, file); !errors.Is(err, sqlitestore.ErrSchemaTooNew) {
		t.Fatalf("opening a newer file: %v, want ErrSchemaTooNew", err)
	}
}

// TestAfterRekeyNoOldWrappingSurvivesInTheFile measures secure_delete:
// once a rekey commits, no old wrapped data key, nor the old wrapped
// secrets, is left in the file, its -wal or its free pages.
func TestAfterRekeyNoOldWrappingSurvivesInTheFile(t *testing.T) {
	s, file := openTemp(t)
	defer s.Close()
	reg := openRegister(t, s)
	for i := range 5 {
		np := personB()
		np.Person.ID, np.Person.NHSNumber = fmt.Sprintf("r%d", i), dsr.TestNHSNumber(6000+i)
		if err := reg.Add(ctx, np, staff); err != nil {
			t.Fatal(err)
		}
	}
	var old [][]byte
	if err := s.Streams(ctx, "", func(st register.Stream) error {
		old = append(old, st.Key)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	meta, _ := s.Meta(ctx)
	var m struct{ Secrets []byte }
	if err := json.Unmarshal(meta, &m); err != nil || len(m.Secrets) == 0 {
		t.Fatalf("metadata %s: %v", meta, err)
	}
	old = append(old, []byte(base64.StdEncoding.EncodeToString(m.Secrets)))
	raw := fileBytes(t, file)
	for _, k := range old {
		if !bytes.Contains(raw, k) {
			t.Fatal("test is blind: the wrapped keys should be in the file before the rekey")
		}
	}
	if err := reg.Rekey(ctx, register.MemoryKey()); err != nil {
		t.Fatal(err)
	}
	raw = fileBytes(t, file)
	for i, k := range old {
		if bytes.Contains(raw, k) {
			t.Fatalf("old wrapping %d is still in the file after the rekey", i)
		}
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Details(ctx, "r3", staff); err != nil {
		t.Fatalf("after rekey: %v", err)
	}
}
