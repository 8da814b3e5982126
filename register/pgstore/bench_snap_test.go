package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/pgstore"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
	"github.com/jackc/pgx/v5"
)

// The benchmarks of issue 14's snapshots and due cache, on PostgreSQL and
// SQLite side by side:
//
//	scripts/with-postgres.sh go test -run '^$' -bench 'RecordHistory|DueCache' -benchtime 20x ./register/pgstore
//
// DSR_BENCH_100K=1 adds a register of 100,000 people to BenchmarkDueCache
// (several minutes to load on each store); DSR_BENCH_DIR keeps SQLite's in
// a file there for the next run (benchFile).

// historyPerson is benchPerson 1, an adult, with a history of n events:
// their own consent, then register reviews, four a day, up to today.
func historyPerson(n int) register.NewPerson {
	np := benchPerson(1)
	np.Person.DateOfBirth = calendar.MustParseDate("1980-01-01")
	start := benchDay.AddDays(-n / 4)
	np.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: start, GivenBy: dsr.BySelf}}
	for i := 1; i < n; i++ {
		np.Events = append(np.Events, dsr.Event{Type: dsr.EventRegisterReviewed, Date: start.AddDays(i / 4)})
	}
	return np
}

// BenchmarkRecordHistory records one event on a person whose history holds
// 8, 100, 1,000 or 10,000 events, with the person's snapshot (one snapshot
// read, one record and one snapshot written) and without (the whole stream
// read, checked, opened and folded, as before issue 14).
func BenchmarkRecordHistory(b *testing.B) {
	ctx := context.Background()
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			for _, events := range []int{8, 100, 1000, 10_000} {
				for _, snap := range []bool{true, false} {
					b.Run(fmt.Sprintf("history=%d/snapshots=%v", events, snap), func(b *testing.B) {
						s := st.open(b)
						reg, err := register.Open(ctx, s, consentRules{}, register.WithKeys(testKEK), register.WithConsentPolicy(consent.National2023),
							register.WithClock(func() time.Time { return benchDay.Start().Add(12 * time.Hour) }), register.WithSnapshots(snap))
						if err != nil {
							b.Fatal(err)
						}
						np := historyPerson(events)
						if err := reg.Add(ctx, np, staff); err != nil {
							b.Fatal(err)
						}
						ev := dsr.Event{Type: dsr.EventRegisterReviewed, Date: benchDay}
						n, cpu := 0, cpuTime()
						for b.Loop() {
							if err := reg.Record(ctx, np.Person.ID, ev, staff); err != nil {
								b.Fatal(err)
							}
							n++
						}
						reportCPU(b, cpu, n)
					})
				}
			}
		})
	}
}

// cpuTime is the CPU time the process has used, user and system: on a
// shared machine it measures the work where wall time measures the queue.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the CPU time per operation since start, n operations.
func reportCPU(b *testing.B, start time.Duration, n int) {
	b.ReportMetric(float64(cpuTime()-start)/float64(n)/1e6, "cpu-ms/op")
}

// peakRSS reports the process's peak resident set so far, in MB.
func peakRSS(b *testing.B) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MB")
	}
}

// benchFile is the store of a BenchmarkDueCache register: a fresh one, or
// with DSR_BENCH_DIR set, for SQLite and 100,000 people, the file
// DIR/due100k.db with its key file, loaded by the first run and reused by
// the next (loaded), so a run can measure a process that only opens the
// file and builds the worklist (its peak RSS is Due's).
//
// With DSR_BENCH_DIR and DSR_BENCH_PG_SCHEMA set, PostgreSQL's 100,000 are
// kept the same way, in that schema of the server (never dropped), so a
// second run, under the same scripts/with-postgres.sh, measures a process
// that only reads.
func benchFile(b *testing.B, store string, fresh func(*testing.B) register.Store, people int) (register.Store, register.KeyWrapper, bool) {
	dir := os.Getenv("DSR_BENCH_DIR")
	if dir == "" || people != 100_000 || (store == "postgres" && os.Getenv("DSR_BENCH_PG_SCHEMA") == "") {
		return fresh(b), testKEK, false
	}
	ctx := context.Background()
	var s register.Store
	var count func() (int, error)
	switch store {
	case "sqlite":
		ss, err := sqlitestore.Open(ctx, filepath.Join(dir, "due100k.db"))
		if err != nil {
			b.Fatal(err)
		}
		s = ss
		count = func() (n int, err error) {
			err = ss.DB().QueryRow(`SELECT count(*) FROM streams WHERE name LIKE 'person/%'`).Scan(&n)
			return n, err
		}
	case "postgres":
		schema := os.Getenv("DSR_BENCH_PG_SCHEMA")
		base := serverURL(b)
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			b.Fatal(err)
		}
		_, err = conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize())
		conn.Close(ctx)
		if err != nil {
			b.Fatal(err)
		}
		ps, err := pgstore.Open(ctx, withParam(b, base, "search_path", schema))
		if err != nil {
			b.Fatal(err)
		}
		s = ps
		count = func() (n int, err error) {
			err = ps.Pool().QueryRow(ctx, `SELECT count(*) FROM streams WHERE name LIKE 'person/%'`).Scan(&n)
			return n, err
		}
	default:
		return fresh(b), testKEK, false
	}
	b.Cleanup(func() { s.Close() })
	keyFile := filepath.Join(dir, store+"-due100k.key")
	kek, err := register.OpenKeyFile(keyFile)
	if err != nil {
		if kek, err = register.CreateKeyFile(keyFile); err != nil {
			b.Fatal(err)
		}
	}
	id, err := register.StoreID(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	var n int
	if id != "" {
		if n, err = count(); err != nil {
			b.Fatal(err)
		}
	}
	return s, kek, n == people
}

