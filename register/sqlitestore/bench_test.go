package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

var benchDay = calendar.MustParseDate("2026-04-01")

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

// benchPerson is synthetic person i: ages 8 to 57, a parent's or their own
// consent, one in five in crisis, one in seven deteriorating, one in eleven
// an inpatient.
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

// BenchmarkRecordEvent appends one event at a time to people on a SQLite
// register, each a read of the person's stream, a check of the whole
// history, sealing and one committed transaction.
func BenchmarkRecordEvent(b *testing.B) {
	s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	reg := benchRegister(b, s, consentRules{})
	const people = 100
	for i := range people {
		if err := reg.Add(context.Background(), benchPerson(i), staff); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	start := time.Now()
	for b.Loop() {
		ev := dsr.Event{Type: dsr.EventRegisterReviewed, Date: benchDay}
		if err := reg.Record(context.Background(), fmt.Sprintf("p%05d", n%people), ev, staff); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}

// sharedRegister is a SQLite register file of n synthetic people
// (benchPerson) with no rules' state, built once per run and shared by
// every benchmark that asks for the same n (it outlives each benchmark's
// temporary directory).
func sharedRegister(b *testing.B, n int) string {
	v, _ := sharedFiles.LoadOrStore(n, &sharedFile{})
	f := v.(*sharedFile)
	f.once.Do(func() {
		dir, err := os.MkdirTemp("", "dsrkit-bench-")
		if err != nil {
			f.err = err
			return
		}
		f.path = filepath.Join(dir, fmt.Sprintf("people-%d.db", n))
		s, err := sqlitestore.Open(context.Background(), f.path)
		if err != nil {
			f.err = err
			return
		}
		defer s.Close()
		reg := benchRegister(b, s, consentRules{})
		start := time.Now()
		for i := range n {
			if f.err = reg.Add(context.Background(), benchPerson(i), staff); f.err != nil {
				return
			}
		}
		b.Logf("loaded %d people in %s", n, time.Since(start))
	})
	if f.err != nil {
		b.Fatal(f.err)
	}
	return f.path
}

type sharedFile struct {
	once sync.Once
	path string
	err  error
}

var sharedFiles sync.Map // n → *sharedFile

// BenchmarkDue10000 builds the worklist of a SQLite register of 10,000
// people with the national-2023 bundle, in Rego and in its CEL twin,
// assessing people in parallel.
func BenchmarkDue10000(b *testing.B) {
	s, err := sqlitestore.Open(context.Background(), sharedRegister(b, 10_000))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	engine := benchEngine(b, "national-2023")
	celEngine := benchEngine(b, "national-2023-cel") // the same rules in CEL (proven equivalent)
	for _, bc := range []struct {
		name  string
		rules dsr.Rules
		warm  bool
	}{
		{"national-2023 cold", engine, false},
		{"national-2023-cel cold", celEngine, false},
		{"national-2023 warm, nobody changed", engine, true},
		{"reading and opening the log only", consentRules{}, false},
	} {
		b.Run(bc.name, func(b *testing.B) {
			reg := benchRegister(b, s, bc.rules)
			if bc.warm {
				if _, err := reg.Due(context.Background(), benchDay); err != nil {
					b.Fatal(err)
				}
			}
			var items []register.WorkItem
			for b.Loop() {
				if !bc.warm {
					reg = benchRegister(b, s, bc.rules) // a new register remembers nothing
				}
				items, err = reg.Due(context.Background(), benchDay)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(items)), "items")
		})
	}
}
