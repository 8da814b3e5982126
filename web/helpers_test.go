package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
	"github.com/dsrkit/dsrkit/server"
)

// testStart is the clock of the test registers and pages: 1 April 2026.
var testStart = calendar.MustParseDate("2026-04-01").Start().Add(10 * time.Hour)

var testEngine = sync.OnceValues(func() (*policies.Engine, error) {
	fsys, err := policies.Bundle(policies.DefaultBundle)
	if err != nil {
		return nil, err
	}
	return policies.Load(context.Background(), fsys)
})

// clock is a clock the test moves.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(testStart.UnixNano())
	return c
}
func (c *clock) now() time.Time              { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(d time.Duration)     { c.ns.Add(int64(d)) }
func (c *clock) set(t time.Time)             { c.ns.Store(t.UnixNano()) }
func (c *clock) date() calendar.Date         { return calendar.DateOf(c.now()) }
func (c *clock) daysAgo(n int) calendar.Date { return c.date().AddDays(-n) }

// site is the service, pages and API, over a memory register, with a
// token for each role.
type site struct {
	t      *testing.T
	clock  *clock
	reg    *register.Register
	store  *memstore.Store
	srv    *server.Server
	ts     *httptest.Server
	tokens map[string]string
	toks   *server.TokenFile
	people []register.NewPerson
}

func newSite(t *testing.T, tlsServer bool) *site {
	t.Helper()
	engine, err := testEngine()
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	store := memstore.New()
	reg, err := register.Open(context.Background(), store, engine, register.WithClock(c.now),
		register.WithConsentPolicy(consent.National2023), register.WithKeys(register.MemoryKey()),
		register.WithDocumentKinds(register.ReviewDocuments{}, register.MeetingDocuments{}))
	if err != nil {
		t.Fatal(err)
	}
	toks, err := server.OpenTokens(filepath.Join(t.TempDir(), "test.tokens"))
	if err != nil {
		t.Fatal(err)
	}
	s := &site{t: t, clock: c, reg: reg, store: store, tokens: map[string]string{}, toks: toks}
	for _, role := range register.Roles {
		if s.tokens[role], err = toks.CreateToken("staff-"+role, role, testStart); err != nil {
			t.Fatal(err)
		}
	}
	if s.srv, err = server.New(server.Config{Register: reg, Engine: engine, Tokens: toks, Now: c.now}); err != nil {
		t.Fatal(err)
	}
	if tlsServer {
		s.ts = httptest.NewTLSServer(s.srv.Handler())
	} else {
		s.ts = httptest.NewServer(s.srv.Handler())
	}
	t.Cleanup(s.ts.Close)
	return s
}

var staff = register.Actor{ID: "fixture", Role: register.RoleCoordinator}

// add adds synthetic person n: a 15-year-old autistic child in crisis,
// with their parent's consent.
func (s *site) add(n int, circ dsr.Circumstances) register.NewPerson {
	s.t.Helper()
	np := register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: fmt.Sprintf("web-p%d", n), NHSNumber: dsr.TestNHSNumber(8100 + n),
				DateOfBirth: calendar.MustParseDate("2010-09-15"), Autism: true, Postcode: "ZZ99 3VZ"},
			Name: fmt.Sprintf("Synthetic Webperson%d Zed", n), Address: fmt.Sprintf("%d Test Street, Testtown", n),
			Entry: dsr.Entry{CareCoordinator: []string{"Coordinator Alpha", "Coordinator Beta"}[n%2], Team: "Test team"},
		},
		Circumstances: circ,
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: s.clock.daysAgo(30), GivenBy: dsr.ByParent, Scope: []string{dsr.ScopeDSR}}},
	}
	if err := s.reg.Add(context.Background(), np, staff); err != nil {
		s.t.Fatalf("adding a person: %v", err)
	}
	s.people = append(s.people, np)
	return np
}

var crisis = dsr.Circumstances{InCrisis: true, CommunityCannotManage: true}

// browser is a client with a cookie jar that does not follow redirects.
type browser struct {
	t    *testing.T
	s    *site
	c    *http.Client
	csrf string
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := *s.ts.Client() // a client of its own: the server's is shared
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: s.t, s: s, c: &c}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values, hdr ...string) page {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.s.ts.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.s.ts.URL)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := page{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	if m := csrfInput.FindStringSubmatch(p.body); m != nil {
		b.csrf = m[1]
	}
	return p
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (b *browser) get(path string) page { b.t.Helper(); return b.do("GET", path, nil) }

// post sends a form with the session's synchronizer token.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	form.Set("csrf_token", b.csrf)
	return b.do("POST", path, form)
}

// login signs in with role's token and loads the worklist (for the
// synchronizer token).
func (b *browser) login(role string) {
	b.t.Helper()
	p := b.do("POST", "/login", url.Values{"token": {b.s.tokens[role]}, "next": {"/rules"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/rules" {
		b.t.Fatalf("login as %s: %d %s", role, p.status, p.header.Get("Location"))
	}
	if p := b.get("/rules"); p.status != 200 || b.csrf == "" {
		b.t.Fatalf("after login: %d, csrf %q", p.status, b.csrf)
	}
}

// records counts the store's records: a write, or an audited read, adds
// some.
func (s *site) records() int {
	s.t.Helper()
	n := 0
	if err := s.store.Log(context.Background(), func(register.Record) error { n++; return nil }); err != nil {
		s.t.Fatal(err)
	}
	return n
}
