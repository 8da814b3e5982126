package register_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// namedRules are regRules naming their policy, so Due caches their items
// in the store (register.PolicyNamer).
type namedRules struct {
	regRules
	digest string
}

func (n namedRules) Policy() dsr.PolicyRef {
	return dsr.PolicyRef{Name: "reg-rules", Version: "1", Digest: n.digest, Engine: "go"}
}

// twin is one of two registers driven through the same operations: one
// with the snapshots and the due caches, one without.
type twin struct {
	name  string
	store *memstore.Store
	kek   register.KeyWrapper
	reg   *register.Register
	opts  []register.Option
	rules dsr.Rules
}

func (w *twin) open(t *rapid.T, clk *regClock) {
	reg, err := register.Open(regCtx, w.store, w.rules, append([]register.Option{register.WithKeys(w.kek), register.WithClock(clk.Now),
		register.WithConsentPolicy(consent.National2023), register.WithWorkers(2)}, w.opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	w.reg = reg
}

// errText is an error's text with the twin's stream names made neutral
// (each register has its own pseudonym key), "" for nil.
func (w *twin) errText(err error, ids []string) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	for _, id := range ids {
		s = strings.ReplaceAll(s, w.reg.PersonStream(id), "person/P")
	}
	return s
}

// TestSnapshotsAndDueCacheChangeNothing is a property: two registers, one
// with the snapshots and the due caches (in memory and in the store) and
// one with both turned off, driven through the same random operations
// (events of every kind, back-dated, some refused; reports, agreements,
// removals, withdrawals, the clock moving on, the rules' digest changing,
// the register reopened cold) accept and refuse the same writes with the
// same errors, and give the same worklist for any date asked, before or
// after today, and the same cases.
func TestSnapshotsAndDueCacheChangeNothing(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		clk := &regClock{}
		today := regDay("2026-01-05")
		clk.Set(today)
		digest := "d1"
		fast := &twin{name: "with caches", store: memstore.New(), kek: register.MemoryKey(), rules: namedRules{digest: digest}}
		slow := &twin{name: "without", store: memstore.New(), kek: register.MemoryKey(), rules: namedRules{digest: digest},
			opts: []register.Option{register.WithSnapshots(false), register.WithDueCache(false)}}
		twins := []*twin{fast, slow}
		for _, w := range twins {
			w.open(t, clk)
		}
		var ids []string
		both := func(what string, f func(*twin) error) {
			var texts [2]string
			for i, w := range twins {
				texts[i] = w.errText(f(w), ids)
			}
			if texts[0] != texts[1] {
				t.Fatalf("%s: with caches %q, without %q", what, texts[0], texts[1])
			}
		}
		pick := func(t *rapid.T) string {
			if len(ids) == 0 {
				// rapid's way to say this action does not apply in this
				// state: the run draws another action, the check goes on.
				t.Skip("nobody added yet")
			}
			return rapid.SampledFrom(ids).Draw(t, "person")
		}
		t.Repeat(map[string]func(*rapid.T){
			"add": func(t *rapid.T) {
				id := fmt.Sprintf("p%02d", len(ids))
				np := regPerson(id, len(ids)+1)
				np.Events[0].Date = today.AddDays(-rapid.IntRange(0, 20).Draw(t, "consent_days_ago"))
				if rapid.Bool().Draw(t, "inpatient") {
					np.Events = append(np.Events, dsr.Event{Type: dsr.EventAdmitted, Date: np.Events[0].Date, Security: "general"})
				}
				np.Circumstances.InCrisis = rapid.Bool().Draw(t, "crisis")
				var added error
				both("add", func(w *twin) error {
					err := w.reg.Add(regCtx, np, regStaff)
					added = err
					return err
				})
				if added == nil { // refused alike (a parent's consent once the child is 16, say): nobody to follow
					ids = append(ids, id)
				}
			},
			"record": func(t *rapid.T) {
				id := pick(t)
				day := today.AddDays(-rapid.IntRange(0, 40).Draw(t, "days_ago"))
				ev := rapid.SampledFrom([]dsr.Event{
					{Type: dsr.EventRegisterReviewed, Date: day},
					{Type: dsr.EventReviewHeld, Kind: dsr.ReviewCommunity, Date: day},
					{Type: dsr.EventCrisisTeamEpisode, Date: day},
					{Type: dsr.EventAdmitted, Date: day, Security: "general"},
					{Type: dsr.EventAdmitted, Date: day, Security: "no-such-security"},
					{Type: dsr.EventDischarged, Date: day},
					{Type: dsr.EventTransferred, Date: day, Security: "medium"},
					{Type: dsr.EventConsentGiven, Date: day, GivenBy: dsr.ByParent},
					{Type: dsr.EventRegisterReviewed, Date: today.AddDays(1)},
					{Type: dsr.EventRegisterReviewed, Date: regDay("2001-01-01")},
				}).Draw(t, "event")
				both("record "+string(ev.Type), func(w *twin) error { return w.reg.Record(regCtx, id, ev, regStaff) })
			},
			"record at a version": func(t *rapid.T) {
				id := pick(t)
				v, err := fast.reg.Version(regCtx, id)
				if err != nil {
					// Not applicable in this state (rapid draws another action).
					t.Skip("no version: erased or unknown")
				}
				v -= int64(rapid.IntRange(0, 1).Draw(t, "stale"))
				ev := dsr.Event{Type: dsr.EventRegisterReviewed, Date: today}
				both("record at a version", func(w *twin) error { return w.reg.Record(regCtx, id, ev, regStaff, register.IfVersion(v)) })
			},
			"report": func(t *rapid.T) {
				id := pick(t)
				c := dsr.Circumstances{InCrisis: rapid.Bool().Draw(t, "crisis"), MentalHealthDeteriorating: rapid.Bool().Draw(t, "deteriorating")}
				both("report", func(w *twin) error { return w.reg.Report(regCtx, id, today, c, regStaff) })
			},
			"agree": func(t *rapid.T) {
				id := pick(t)
				r := rapid.SampledFrom([]dsr.Rating{dsr.Green, dsr.Amber, dsr.Red, dsr.Blue}).Draw(t, "rating")
				both("agree", func(w *twin) error { return w.reg.Agree(regCtx, id, r, "agreed at the meeting", regStaff) })
			},
			"change details": func(t *rapid.T) {
				id := pick(t)
				patch := fmt.Sprintf(`{"entry": {"team": %q, "care_coordinator": %q}}`,
					rapid.SampledFrom([]string{"North", "South", ""}).Draw(t, "team"), rapid.SampledFrom([]string{"C1", "C2"}).Draw(t, "coordinator"))
				both("change details", func(w *twin) error {
					_, _, err := w.reg.ChangeDetails(regCtx, id, []byte(patch), regStaff)
					return err
				})
			},
			"agree after the fact": func(t *rapid.T) {
				id := pick(t)
				at := today.AddDays(-rapid.IntRange(0, 3).Draw(t, "days_ago")).Start().Add(19 * time.Hour)
				both("agree after the fact", func(w *twin) error {
					return w.reg.Agree(regCtx, id, dsr.Amber, "agreed at last night's meeting", regStaff, register.At(at))
				})
			},
			"remove": func(t *rapid.T) {
				id := pick(t)
				both("remove", func(w *twin) error { return w.reg.Remove(regCtx, id, register.RemovedMovedArea, regStaff, "letter") })
			},
			"withdraw": func(t *rapid.T) {
				id := pick(t)
				ev := dsr.Event{Type: dsr.EventConsentWithdrawn, Date: today, Scope: []string{dsr.ScopeDSR}}
				both("withdraw", func(w *twin) error { return w.reg.Record(regCtx, id, ev, regStaff) })
			},
			"tick": func(t *rapid.T) {
				today = today.AddDays(rapid.IntRange(1, 20).Draw(t, "days"))
				clk.Set(today)
			},
			"new bundle": func(t *rapid.T) {
				digest += "'"
				for _, w := range twins {
					w.rules = namedRules{digest: digest}
					w.open(t, clk)
				}
			},
			"reopen cold": func(t *rapid.T) { fast.open(t, clk) },
			"": func(t *rapid.T) {
				asOf := today.AddDays(rapid.IntRange(-30, 30).Draw(t, "as_of"))
				var got [2][]register.WorkItem
				for i, w := range twins {
					items, err := w.reg.Due(regCtx, asOf)
					if err != nil {
						t.Fatalf("Due %s on %s: %v", w.name, asOf, err)
					}
					got[i] = items
				}
				if !reflect.DeepEqual(got[0], got[1]) {
					t.Fatalf("Due on %s:\nwith caches %+v\nwithout     %+v", asOf, got[0], got[1])
				}
				var lists [2][]register.ListEntry
				for i, w := range twins {
					l, err := w.reg.List(regCtx, asOf, register.ListFilter{})
					if err != nil {
						t.Fatalf("List %s on %s: %v", w.name, asOf, err)
					}
					lists[i] = l
				}
				if !reflect.DeepEqual(lists[0], lists[1]) {
					t.Fatalf("List on %s:\nwith caches %+v\nwithout     %+v", asOf, lists[0], lists[1])
				}
				for _, id := range ids {
					var cases [2]dsr.Case
					for i, w := range twins {
						c, err := w.reg.Case(regCtx, id, asOf, regStaff)
						if err != nil && !errors.Is(err, register.ErrErased) {
							t.Fatalf("Case of %s %s: %v", id, w.name, err)
						}
						cases[i] = c
					}
					if !reflect.DeepEqual(cases[0], cases[1]) {
						t.Fatalf("Case of %s on %s differs:\nwith caches %+v\nwithout     %+v", id, asOf, cases[0], cases[1])
					}
				}
				for _, w := range twins {
					if err := w.reg.Verify(regCtx); err != nil {
						t.Fatalf("Verify %s: %v", w.name, err)
					}
				}
			},
		})
	})
}

