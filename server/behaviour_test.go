package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

func problemFrom(t *testing.T, status int, body []byte, hdr http.Header) Problem {
	t.Helper()
	if ct := hdr.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("status %d with Content-Type %q, want application/problem+json: %s", status, ct, body)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Status != status || p.Type == "" || p.Title == "" {
		t.Errorf("problem %+v for status %d", p, status)
	}
	return p
}

func fields(p Problem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

// TestProblems checks the problem answered for each kind of bad request,
// and that a refused write leaves the register unchanged.
func TestProblems(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.tokens[register.RoleCoordinator]
	np := f.added()
	id := np.Person.ID
	logLen := func() int {
		n := 0
		f.store.Log(t0, func(register.Record) error { n++; return nil })
		return n
	}
	cases := []struct {
		name, method, path string
		body               any
		hdr                []string
		status             int
		field              string // a field Errors must name
	}{
		{"unknown field", "POST", "/v1/people/" + id + "/events", `{"type":"review_held","dat":"2026-04-01"}`, nil, 400, "dat"},
		{"key twice", "POST", "/v1/people/" + id + "/rating", `{"rating":"red","rating":"amber"}`, nil, 400, "rating"},
		{"trailing data", "POST", "/v1/people/" + id + "/rating", `{"rating":"red"} {}`, nil, 400, "$"},
		{"wrong type", "POST", "/v1/people/" + id + "/circumstances", `{"circumstances":{"in_crisis":"yes"}}`, nil, 400, "circumstances.in_crisis"},
		{"bad rating", "POST", "/v1/people/" + id + "/rating", `{"rating":"purple"}`, nil, 400, "rating"},
		{"domain rule", "POST", "/v1/people/" + id + "/events", `{"type":"admitted","date":"2026-04-01","security":"bogus"}`, nil, 400, "security"},
		{"bad id", "POST", "/v1/people/bad%20id!/rating", `{"rating":"red","reason":"x"}`, nil, 400, "id"},
		{"bad If-Match", "POST", "/v1/people/" + id + "/rating", `{"rating":"red","reason":"x"}`, []string{"If-Match", "soon"}, 400, "If-Match"},
		{"not JSON", "POST", "/v1/people/" + id + "/rating", `{"rating":`, nil, 400, "$"},
		{"content type", "POST", "/v1/people/" + id + "/rating", `{"rating":"red"}`, []string{"Content-Type", "text/plain"}, 400, "Content-Type"},
		{"too large", "POST", "/v1/people/" + id + "/events", `{"type":"review_held","reason":"` + strings.Repeat("x", dsr.MaxInputBytes) + `"}`, nil, 413, ""},
		{"unknown person", "POST", "/v1/people/nobody-here/rating", `{"rating":"red","reason":"x"}`, nil, 404, ""},
		{"assess: bad case", "POST", "/v1/assess", `{"as_of":"2026-04-01","person":{"id":"c1","date_of_birth":"2030-01-01","nhs_number":"9991234568"}}`, nil, 400, "person.nhs_number"},
		{"assess: unknown bundle", "POST", "/v1/assess?policy=nope", testCase("c1"), nil, 400, "policy"},
		{"bad worklist date", "GET", "/v1/worklist?due_before=tomorrow", nil, nil, 400, "due_before"},
		{"consent", "POST", "/v1/people", func() any { p := f.person(); p.Events = nil; return p }(), nil, 422, ""},
		{"taken id", "POST", "/v1/people", func() any { p := f.person(); p.Person.ID = id; return p }(), nil, 409, ""},
	}
	for _, c := range cases {
		before := logLen()
		status, body, hdr := f.do(c.method, c.path, tok, c.body, c.hdr...)
		if status != c.status {
			t.Errorf("%s: status %d, want %d: %.300s", c.name, status, c.status, body)
			continue
		}
		p := problemFrom(t, status, body, hdr)
		if c.field != "" && !strings.Contains(strings.Join(fields(p), " "), c.field) {
			t.Errorf("%s: fields %v, want one naming %q", c.name, fields(p), c.field)
		}
		if c.name == "consent" && len(p.Reasons) == 0 {
			t.Errorf("consent: no reasons: %s", body)
		}
		if logLen() != before {
			t.Errorf("%s: the refused request changed the register", c.name)
		}
	}
}

// TestVersionConflict: a write naming a stale version is 409 with the
// current version, and writes nothing; with the current one it succeeds.
func TestVersionConflict(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.tokens[register.RoleCoordinator]
	status, body, hdr := f.do("POST", "/v1/people", tok, f.person())
	if status != 201 {
		t.Fatalf("add: %d %s", status, body)
	}
	var c Created
	json.Unmarshal(body, &c)
	if c.Version == 0 || hdr.Get("ETag") != etag(c.Version) {
		t.Fatalf("add: version %d, ETag %q", c.Version, hdr.Get("ETag"))
	}
	rating := map[string]any{"rating": "amber", "reason": "agreed"}
	status, body, hdr = f.do("POST", "/v1/people/"+c.ID+"/rating", tok, rating, "If-Match", etag(c.Version))
	if status != 200 {
		t.Fatalf("rating at the current version: %d %s", status, body)
	}
	var w Written
	json.Unmarshal(body, &w)
	if w.Version != c.Version+1 {
		t.Errorf("version after the write %d, want %d", w.Version, c.Version+1)
	}
	// The version read at first is stale now.
	for _, path := range []string{"/rating", "/events", "/details"} {
		var b any = rating
		method := "POST"
		switch path {
		case "/events":
			b = map[string]any{"type": "rating_agreed", "date": "2026-04-01", "rating": "green", "reason": "x"}
		case "/details":
			method = "PUT"
			d, err := f.reg.Details(t0, c.ID, fixtureActor)
			if err != nil {
				t.Fatal(err)
			}
			b = d
		}
		status, body, hdr = f.do(method, "/v1/people/"+c.ID+path, tok, b, "If-Match", fmt.Sprint(c.Version))
		if status != 409 {
			t.Fatalf("%s at a stale version: %d %s", path, status, body)
		}
		p := problemFrom(t, status, body, hdr)
		cur, err := f.reg.Version(t0, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Type != ProblemConflict || p.CurrentVersion == nil || *p.CurrentVersion != cur || hdr.Get("ETag") != etag(cur) {
			t.Errorf("%s: conflict %s, ETag %q; want current_version %d", path, body, hdr.Get("ETag"), cur)
		}
	}
	if v, _ := f.reg.Version(t0, c.ID); v != w.Version {
		t.Errorf("the conflicts wrote: version %d, want %d", v, w.Version)
	}
}

// blockingStore holds every Append until released, once armed.
type blockingStore struct {
	register.Store
	mu      sync.Mutex
	armed   bool
	entered chan struct{}
	release chan struct{}
}

func (s *blockingStore) Append(ctx context.Context, req register.AppendRequest) ([]register.Record, error) {
	s.mu.Lock()
	armed := s.armed
	s.mu.Unlock()
	if armed && strings.HasPrefix(req.Stream, "person/") {
		s.entered <- struct{}{}
		<-s.release
	}
	return s.Store.Append(ctx, req)
}

// TestGracefulShutdown: a write in flight when the service is told to stop
// finishes and is answered; the register holds it; Serve returns cleanly;
// and new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	bs := &blockingStore{Store: memstore.New(), entered: make(chan struct{}), release: make(chan struct{})}
	f := newFixture(t, bs)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	np := f.person()
	bs.mu.Lock()
	bs.armed = true
	bs.mu.Unlock()
	type answer struct {
		status int
		err    error
	}
	answered := make(chan answer, 1)
	go func() {
		b, _ := json.Marshal(np)
		req, _ := http.NewRequest("POST", base+"/v1/people", strings.NewReader(string(b)))
		req.Header.Set("Authorization", "Bearer "+f.tokens[register.RoleCoordinator])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- answer{0, err}
			return
		}
		resp.Body.Close()
		answered <- answer{resp.StatusCode, nil}
	}()
	<-bs.entered // the write is in the store
	cancel()     // shut down, with the write in flight
	for !f.srv.shutting.Load() {
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned %v with a write in flight", err)
	default:
	}
	close(bs.release)
	a := <-answered
	if a.err != nil || a.status != 201 {
		t.Fatalf("the write in flight: %d, %v; want 201", a.status, a.err)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := f.reg.Version(t0, np.Person.ID); err != nil {
		t.Errorf("the write answered 201 is not in the register: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the service still accepts connections after shutdown")
	}
}

// TestReadyz: ready while serving, 503 once shutting down or when the
// register does not answer.
func TestReadyz(t *testing.T) {
	down := errors.New("down")
	var fail bool
	f := newFixture(t, nil, func(c *Config) {
		c.Ready = func(context.Context) error {
			if fail {
				return down
			}
			return nil
		}
	})
	if s, b, _ := f.do("GET", "/readyz", "", nil); s != 200 {
		t.Errorf("readyz: %d %s", s, b)
	}
	fail = true
	if s, b, _ := f.do("GET", "/readyz", "", nil); s != 503 {
		t.Errorf("readyz with the register down: %d %s", s, b)
	}
	fail = false
	f.srv.shutting.Store(true)
	if s, b, _ := f.do("GET", "/readyz", "", nil); s != 503 {
		t.Errorf("readyz while shutting down: %d %s", s, b)
	}
	if s, _, _ := f.do("POST", "/v1/people", f.tokens[register.RoleCoordinator], f.person()); s != 503 {
		t.Errorf("a write while shutting down: %d, want 503", s)
	}
}

// TestMetrics: requests by route pattern and status, assessments by
// bundle, conflicts by route.
func TestMetrics(t *testing.T) {
	f := newFixture(t, nil)
	tok := f.tokens[register.RoleCoordinator]
	for range 3 {
		if s, b, _ := f.do("POST", "/v1/assess", tok, testCase("c1")); s != 200 {
			t.Fatalf("assess: %d %s", s, b)
		}
	}
	np := f.added()
	f.do("POST", "/v1/people/"+np.Person.ID+"/rating", tok, map[string]any{"rating": "red"}, "If-Match", "1")
	_, body, _ := f.do("GET", "/metrics", "", nil)
	m := string(body)
	for _, want := range []string{
		`dsr_http_requests_total{route="POST /v1/assess",status="200"} 3`,
		`dsr_assessments_total{bundle="national-2023"} 3`,
		`dsr_version_conflicts_total{route="POST /v1/people/{id}/rating"} 1`,
		`dsr_http_request_duration_seconds_count{route="POST /v1/assess"} 3`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(m, np.Person.ID) {
		t.Error("the metrics name a person")
	}
}

// TestLogsHoldNoIdentifiers runs every route with people of known NHS
// numbers, names and ids, failures among them, and finds none of them in
// the log.
func TestLogsHoldNoIdentifiers(t *testing.T) {
	f := newFixture(t, nil)
	var secrets []string
	for _, rt := range f.srv.routes {
		for _, role := range append([]string{""}, rt.roles...) {
			path, body, hdr := samples[rt.op](f)
			f.do(rt.method, path, f.tokens[role], body, hdr...)
		}
	}
	tok := f.tokens[register.RoleCoordinator]
	for range 3 {
		np := f.person()
		f.do("POST", "/v1/people", tok, np)
		f.do("POST", "/v1/people", tok, np) // a conflict
		f.do("POST", "/v1/people/search", tok, map[string]any{"nhs_number": np.Person.NHSNumber})
		f.do("POST", "/v1/people/"+np.Person.ID+"/events", tok, `{"type":"bogus"}`)
		f.do("GET", "/v1/people/"+np.Person.ID, f.tokens[register.RoleViewer], nil)
	}
	for i := int64(1); i <= f.seq.Load(); i++ {
		secrets = append(secrets, fmt.Sprintf("srv-p%d", i), string(dsr.TestNHSNumber(7000+int(i))), fmt.Sprintf("Person%d", i))
	}
	logs := f.logs.String()
	if !strings.Contains(logs, `"route":"POST /v1/people"`) {
		t.Fatalf("the log has no request lines: %.500s", logs)
	}
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("the log holds the identifier %q", s)
		}
	}
}

