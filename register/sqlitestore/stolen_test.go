package sqlitestore_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/attack"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// TestAStolenFileOpensNothing is a property: whatever people a register
// holds and whatever is done to them (events, reports, withdrawals), the
// file and its -wal, taken without the key, open nothing (no window of
// any blob is the AES key of any sealed blob) and hold none of their
// identifiers: not in the records, the snapshots or the due cache.
//
// Each check writes and attacks a SQLite file, so the property runs 25
// checks unless -rapid.checks says otherwise.
func TestAStolenFileOpensNothing(t *testing.T) {
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == f.DefValue {
		f.Value.Set("25")
		defer f.Value.Set(f.DefValue)
	}
	rapid.Check(t, func(rt *rapid.T) {
		dir, err := os.MkdirTemp("", "stolen-")
		if err != nil {
			rt.Fatal(err)
		}
		defer os.RemoveAll(dir)
		file := filepath.Join(dir, "register.db")
		s, err := sqlitestore.Open(ctx, file)
		if err != nil {
			rt.Fatal(err)
		}
		defer s.Close()
		reg, err := register.Open(ctx, s, namedRules{}, register.WithKeys(register.MemoryKey()), register.WithConsentPolicy(consent.National2023),
			register.WithClock(func() time.Time { return time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC) }))
		if err != nil {
			rt.Fatal(err)
		}
		var needles []string
		n := rapid.IntRange(1, 3).Draw(rt, "people")
		for i := range n {
			np := personB()
			np.Person.ID = rapid.StringMatching(`[a-z][a-z0-9-]{5,12}`).Draw(rt, "id") + fmt.Sprint(i)
			np.Person.NHSNumber = dsr.TestNHSNumber(rapid.IntRange(1, 90000).Draw(rt, "nhs")*10 + i)
			np.Person.DateOfBirth = calendar.MustParseDate("1990-01-01").AddDays(rapid.IntRange(0, 4000).Draw(rt, "dob")) // adults: they consent for themselves
			np.Person.Postcode = fmt.Sprintf("ZZ%d %dZZ", 90+i, rapid.IntRange(1, 9).Draw(rt, "pc"))
			np.Name = rapid.StringMatching(`[A-Z][a-z]{4,9} [A-Z][a-z]{4,9}`).Draw(rt, "name")
			if err := reg.Add(ctx, np, staff); err != nil {
				rt.Fatal(err)
			}
			needles = append(needles, np.Person.ID, string(np.Person.NHSNumber), np.Person.DateOfBirth.String(), np.Person.Postcode, np.Name)
			switch rapid.IntRange(0, 2).Draw(rt, "then") {
			case 1:
				ev := dsr.Event{Type: dsr.EventAdmitted, Date: calendar.MustParseDate("2026-03-30"), Security: "general", Hospital: "Synthetic Hospital"}
				if err := reg.Record(ctx, np.Person.ID, ev, staff); err != nil {
					rt.Fatal(err)
				}
				needles = append(needles, "admitted", "Synthetic Hospital")
			case 2:
				ev := dsr.Event{Type: dsr.EventConsentWithdrawn, Date: calendar.MustParseDate("2026-04-01"), By: dsr.BySelf}
				if err := reg.Record(ctx, np.Person.ID, ev, staff); err != nil {
					rt.Fatal(err)
				}
			}
		}
		// The snapshots and the due cache are in the file too.
		if _, err := reg.Due(ctx, calendar.MustParseDate("2026-04-01")); err != nil {
			rt.Fatal(err)
		}
		blobs, err := attack.Blobs(file)
		if err != nil {
			rt.Fatal(err)
		}
		if opened := attack.TryKeys(blobs); len(opened) > 0 {
			rt.Fatalf("%s opened with the key at %s", opened[0].Cipher, opened[0].Key)
		}
		if found, _ := attack.Grep(file, needles); len(found) > 0 {
			rt.Fatalf("in the file in clear: %q", found)
		}
	})
}