// TestRecordWritesOneRecordAndASnapshot shows that Record on a person with a
// snapshot reads no record of their stream (the memory store's records are
// made unreadable, and the write still goes through), and that without the
// snapshot it reads them all (the same write is refused as tampered).
func TestRecordWritesOneRecordAndASnapshot(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(fmt.Sprint("snapshots ", on), func(t *testing.T) {
			reg, store, _ := newReg(t, register.WithSnapshots(on))
			mustAdd(t, reg, regPerson("a1", 1))
			ev := dsr.Event{Type: dsr.EventRegisterReviewed, Date: regDay("2026-04-01")}
			if err := reg.Record(regCtx, "a1", ev, regStaff); err != nil {
				t.Fatal(err)
			}
			// The first record of the person's own stream (after their NHS
			// number's and their name's index records), changed behind
			// the register's back: a full read finds it, a snapshot read
			// does not look.
			store.Tamper(3, func(r *register.Record) { r.Payload[len(r.Payload)-1] ^= 1 })
			err := reg.Record(regCtx, "a1", ev, regStaff)
			if on && err != nil {
				t.Fatalf("Record with a snapshot: %v", err)
			}
			if !on && !errors.Is(err, register.ErrTampered) {
				t.Fatalf("Record without a snapshot: %v, want ErrTampered", err)
			}
			if err := reg.Verify(regCtx); !errors.Is(err, register.ErrTampered) {
				t.Fatalf("Verify: %v, want ErrTampered", err)
			}
		})
	}
}

