package sqlitestore_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// namedRules are consentRules with a register review due 14 days after
// the last one (or the consent), naming their policy so Due caches their
// items in the file (register.PolicyNamer).
type namedRules struct{ consentRules }

func (namedRules) Policy() dsr.PolicyRef {
	return dsr.PolicyRef{Name: "sqlite-test", Version: "1", Digest: "d1", Engine: "go"}
}

func (n namedRules) Assess(ctx context.Context, c dsr.Case) (dsr.Assessment, error) {
	a, err := n.consentRules.Assess(ctx, c)
	if err != nil || !a.OnRegister {
		return a, err
	}
	f := dsr.Derive(&c)
	from := f.LastRegisterReview
	if from.IsZero() && len(f.Consent) > 0 {
		from = f.Consent[len(f.Consent)-1].Date
	}
	due := from.AddDays(14)
	a.Actions = append(a.Actions, dsr.Action{Kind: dsr.ActionDSRReview, From: from, Due: due, Rule: "R-REV-1", Reason: "register review", Overdue: due.Before(c.AsOf)})
	return a, nil
}

var sideDay = calendar.MustParseDate("2026-04-01")

func openNamed(t *testing.T, s register.Store, opts ...register.Option) *register.Register {
	t.Helper()
	reg, err := register.Open(ctx, s, namedRules{}, append([]register.Option{register.WithKeys(testKEK), register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC) })}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func sidePeople(t *testing.T, reg *register.Register, n int) {
	t.Helper()
	for i := range n {
		np := personB()
		np.Person.ID, np.Person.NHSNumber = fmt.Sprintf("s%02d", i), dsr.TestNHSNumber(7000+i)
		if err := reg.Add(ctx, np, staff); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if err := reg.Record(ctx, np.Person.ID, dsr.Event{Type: dsr.EventRegisterReviewed, Date: sideDay.AddDays(-i)}, staff); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// uncachedDue is the worklist of a register over s with no snapshot and no
// due cache.
func uncachedDue(t *testing.T, s register.Store) []register.WorkItem {
	t.Helper()
	items, err := openNamed(t, s, register.WithDueCache(false), register.WithSnapshots(false)).Due(ctx, sideDay)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func count(t *testing.T, s *sqlitestore.Store, q string) int {
	t.Helper()
	var n int
	if err := s.DB().QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestAFileOfSchema2OpensAndUpgrades takes a register file as the schema
// before snapshots left it (version 2, no snapshots or due_cache tables),
// opens it and checks that it is upgraded and works: Record, Due (cached
// cold, then warm) and Verify, with snapshots and due rows written as
// people are touched.
func TestAFileOfSchema2OpensAndUpgrades(t *testing.T) {
	file := filepath.Join(t.TempDir(), "old.db")
	s, err := sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	sidePeople(t, openNamed(t, s), 6)
	// Back to schema 2: streams as migrations 1 and 2 made it, no side
	// tables.
	for _, q := range []string{
		`CREATE TABLE streams_v2 (name TEXT PRIMARY KEY, version INTEGER NOT NULL CHECK (version >= 0), key BLOB,
			key_destroyed INTEGER NOT NULL DEFAULT 0 CHECK (key_destroyed IN (0, 1)), head BLOB, mac BLOB)`,
		`INSERT INTO streams_v2 SELECT name, version, key, key_destroyed, head, mac FROM streams`,
		`DROP TABLE streams`, `ALTER TABLE streams_v2 RENAME TO streams`,
		`DROP TABLE snapshots`, `DROP TABLE due_cache`, `DELETE FROM schema_migrations WHERE version >= 3`,
	} {
		exec(t, s, q)
	}

	s.Close()

	s, err = sqlitestore.Open(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.SchemaVersion(ctx); err != nil || v != 3 {
		t.Fatalf("schema version %d, %v; want 3", v, err)
	}
	if n := count(t, s, `SELECT count(*) FROM snapshots`); n != 0 {
		t.Fatalf("%d snapshots after the upgrade", n)
	}
	if n := count(t, s, `SELECT count(*) FROM sqlite_master WHERE name = 'streams' AND sql LIKE '%WITHOUT ROWID'`); n != 1 {
		t.Fatal("streams was not rebuilt in name order")
	}
	if n := count(t, s, `SELECT count(*) FROM streams`); n != 6*2+1 {
		t.Fatalf("%d streams after the upgrade, want 13 (6 people, 6 NHS numbers, the one name they share)", n)
	}
	reg := openNamed(t, s)
	if err := reg.Record(ctx, "s01", dsr.Event{Type: dsr.EventRegisterReviewed, Date: sideDay}, staff); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM snapshots`); n != 1 {
		t.Fatalf("%d snapshots after one write, want 1", n)
	}
	want := uncachedDue(t, s)
	for i := range 2 {
		got, err := reg.Due(ctx, sideDay)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || len(got) != 6 {
			t.Fatalf("Due %d: %+v, want %+v", i, got, want)
		}
	}
	if n := count(t, s, `SELECT count(*) FROM due_cache`); n != 6 {
		t.Fatalf("%d due rows, want 6", n)
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestTamperedSidesInTheFile changes the snapshots and due rows in the file
// as an attacker with write access but no key would: Verify reports each,
// naming the stream, and Record and Due, read in a new process, fall back
// to the whole stream and give the worklist a register without caches
// gives.
func TestTamperedSidesInTheFile(t *testing.T) {
	cases := []struct {
		name string
		q    string
	}{
		{"a snapshot byte changed", `UPDATE snapshots SET data = substr(data, 1, 60) || x'00' || substr(data, 62) WHERE stream = ?1`},
		{"a due row byte changed", `UPDATE due_cache SET data = substr(data, 1, 60) || x'00' || substr(data, 62) WHERE stream = ?1`},
		{"another person's snapshot", `UPDATE snapshots SET data = (SELECT data FROM snapshots WHERE stream = ?2) WHERE stream = ?1`},
		{"another person's due row", `UPDATE due_cache SET data = (SELECT data FROM due_cache WHERE stream = ?2), version = (SELECT version FROM due_cache WHERE stream = ?2) WHERE stream = ?1`},
		{"a forged snapshot", `UPDATE snapshots SET data = x'6473727369646531' || randomblob(200) WHERE stream = ?1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t)
			defer s.Close()
			reg := openNamed(t, s)
			sidePeople(t, reg, 4)
			if _, err := reg.Due(ctx, sideDay); err != nil {
				t.Fatal(err)
			}
			exec(t, s, tc.q, reg.PersonStream("s01"), reg.PersonStream("s02"))
			var ce *register.ChainError
			if err := reg.Verify(ctx); !errors.As(err, &ce) || ce.Stream != reg.PersonStream("s01") || !errors.Is(err, register.ErrTampered) {
				t.Fatalf("Verify: %v, want a *ChainError naming s01's stream", err)
			}
			cold := openNamed(t, s)
			got, err := cold.Due(ctx, sideDay)
			if err != nil {
				t.Fatal(err)
			}
			if want := uncachedDue(t, s); !reflect.DeepEqual(got, want) {
				t.Fatalf("Due: %+v, want %+v", got, want)
			}
			if err := cold.Record(ctx, "s01", dsr.Event{Type: dsr.EventDischarged, Date: sideDay}, staff); !errors.Is(err, dsr.ErrInvalid) {
				t.Fatalf("a discharge with no admission: %v, want ErrInvalid", err)
			}
			if err := cold.Record(ctx, "s01", dsr.Event{Type: dsr.EventRegisterReviewed, Date: sideDay}, staff); err != nil {
				t.Fatal(err)
			}
			if err := cold.Verify(ctx); tc.name != "a due row byte changed" && tc.name != "another person's due row" && err != nil {
				t.Fatalf("Verify after the write rewrote the snapshot: %v", err)
			}
		})
	}
}

// TestWithdrawalDeletesSidesInTheFile: the withdrawal's transaction deletes
// the person's snapshot and due row with their key.
func TestWithdrawalDeletesSidesInTheFile(t *testing.T) {
	s, _ := openTemp(t)
	defer s.Close()
	reg := openNamed(t, s)
	sidePeople(t, reg, 2)
	if _, err := reg.Due(ctx, sideDay); err != nil {
		t.Fatal(err)
	}
	name := reg.PersonStream("s00")
	q := func(table string) string { return `SELECT count(*) FROM ` + table + ` WHERE stream = '` + name + `'` }
	if count(t, s, q("snapshots")) != 1 || count(t, s, q("due_cache")) != 1 {
		t.Fatal("no snapshot or due row before the withdrawal")
	}
	if err := reg.Record(ctx, "s00", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: sideDay, Scope: []string{dsr.ScopeDSR}}, staff); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Due(ctx, sideDay); err != nil {
		t.Fatal(err)
	}
	if n, m := count(t, s, q("snapshots")), count(t, s, q("due_cache")); n != 0 || m != 0 {
		t.Fatalf("after the withdrawal: %d snapshots, %d due rows", n, m)
	}
}