// BenchmarkDueCache builds the worklist of registers of 1,000, 10,000 (and
// with DSR_BENCH_100K=1, 100,000) people with the national-2023 bundle:
//
//   - cold: each time from a new Register (a new process: nothing in
//     memory), the persisted due cache filled by an earlier Due that day;
//   - warm: the same Register again;
//   - new day: each time for another date, so every person is read in
//     full, assessed and their due row written (the first Due of a day);
//   - uncached: WithDueCache(false), each time from a new Register, every
//     person read in full and assessed (Due before issue 14).
func BenchmarkDueCache(b *testing.B) {
	ctx := context.Background()
	engine := benchEngine(b, "national-2023")
	sizes := []int{1000, 10_000}
	if os.Getenv("DSR_BENCH_100K") != "" {
		sizes = append(sizes, 100_000)
	}
	for _, st := range benchStores {
		b.Run(st.name, func(b *testing.B) {
			for _, people := range sizes {
				b.Run(fmt.Sprintf("people=%d", people), func(b *testing.B) {
					s, kek, loaded := benchFile(b, st.name, st.open, people)
					if !loaded {
						reg, err := register.Open(ctx, s, consentRules{}, register.WithKeys(kek), register.WithConsentPolicy(consent.National2023),
							register.WithClock(func() time.Time { return benchDay.Start().Add(12 * time.Hour) }))
						if err != nil {
							b.Fatal(err)
						}
						start := time.Now()
						for i := range people {
							if err := reg.Add(ctx, benchPerson(i), staff); err != nil {
								b.Fatal(err)
							}
						}
						b.Logf("%s: loaded %d people in %s", st.name, people, time.Since(start).Round(time.Millisecond))
					}
					open := func(opts ...register.Option) *register.Register {
						r, err := register.Open(ctx, s, engine, append([]register.Option{register.WithKeys(kek), register.WithConsentPolicy(consent.National2023),
							register.WithClock(func() time.Time { return benchDay.Start().Add(12 * time.Hour) })}, opts...)...)
						if err != nil {
							b.Fatal(err)
						}
						return r
					}
					if _, err := open().Due(ctx, benchDay); err != nil { // fills the due cache
						b.Fatal(err)
					}
					warm := open()
					day := 0
					for _, bc := range []struct {
						name string
						run  func() ([]register.WorkItem, error)
					}{
						{"cold", func() ([]register.WorkItem, error) { return open().Due(ctx, benchDay) }},
						{"warm", func() ([]register.WorkItem, error) { return warm.Due(ctx, benchDay) }},
						{"new day", func() ([]register.WorkItem, error) { day++; return warm.Due(ctx, benchDay.AddDays(day)) }},
						{"uncached", func() ([]register.WorkItem, error) { return open(register.WithDueCache(false)).Due(ctx, benchDay) }},
					} {
						b.Run(bc.name, func(b *testing.B) {
							var items []register.WorkItem
							n, cpu := 0, cpuTime()
							for b.Loop() {
								var err error
								if items, err = bc.run(); err != nil {
									b.Fatal(err)
								}
								n++
							}
							reportCPU(b, cpu, n)
							b.ReportMetric(float64(len(items)), "items")
							peakRSS(b)
						})
					}
				})
			}
		})
	}
}