// TestViewerWorklistHasNoIdentifiers: a viewer's worklist names people by
// pseudonym; a coordinator's by local id too.
func TestViewerWorklistHasNoIdentifiers(t *testing.T) {
	f := newFixture(t, nil)
	np := f.added()
	for _, role := range []string{register.RoleViewer, register.RoleCoordinator} {
		s, body, _ := f.do("GET", "/v1/worklist", f.tokens[role], nil)
		if s != 200 {
			t.Fatalf("%s: %d %s", role, s, body)
		}
		var wl Worklist
		json.Unmarshal(body, &wl)
		if len(wl.Items) == 0 {
			t.Fatalf("%s: an empty worklist", role)
		}
		has := strings.Contains(string(body), np.Person.ID)
		if has != (role == register.RoleCoordinator) {
			t.Errorf("%s: the worklist names the person's id: %v", role, has)
		}
		if wl.Items[0].Pseudonym != f.srv.pseudonym(np.Person.ID) {
			t.Errorf("%s: pseudonym %q", role, wl.Items[0].Pseudonym)
		}
	}
	// The filters.
	tok := f.tokens[register.RoleCoordinator]
	get := func(q string) []WorklistItem {
		_, body, _ := f.do("GET", "/v1/worklist?"+q, tok, nil)
		var wl Worklist
		json.Unmarshal(body, &wl)
		return wl.Items
	}
	all := get("")
	for q, want := range map[string]bool{"rating=red": true, "rating=green": false, "due_before=2026-01-01": false, "due_before=2099-01-01": true} {
		if got := get(q); (len(got) == len(all)) != want || (!want && len(got) != 0) {
			t.Errorf("worklist?%s: %d items of %d", q, len(got), len(all))
		}
	}
	over, notOver := get("overdue=true"), get("overdue=false")
	if len(over)+len(notOver) != len(all) {
		t.Errorf("overdue %d + not %d != %d", len(over), len(notOver), len(all))
	}
	for _, it := range over {
		if !it.Overdue {
			t.Errorf("overdue=true lists %+v", it)
		}
	}
	for _, it := range notOver {
		if it.Overdue {
			t.Errorf("overdue=false lists %+v", it)
		}
	}
}