// TestBadSnapshotsFallBackAndVerifyReportsThem changes a person's snapshot
// and due-cache row behind the register's back: forged, cut, swapped with
// another person's, or replaced by an older one. Record and Due then read
// the stream in full and give what they give without caches, and Verify
// reports the row.
func TestBadSnapshotsFallBackAndVerifyReportsThem(t *testing.T) {
	day := regDay("2026-04-01")
	cases := []struct {
		name   string
		tamper func(reg *register.Register, store *memstore.Store, old, oldDue []byte)
		// verify is whether Verify must report it (a stale due row is
		// legitimate: it is for an older version).
		verify bool
	}{
		{"a snapshot byte changed", func(reg *register.Register, s *memstore.Store, _, _ []byte) {
			s.TamperSide(reg.PersonStream("a1"), func(snap, _ *[]byte) { (*snap)[len(*snap)-1] ^= 1 })
		}, true},
		{"a snapshot cut", func(reg *register.Register, s *memstore.Store, _, _ []byte) {
			s.TamperSide(reg.PersonStream("a1"), func(snap, _ *[]byte) { *snap = (*snap)[:len(*snap)/2] })
		}, true},
		{"the snapshot of the version before", func(reg *register.Register, s *memstore.Store, old, _ []byte) {
			s.TamperSide(reg.PersonStream("a1"), func(snap, _ *[]byte) { *snap = old })
		}, true},
		{"another person's snapshot", func(reg *register.Register, s *memstore.Store, _, _ []byte) {
			var other []byte
			s.TamperSide(reg.PersonStream("a2"), func(snap, _ *[]byte) { other = *snap })
			s.TamperSide(reg.PersonStream("a1"), func(snap, _ *[]byte) { *snap = other })
		}, true},
		{"a due row byte changed", func(reg *register.Register, s *memstore.Store, _, _ []byte) {
			s.TamperSide(reg.PersonStream("a1"), func(_, due *[]byte) { (*due)[len(*due)-1] ^= 1 })
		}, true},
		{"another person's due row", func(reg *register.Register, s *memstore.Store, _, _ []byte) {
			var other []byte
			s.TamperSide(reg.PersonStream("a2"), func(_, due *[]byte) { other = *due })
			s.TamperSide(reg.PersonStream("a1"), func(_, due *[]byte) { *due = other })
		}, true},
		{"an older due row", func(reg *register.Register, s *memstore.Store, _, oldDue []byte) {
			s.TamperSide(reg.PersonStream("a1"), func(_, due *[]byte) { *due = oldDue })
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			kek := register.MemoryKey()
			reg, store, clk := newReg(t, register.WithKeys(kek))
			rules := namedRules{digest: "d"}
			reopen := func() *register.Register {
				r, err := register.Open(regCtx, store, rules, register.WithKeys(kek), register.WithClock(clk.Now), register.WithConsentPolicy(consent.National2023))
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			reg = reopen()
			mustAdd(t, reg, regPerson("a1", 1))
			mustAdd(t, reg, regPerson("a2", 2))
			if _, err := reg.Due(regCtx, day); err != nil {
				t.Fatal(err)
			}
			var old, oldDue []byte
			store.TamperSide(reg.PersonStream("a1"), func(snap, due *[]byte) { old, oldDue = *snap, *due })
			if err := reg.Record(regCtx, "a1", dsr.Event{Type: dsr.EventRegisterReviewed, Date: day}, regStaff); err != nil {
				t.Fatal(err)
			}
			want, err := reg.Due(regCtx, day)
			if err != nil {
				t.Fatal(err)
			}
			tc.tamper(reg, store, old, oldDue)
			err = reg.Verify(regCtx)
			var ce *register.ChainError
			switch {
			case tc.verify && (!errors.As(err, &ce) || ce.Stream != reg.PersonStream("a1")):
				t.Fatalf("Verify: %v, want a *ChainError naming a1's stream", err)
			case !tc.verify && err != nil:
				t.Fatalf("Verify: %v", err)
			}
			cold := reopen()
			got, err := cold.Due(regCtx, day)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("Due after tampering: %+v, want %+v", got, want)
			}
			ev := dsr.Event{Type: dsr.EventAdmitted, Date: day, Security: "general"}
			if err := cold.Record(regCtx, "a1", ev, regStaff); err != nil {
				t.Fatal(err)
			}
			c, err := cold.Case(regCtx, "a1", day, regStaff)
			if err != nil {
				t.Fatal(err)
			}
			if n := len(c.Events); n != 3 || c.Events[2].Type != dsr.EventAdmitted {
				t.Fatalf("after tampering, the case has %d events: %+v", n, c.Events)
			}
			// Discharged twice: the second is refused, as the whole history
			// says, whatever the snapshot said.
			dis := dsr.Event{Type: dsr.EventDischarged, Date: day}
			if err := cold.Record(regCtx, "a1", dis, regStaff); err != nil {
				t.Fatal(err)
			}
			if err := cold.Record(regCtx, "a1", dis, regStaff); !errors.Is(err, dsr.ErrInvalid) {
				t.Fatalf("a second discharge: %v, want ErrInvalid", err)
			}
			if tc.verify {
				return
			}
			if err := cold.Verify(regCtx); err != nil {
				t.Fatalf("Verify after the writes: %v", err)
			}
		})
	}
}

