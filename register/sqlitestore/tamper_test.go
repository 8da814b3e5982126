package sqlitestore_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// tamperPeople is how many people the tamper tests hold: four records
// each (the NHS number's index record, then three of their own: person
// t01's are records 6, 7 and 8), so the last 20 rows span several streams.
const tamperPeople = 10

func tamperPerson(i int) register.NewPerson {
	np := personB()
	np.Person.ID = fmt.Sprintf("t%02d", i)
	np.Person.NHSNumber = dsr.TestNHSNumber(5000 + i)
	np.Name = "" // no name index record, so each person has the four records above
	return np
}

// tamperRegister is a SQLite register of tamperPeople people with its
// checkpoint in a file beside it.
func tamperRegister(t *testing.T) (*register.Register, *sqlitestore.Store) {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlitestore.Open(ctx, filepath.Join(dir, "register.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	reg, err := register.Open(ctx, s, consentRules{}, register.WithKeys(testKEK), register.WithConsentPolicy(consent.National2023),
		register.WithCheckpoints(register.FileCheckpoints(filepath.Join(dir, "register.checkpoint"))),
		register.WithClock(func() time.Time { return time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC) }))
	if err != nil {
		t.Fatal(err)
	}
	for i := range tamperPeople {
		if err := reg.Add(ctx, tamperPerson(i), staff); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatalf("before tampering: %v", err)
	}
	return reg, s
}

