package sqlitestore_test

import (
	"context"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// BenchmarkList10000 is `dsr register list` over 10,000 people with the CEL
// twin of national-2023: cold (each time a new Register, as a new process
// opens the file, after an earlier list or worklist that day filled the due
// cache), warm (the same Register, nobody changed), with a filter (overdue
// only, the same work), and the first of the day (each time another date,
// so everyone is assessed and their due row written).
func BenchmarkList10000(b *testing.B) {
	s, err := sqlitestore.Open(context.Background(), sharedRegister(b, 10_000))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rules := benchEngine(b, "national-2023-cel")
	for _, bc := range []struct {
		name   string
		warm   bool
		filter register.ListFilter
	}{
		{"cold", false, register.ListFilter{}},
		{"warm", true, register.ListFilter{}},
		{"warm, overdue only", true, register.ListFilter{Overdue: true}},
		{"first of the day", false, register.ListFilter{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			reg := benchRegister(b, s, rules)
			if _, err := reg.List(context.Background(), benchDay, bc.filter); err != nil { // today's due rows
				b.Fatal(err)
			}
			var out []register.ListEntry
			day := benchDay
			for b.Loop() {
				if !bc.warm {
					reg = benchRegister(b, s, rules)
				}
				if bc.name == "first of the day" {
					day = day.AddDays(1)
				}
				if out, err = reg.List(context.Background(), day, bc.filter); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(out)), "people")
		})
	}
}

// BenchmarkFind10000 is `dsr register find` over 10,000 people: by NHS
// number and by name through their pseudonym indexes, and by local id.
// Each find audits the read (one write), as the CLI's does.
func BenchmarkFind10000(b *testing.B) {
	s, err := sqlitestore.Open(context.Background(), sharedRegister(b, 10_000))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	reg := benchRegister(b, s, consentRules{})
	ctx := context.Background()
	b.Run("nhs number", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := reg.FindNHSNumber(ctx, dsr.TestNHSNumber(i%10_000), staff); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
	b.Run("name", func(b *testing.B) {
		i := 0
		for b.Loop() {
			ids, err := reg.FindName(ctx, benchPerson(i%10_000).Name, staff)
			if err != nil || len(ids) != 1 {
				b.Fatal(ids, err)
			}
			i += 7919
		}
	})
	b.Run("local id", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := reg.Version(ctx, benchPerson(i%10_000).Person.ID); err != nil {
				b.Fatal(err)
			}
			i += 7919
		}
	})
}