// TestWithdrawalDeletesSnapshotAndDueRow shows that a withdrawal deletes the
// person's snapshot and due-cache row with their key, in the same append,
// and that Due never writes one back.
func TestWithdrawalDeletesSnapshotAndDueRow(t *testing.T) {
	kek := register.MemoryKey()
	store := memstore.New()
	clk := &regClock{}
	day := regDay("2026-04-01")
	clk.Set(day)
	reg, err := register.Open(regCtx, store, namedRules{digest: "d"}, register.WithKeys(kek), register.WithClock(clk.Now), register.WithConsentPolicy(consent.National2023))
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, reg, regPerson("a1", 1))
	if _, err := reg.Due(regCtx, day); err != nil {
		t.Fatal(err)
	}
	name := reg.PersonStream("a1")
	var snap, due []byte
	store.TamperSide(name, func(s, d *[]byte) { snap, due = *s, *d })
	if snap == nil || due == nil {
		t.Fatalf("before the withdrawal: snapshot %d bytes, due row %d bytes; want both", len(snap), len(due))
	}
	if err := reg.Record(regCtx, "a1", dsr.Event{Type: dsr.EventConsentWithdrawn, Date: day, Scope: []string{dsr.ScopeDSR}}, regStaff); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := reg.Due(regCtx, day); err != nil {
			t.Fatal(err)
		}
	}
	store.TamperSide(name, func(s, d *[]byte) { snap, due = *s, *d })
	if snap != nil || due != nil {
		t.Fatalf("after the withdrawal: snapshot %d bytes, due row %d bytes; want none", len(snap), len(due))
	}
	for _, b := range store.Raw() {
		if len(b) > 0 && strings.Contains(string(b), "dsrside1") {
			t.Fatal("a side row is left in the store")
		}
	}
}