func exec(t *testing.T, s *sqlitestore.Store, q string, args ...any) {
	t.Helper()
	if _, err := s.DB().Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestTamperingIsFoundByVerifyAndRefusedByReads changes the file as an
// attacker with write access but no key would, and checks that Verify
// reports each change with its sequence number, and that History of the
// person whose stream is broken, and Due, refuse to serve it.
func TestTamperingIsFoundByVerifyAndRefusedByReads(t *testing.T) {
	last := int64(4 * tamperPeople)
	cases := []struct {
		name string
		// person is whose stream is broken ("" when no stream is left to
		// read); seq the record Verify must name (0: a stream's row).
		person string
		seq    int64
		tamper func(t *testing.T, reg *register.Register, s *sqlitestore.Store)
	}{
		{"a ciphertext byte changed", "t01", 7, func(t *testing.T, _ *register.Register, s *sqlitestore.Store) {
			// Byte 21 made another byte than it was (setting it to 0 left a
			// byte that was 0 already unchanged, one run in 256).
			exec(t, s, `UPDATE records SET payload = substr(payload, 1, 20) ||
				CASE WHEN substr(payload, 21, 1) = x'00' THEN x'01' ELSE x'00' END || substr(payload, 22) WHERE seq = 7`)
		}},
		{"an audit column changed", "t01", 6, func(t *testing.T, _ *register.Register, s *sqlitestore.Store) {
			exec(t, s, `UPDATE records SET actor_id = 'someone-else' WHERE seq = 6`)
		}},
		{"two rows reordered", "t01", 6, func(t *testing.T, _ *register.Register, s *sqlitestore.Store) {
			exec(t, s, `UPDATE records SET seq = -1 WHERE seq = 6`)
			exec(t, s, `UPDATE records SET seq = 6 WHERE seq = 7`)
			exec(t, s, `UPDATE records SET seq = 7 WHERE seq = -1`)
		}},
		{"a middle row deleted", "t01", 7, func(t *testing.T, _ *register.Register, s *sqlitestore.Store) {
			exec(t, s, `DELETE FROM records WHERE seq = 7`)
		}},
		{"the last row deleted", fmt.Sprintf("t%02d", tamperPeople-1), last, func(t *testing.T, _ *register.Register, s *sqlitestore.Store) {
			exec(t, s, `DELETE FROM records WHERE seq = ?`, last)
		}},
		{"the last 20 rows deleted", "t05..", last - 19, func(t *testing.T, _ *register.Register, s *sqlitestore.Store) {
			exec(t, s, `DELETE FROM records WHERE seq > ?`, last-20)
		}},
		{"the last 20 rows and their streams deleted", "", last - 19, func(t *testing.T, _ *register.Register, s *sqlitestore.Store) {
			exec(t, s, `DELETE FROM streams WHERE name IN (SELECT stream FROM records WHERE seq > ?)`, last-20)
			exec(t, s, `DELETE FROM records WHERE stream NOT IN (SELECT name FROM streams)`)
		}},
		{"a whole stream deleted from the middle", "", 6, func(t *testing.T, reg *register.Register, s *sqlitestore.Store) {
			exec(t, s, `DELETE FROM records WHERE stream = ?`, reg.PersonStream("t01"))
			exec(t, s, `DELETE FROM streams WHERE name = ?`, reg.PersonStream("t01"))
		}},
		{"a stream's row deleted", "", 8, func(t *testing.T, reg *register.Register, s *sqlitestore.Store) {
			exec(t, s, `DELETE FROM streams WHERE name = ?`, reg.PersonStream("t01"))
		}},
		{"a key nulled", "t01", 0, func(t *testing.T, reg *register.Register, s *sqlitestore.Store) {
			exec(t, s, `UPDATE streams SET key = NULL WHERE name = ?`, reg.PersonStream("t01"))
		}},
		{"a key nulled and marked destroyed", "t01", 0, func(t *testing.T, reg *register.Register, s *sqlitestore.Store) {
			exec(t, s, `UPDATE streams SET key = NULL, key_destroyed = 1 WHERE name = ?`, reg.PersonStream("t01"))
		}},
		{"two keys swapped", "t01|t02", 0, func(t *testing.T, reg *register.Register, s *sqlitestore.Store) {
			a, b := reg.PersonStream("t01"), reg.PersonStream("t02")
			var ka, kb []byte
			s.DB().QueryRow(`SELECT key FROM streams WHERE name = ?`, a).Scan(&ka)
			s.DB().QueryRow(`SELECT key FROM streams WHERE name = ?`, b).Scan(&kb)
			exec(t, s, `UPDATE streams SET key = ? WHERE name = ?`, kb, a)
			exec(t, s, `UPDATE streams SET key = ? WHERE name = ?`, ka, b)
		}},
		{"a record forged by code that knows the format but not the key", "t01", last + 1, func(t *testing.T, reg *register.Register, s *sqlitestore.Store) {
			// The forger copies t01's last payload as a new record, links it
			// to the log's head and hashes it as the format says, with
			// SHA-256 for want of the chain key, and moves the stream's row on.
			name := reg.PersonStream("t01")
			var prev, payload []byte
			if err := s.DB().QueryRow(`SELECT hash FROM records WHERE seq = ?`, last).Scan(&prev); err != nil {
				t.Fatal(err)
			}
			if err := s.DB().QueryRow(`SELECT payload FROM records WHERE stream = ? AND version = 3`, name).Scan(&payload); err != nil {
				t.Fatal(err)
			}
			rec := register.Record{Seq: last + 1, Stream: name, Version: 4, Type: "person_removed", At: time.Date(2026, 4, 1, 11, 0, 0, 0, time.UTC),
				ActorID: staff.ID, ActorRole: staff.Role, Payload: payload, Prev: prev}
			h := sha256.Sum256(rec.CanonicalJSON())
			rec.Hash = h[:]
			exec(t, s, `INSERT INTO records (seq, stream, version, type, at, actor_id, actor_role, payload, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				rec.Seq, rec.Stream, rec.Version, rec.Type, rec.At.Format(time.RFC3339Nano), rec.ActorID, rec.ActorRole, rec.Payload, rec.Prev, rec.Hash)
			mac := sha256.Sum256(append([]byte(name), rec.Hash...))
			exec(t, s, `UPDATE streams SET version = 4, head = ?, mac = ? WHERE name = ?`, rec.Hash, mac[:], name)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reg, s := tamperRegister(t)
			tc.tamper(t, reg, s)
			err := reg.Verify(ctx)
			var ce *register.ChainError
			if !errors.As(err, &ce) || !errors.Is(err, register.ErrTampered) {
				t.Fatalf("Verify: %v, want a *ChainError", err)
			}
			if ce.Seq != tc.seq {
				t.Fatalf("Verify named record %d, want %d: %v", ce.Seq, tc.seq, err)
			}
			_, err = reg.Due(ctx, calendar.MustParseDate("2026-04-01"))
			if tc.person == "" {
				// No stream is left broken: what was cut is gone from the file,
				// and only Verify, against the checkpoint and the log, can tell.
				if _, herr := reg.History(ctx, "t01", staff); herr == nil && tc.name == "a whole stream deleted from the middle" {
					t.Fatal("History served a person whose stream was deleted")
				}
				return
			}
			if !errors.As(err, &ce) {
				t.Fatalf("Due served a broken register: %v", err)
			}
			want := reg.PersonStream(tc.person)
			if tc.person == "t05.." { // t05 to the last have lost records
				tc.person = "t05"
				want = reg.PersonStream(tc.person)
				var broken []string
				for i := 5; i < tamperPeople; i++ {
					broken = append(broken, reg.PersonStream(fmt.Sprintf("t%02d", i)))
				}
				if !slices.Contains(broken, ce.Stream) {
					t.Fatalf("Due refused stream %s, want one of %v: %v", ce.Stream, broken, err)
				}
			} else if tc.person == "t01|t02" {
				tc.person = "t01"
				want = reg.PersonStream(tc.person)
				if ce.Stream != want && ce.Stream != reg.PersonStream("t02") {
					t.Fatalf("Due refused stream %s, want t01's or t02's: %v", ce.Stream, err)
				}
			} else if ce.Stream != want {
				t.Fatalf("Due refused stream %s, want %s: %v", ce.Stream, want, err)
			}
			if _, err := reg.History(ctx, tc.person, staff); !errors.As(err, &ce) || ce.Stream != want {
				t.Fatalf("History of %s: %v, want a *ChainError naming its stream", tc.person, err)
			}
		})
	}
}