// TestReadsAreAudited: showing a person, their history and finding them
// by NHS number each leave a read in their audit, naming the token.
func TestReadsAreAudited(t *testing.T) {
	f := newFixture(t, nil)
	np := f.added()
	tok := f.tokens[register.RoleCoordinator]
	f.do("GET", "/v1/people/"+np.Person.ID+"?why=meeting", tok, nil)
	f.do("GET", "/v1/people/"+np.Person.ID+"/history", tok, nil)
	f.do("POST", "/v1/people/search", tok, map[string]any{"nhs_number": np.Person.NHSNumber})
	s, body, _ := f.do("GET", "/v1/people/"+np.Person.ID+"/audit", f.tokens[register.RoleAdmin], nil)
	if s != 200 {
		t.Fatalf("audit: %d %s", s, body)
	}
	var a AuditList
	json.Unmarshal(body, &a)
	var reads []string
	for _, e := range a.Entries {
		if e.Read {
			if e.By.ID != "staff-coordinator" || e.By.Role != register.RoleCoordinator {
				t.Errorf("read by %+v, want the token's name and role", e.By)
			}
			reads = append(reads, e.What+"/"+e.Why)
		}
	}
	if len(reads) != 3 || reads[0] != "details/meeting" {
		t.Errorf("reads audited %v, want details (why meeting), history, nhs_number lookup", reads)
	}
}

