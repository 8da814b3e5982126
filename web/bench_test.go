package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
	"github.com/dsrkit/dsrkit/server"
)

var benchDay = calendar.MustParseDate("2026-04-01")

// benchPerson is synthetic person i: ages 8 to 57, a parent's or their own
// consent, one in five in crisis, one in seven deteriorating, one in eleven
// an inpatient, held by one of twelve care coordinators.
func benchPerson(i int) register.NewPerson {
	dob := benchDay.AddDays(-(8*365 + (i*379)%(50*365)))
	np := register.NewPerson{Details: register.Details{
		Person: dsr.Person{ID: fmt.Sprintf("p%05d", i), NHSNumber: dsr.TestNHSNumber(i), DateOfBirth: dob, Autism: i%2 == 0, LearningDisability: i%2 == 1},
		Name:   fmt.Sprintf("Synthetic Person %05d", i),
		Entry:  dsr.Entry{CareCoordinator: fmt.Sprintf("Coordinator %02d", i%12), Team: "Bench team"},
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

// benchSite is the service over a SQLite register of n people, built once
// per run.
type benchSite struct {
	once sync.Once
	srv  *server.Server
	reg  *register.Register
	toks map[string]string
	err  error
}

var benchSites sync.Map // n → *benchSite

func sharedSite(b *testing.B, n int) *benchSite {
	v, _ := benchSites.LoadOrStore(n, &benchSite{})
	bs := v.(*benchSite)
	bs.once.Do(func() {
		bs.err = func() error {
			dir, err := os.MkdirTemp("", "dsrkit-web-bench-")
			if err != nil {
				return err
			}
			store, err := sqlitestore.Open(context.Background(), filepath.Join(dir, "people.db"))
			if err != nil {
				return err
			}
			engine, err := testEngine()
			if err != nil {
				return err
			}
			noon := func() time.Time { return benchDay.Start().Add(12 * time.Hour) }
			reg, err := register.Open(context.Background(), store, engine, register.WithClock(noon), register.WithKeys(register.MemoryKey()),
				register.WithConsentPolicy(consent.National2023), register.WithDocumentKinds(register.ReviewDocuments{}, register.MeetingDocuments{}))
			if err != nil {
				return err
			}
			start := time.Now()
			for i := range n {
				if err := reg.Add(context.Background(), benchPerson(i), staff); err != nil {
					return err
				}
			}
			b.Logf("loaded %d people in %s", n, time.Since(start))
			toks, err := server.OpenTokens(filepath.Join(dir, "bench.tokens"))
			if err != nil {
				return err
			}
			bs.toks = map[string]string{}
			for _, role := range []string{register.RoleViewer, register.RoleCoordinator} {
				if bs.toks[role], err = toks.CreateToken("bench-"+role, role, noon()); err != nil {
					return err
				}
			}
			bs.reg = reg
			bs.srv, err = server.New(server.Config{Register: reg, Engine: engine, Tokens: toks, Now: noon})
			return err
		}()
	})
	if bs.err != nil {
		b.Fatal(bs.err)
	}
	return bs
}

// login returns the session cookie of role.
func (bs *benchSite) login(b *testing.B, role string) *http.Cookie {
	req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"token": {bs.toks[role]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	bs.srv.Handler().ServeHTTP(rec, req)
	cs := rec.Result().Cookies()
	if rec.Code != http.StatusSeeOther || len(cs) != 1 {
		b.Fatalf("login: %d", rec.Code)
	}
	return cs[0]
}

// BenchmarkWorklistPage serves the worklist page of a SQLite register of
// 10,000 people, server time only (the handler, no network): warm (the
// register's due cache holds today's items, as it does once the day's
// first worklist is built), for a viewer (pseudonyms), a coordinator (a
// page of 50 rows with names, each an audited read) and a coordinator
// filtering to RED; and after a write made since the last page, which
// builds the worklist again (register.Due and List through the register's
// due cache, assessing only who changed). The budget is 300 ms.
func BenchmarkWorklistPage(b *testing.B) {
	bs := sharedSite(b, 10_000)
	for _, bc := range []struct {
		name, role, query string
		write             bool
	}{
		{"viewer", register.RoleViewer, "", false},
		{"coordinator, names", register.RoleCoordinator, "", false},
		{"coordinator, RED, by rating", register.RoleCoordinator, "?rating=red&sort=rating", false},
		{"coordinator, overdue, one coordinator", register.RoleCoordinator, "?overdue=yes&coordinator=Coordinator+03", false},
		// Someone recorded an event since the last page (untimed): the
		// worklist is built again, the register assessing that one person.
		{"coordinator, after a write", register.RoleCoordinator, "", true},
		// Filtering by care coordinator after a write reads the list too.
		{"coordinator, one coordinator, after a write", register.RoleCoordinator, "?coordinator=Coordinator+03", true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cookie := bs.login(b, bc.role)
			serve := func() int {
				req := httptest.NewRequest("GET", "/worklist"+bc.query, nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				bs.srv.Handler().ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("worklist: %d", rec.Code)
				}
				return strings.Count(rec.Body.String(), `<tr class="dsr-row">`)
			}
			start := time.Now()
			rows := serve() // the run's first: the day's first worklist fills the caches
			b.Logf("%s: the first page of the case %s, %d rows", bc.name, time.Since(start).Round(time.Millisecond), rows)
			n := 0
			for b.Loop() {
				if bc.write {
					b.StopTimer()
					ev := dsr.Event{Type: dsr.EventRegisterReviewed, Date: benchDay}
					if err := bs.reg.Record(context.Background(), fmt.Sprintf("p%05d", (n*7919)%10_000), ev, staff); err != nil {
						b.Fatal(err)
					}
					n++
					b.StartTimer()
				}
				serve()
			}
		})
	}
}
