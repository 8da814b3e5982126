package pgstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// The benchmarks mirror register/sqlitestore's (the same synthetic people,
// the same events) and run each on PostgreSQL and, side by side in the
// same run, on SQLite, so the two compare on one machine:
//
//	scripts/with-postgres.sh go test -run '^$' -bench . -benchtime 100x ./register/pgstore

var benchDay = calendar.MustParseDate("2026-04-01")

// benchStores are the stores compared: a fresh one of each for b.
var benchStores = []struct {
	name string
	open func(b *testing.B) register.Store
}{
	{"postgres", func(b *testing.B) register.Store { s, _ := openFresh(b); return s }},
	{"sqlite", func(b *testing.B) register.Store {
		s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		return s
	}},
}

func benchEngine(b *testing.B, name string) *policies.Engine {
	b.Helper()
	bundle, err := policies.Bundle(name)
	if err != nil {
		b.Fatal(err)
	}
	e, err := policies.Load(context.Background(), bundle)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// benchPerson is synthetic person i, as in register/sqlitestore's
// benchmarks: ages 8 to 57, a parent's or their own consent, one in five
// in crisis, one in seven deteriorating, one in eleven an inpatient.
func benchPerson(i int) register.NewPerson {
	dob := benchDay.AddDays(-(8*365 + (i*379)%(50*365)))
	np := register.NewPerson{Details: register.Details{
		Person: dsr.Person{ID: fmt.Sprintf("p%05d", i), NHSNumber: dsr.TestNHSNumber(i), DateOfBirth: dob, Autism: i%2 == 0, LearningDisability: i%2 == 1},
		Name:   fmt.Sprintf("Synthetic Person %05d", i),
	}}
	given := benchDay.AddDays(-(i % 200))
	by := dsr.BySelf
	if calendar.YearsBetween(dob, given) < 16 {
		by = dsr.ByParent
		if calendar.YearsBetween(dob, benchDay) >= 16 { // confirmed at 16 (R-CONS-3)
			given, by = benchDay, dsr.BySelf
		}
	}
	np.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: given, GivenBy: by}}
	np.Circumstances = dsr.Circumstances{InCrisis: i%5 == 0, CommunityCannotManage: i%5 == 0, MentalHealthDeteriorating: i%7 == 0}
	if i%11 == 0 {
		np.Events = append(np.Events, dsr.Event{Type: dsr.EventAdmitted, Date: benchDay.AddDays(-(i % 90)), Security: "general"})
	}
	return np
}

func benchRegister(b *testing.B, s register.Store, rules dsr.Rules) *register.Register {
	b.Helper()
	reg, err := register.Open(context.Background(), s, rules, register.WithKeys(testKEK), register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return benchDay.Start().Add(12 * time.Hour) }))
	if err != nil {
		b.Fatal(err)
	}
	return reg
}

// BenchmarkRecordEvent records one event at a time on people whose history
// already holds about N events (N = 8, 100, 1,000): each a read of the
// person's stream, a check of the whole history, sealing and one committed
// transaction. The events go round a few people, so each history grows by
// b.N divided by their number (50, 20 and 4).
func BenchmarkRecordEvent(b *testing.B) {
	ctx := context.Background()
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			for _, size := range []struct{ events, people int }{{8, 50}, {100, 20}, {1000, 4}} {
				b.Run(fmt.Sprintf("history=%d", size.events), func(b *testing.B) {
					reg := benchRegister(b, st.open(b), consentRules{})
					start := time.Now()
					for i := range size.people {
						np := benchPerson(i)
						if err := reg.Add(ctx, np, staff); err != nil {
							b.Fatal(err)
						}
						for range size.events - len(np.Events) - 1 {
							if err := reg.Record(ctx, np.Person.ID, dsr.Event{Type: dsr.EventRegisterReviewed, Date: benchDay}, staff); err != nil {
								b.Fatal(err)
							}
						}
					}
					b.Logf("%s: %d people with %d events each loaded in %s", st.name, size.people, size.events, time.Since(start).Round(time.Millisecond))
					n := 0
					start = time.Now()
					for b.Loop() {
						ev := dsr.Event{Type: dsr.EventRegisterReviewed, Date: benchDay}
						if err := reg.Record(ctx, fmt.Sprintf("p%05d", n%size.people), ev, staff); err != nil {
							b.Fatal(err)
						}
						n++
					}
					b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
				})
			}
		})
	}
}

// BenchmarkDue builds the worklist of a register of 1,000 and of 10,000
// people with the national-2023 bundle, each time from a new Register (so
// nothing is remembered: cold), and reading and opening the log only.
func BenchmarkDue(b *testing.B) {
	ctx := context.Background()
	engine := benchEngine(b, "national-2023")
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			for _, people := range []int{1000, 10_000} {
				b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
					s := st.open(b)
					reg := benchRegister(b, s, consentRules{})
					start := time.Now()
					for i := range people {
						if err := reg.Add(ctx, benchPerson(i), staff); err != nil {
							b.Fatal(err)
						}
					}
					b.Logf("%s: loaded %d people in %s", st.name, people, time.Since(start).Round(time.Millisecond))
					for _, bc := range []struct {
						name  string
						rules dsr.Rules
					}{
						{"national-2023 cold", engine},
						{"reading and opening the log only", consentRules{}},
					} {
						b.Run(bc.name, func(b *testing.B) {
							var items []register.WorkItem
							for b.Loop() {
								reg := benchRegister(b, s, bc.rules) // a new register remembers nothing
								var err error
								if items, err = reg.Due(ctx, benchDay); err != nil {
									b.Fatal(err)
								}
							}
							b.ReportMetric(float64(len(items)), "items")
						})
					}
				})
			}
		})
	}
}