// TestPolicyDiff: an analyst's diff over the register names people by
// pseudonym only, and each read is audited; over generated cases it
// counts them.
func TestPolicyDiff(t *testing.T) {
	f := newFixture(t, nil)
	var people []register.NewPerson
	for range 3 {
		people = append(people, f.added())
	}
	tok := f.tokens[register.RoleAnalyst]
	s, body, _ := f.do("POST", "/v1/policies/diff", tok, map[string]any{"old": "national-2023", "new": "national-2017", "source": "register"})
	if s != 200 {
		t.Fatalf("diff: %d %s", s, body)
	}
	var rep struct{ Cases, Assessed int }
	json.Unmarshal(body, &rep)
	if rep.Cases != 3 || rep.Assessed != 3 {
		t.Errorf("diff over the register: %s", body)
	}
	for _, np := range people {
		if strings.Contains(string(body), np.Person.ID) || strings.Contains(string(body), string(np.Person.NHSNumber)) {
			t.Errorf("the diff names %s", np.Person.ID)
		}
		a, err := f.reg.Audit(t0, np.Person.ID, register.Actor{ID: "a", Role: register.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if last := a[len(a)-1]; !last.Read || last.Why != "policy diff" || last.By.Role != register.RoleAnalyst {
			t.Errorf("the diff's read is not audited: %+v", last)
		}
	}
	s, body, _ = f.do("POST", "/v1/policies/diff", tok, map[string]any{"old": "national-2023", "new": "national-2017", "generate": 50, "seed": 7})
	json.Unmarshal(body, &rep)
	if s != 200 || rep.Cases != 50 {
		t.Errorf("diff over generated cases: %d %.300s", s, body)
	}
	s, body, hdr := f.do("POST", "/v1/policies/diff", tok, map[string]any{"old": "nope", "new": "national-2017"})
	if p := problemFrom(t, s, body, hdr); s != 400 || fields(p)[0] != "old" {
		t.Errorf("an unknown bundle: %d %s", s, body)
	}
}

// TestPanicIsAProblem: a handler's panic is answered 500 and its value
// (which could name someone) is not logged.
func TestPanicIsAProblem(t *testing.T) {
	f := newFixture(t, nil, func(c *Config) {
		c.Ready = func(context.Context) error { panic("Synthetic Person9 Zed 9991234567") }
	})
	s, body, hdr := f.do("GET", "/readyz", "", nil)
	problemFrom(t, s, body, hdr)
	if s != 500 {
		t.Errorf("a panic: %d %s", s, body)
	}
	if logs := f.logs.String(); strings.Contains(logs, "Person9") || !strings.Contains(logs, "handler panicked") {
		t.Errorf("the log: %s", logs)
	}
}

// TestRevokeToken: a revoked token no longer authenticates; an unknown id
// is 404.
func TestRevokeToken(t *testing.T) {
	f := newFixture(t, nil)
	admin := f.tokens[register.RoleAdmin]
	s, body, _ := f.do("POST", "/v1/tokens", admin, map[string]any{"name": "short-lived", "role": "viewer"})
	if s != 201 {
		t.Fatalf("create: %d %s", s, body)
	}
	var tc TokenCreated
	json.Unmarshal(body, &tc)
	if s, _, _ := f.do("GET", "/v1/worklist", tc.Token, nil); s != 200 {
		t.Fatalf("the new token: %d", s)
	}
	if s, body, _ := f.do("DELETE", "/v1/tokens/"+tc.Token[4:12], admin, nil); s != 204 {
		t.Fatalf("revoke: %d %s", s, body)
	}
	if s, _, _ := f.do("GET", "/v1/worklist", tc.Token, nil); s != 401 {
		t.Errorf("the revoked token: %d, want 401", s)
	}
	if s, _, _ := f.do("DELETE", "/v1/tokens/00000000", admin, nil); s != 404 {
		t.Errorf("revoking an unknown token: %d, want 404", s)
	}
	// The file never held the token itself.
	b, _ := os.ReadFile(f.srv.cfg.Tokens.path)
	for _, tok := range f.tokens {
		if strings.Contains(string(b), tok) {
			t.Error("the token file holds a token")
		}
	}
}
