package server

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/register"
)

// webhook is a receiver on 127.0.0.1 that fails its first failures
// attempts with 503, then keeps what it is sent.
type webhook struct {
	srv      *httptest.Server
	mu       sync.Mutex
	failures int
	attempts int
	bodies   []string
	got      map[string]Event // by id
	arrived  chan struct{}
}

func newWebhook(t *testing.T, failures int) *webhook {
	wh := &webhook{failures: failures, got: map[string]Event{}, arrived: make(chan struct{}, 100)}
	wh.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		wh.mu.Lock()
		defer wh.mu.Unlock()
		wh.attempts++
		if wh.attempts <= wh.failures {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		var ev Event
		if err := json.Unmarshal(b, &ev); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		wh.bodies = append(wh.bodies, string(b))
		if _, dup := wh.got[ev.ID]; !dup {
			wh.got[ev.ID] = ev
			wh.arrived <- struct{}{}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(wh.srv.Close)
	return wh
}

// TestOutboxDeliversWithRetries: events of writes reach a webhook that
// fails the first attempts, each once it succeeds, carrying no identifier;
// events enqueued while no deliverer runs survive a restart (a new Outbox
// on the same directory) and are delivered then.
func TestOutboxDeliversWithRetries(t *testing.T) {
	wh := newWebhook(t, 3)
	dir := t.TempDir()
	ob, err := OpenOutbox(dir, wh.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ob.Backoff, ob.MaxBackoff = time.Millisecond, 8*time.Millisecond
	f := newFixture(t, nil, func(c *Config) { c.Outbox = ob })
	tok := f.tokens[register.RoleCoordinator]

	// Written before any deliverer runs: kept in the directory.
	np := f.person()
	if s, b, _ := f.do("POST", "/v1/people", tok, np); s != 201 {
		t.Fatalf("add: %d %s", s, b)
	}
	if s, b, _ := f.do("POST", "/v1/people/"+np.Person.ID+"/rating", tok, map[string]any{"rating": "amber", "reason": "agreed"}); s != 200 {
		t.Fatalf("rating: %d %s", s, b)
	}
	pending, err := ob.Pending()
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending %v, %v; want 2 events", pending, err)
	}

	// A restart: a new Outbox on the directory delivers them.
	ob2, err := OpenOutbox(dir, wh.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	ob2.Backoff, ob2.MaxBackoff = time.Millisecond, 8*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ob2.Run(ctx); close(done) }()
	<-wh.arrived
	<-wh.arrived
	// Both arrived; each file goes once its 2xx is read.
	for {
		p, err := ob2.Pending()
		if err != nil {
			t.Fatal(err)
		}
		if len(p) == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	wh.mu.Lock()
	defer wh.mu.Unlock()
	if wh.attempts < 5 {
		t.Errorf("%d attempts: want the 3 failures retried", wh.attempts)
	}
	kinds := map[string]Event{}
	for _, ev := range wh.got {
		kinds[ev.Kind] = ev
	}
	added, rated := kinds[EventPersonAdded], kinds[EventRatingAgreed]
	pseudo := f.srv.pseudonym(np.Person.ID)
	if added.Person != pseudo || rated.Person != pseudo || rated.Rating != "amber" || added.Date.String() != "2026-04-01" || added.Register != f.reg.ID() {
		t.Errorf("events %+v", wh.got)
	}
	for _, b := range wh.bodies {
		for _, secret := range []string{np.Person.ID, string(np.Person.NHSNumber), np.Name, np.Address, np.Person.Postcode} {
			if strings.Contains(b, secret) {
				t.Errorf("an event carries the identifier %q: %s", secret, b)
			}
		}
	}
}

// TestSweepOverdue: each overdue review on the worklist is enqueued once,
// and not again by a later sweep, nor after a restart.
func TestSweepOverdue(t *testing.T) {
	dir := t.TempDir()
	ob, err := OpenOutbox(dir, "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, func(c *Config) { c.Outbox = ob })
	np := f.added()
	items, err := f.reg.Due(t0, testDay("2026-04-01"))
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, it := range items {
		if it.Overdue && strings.HasSuffix(string(it.Kind), "_review") {
			want++
		}
	}
	if want == 0 {
		t.Fatal("no overdue review on the worklist: the test shows nothing")
	}
	n, err := f.srv.SweepOverdue(t0)
	if err != nil || n != want {
		t.Fatalf("first sweep: %d, %v; want the %d overdue reviews", n, err, want)
	}
	pending, _ := ob.Pending() // the reviews only (the person was added straight on the register)
	if len(pending) != want {
		t.Fatalf("pending %v", pending)
	}
	b, err := os.ReadFile(filepath.Join(dir, pending[0]))
	if err != nil {
		t.Fatal(err)
	}
	var ev Event
	json.Unmarshal(b, &ev)
	if ev.Kind != EventReviewOverdue || ev.Person != f.srv.pseudonym(np.Person.ID) || ev.Due.IsZero() || !strings.HasSuffix(ev.Action, "_review") {
		t.Errorf("event %s", b)
	}
	if strings.Contains(string(b), np.Person.ID) {
		t.Errorf("the event names the person: %s", b)
	}
	ob2, _ := OpenOutbox(dir, "http://127.0.0.1:1/unused")
	f.srv.cfg.Outbox = ob2
	if n, err := f.srv.SweepOverdue(t0); err != nil || n != 0 {
		t.Errorf("a second sweep after a restart: %d, %v; want none", n, err)
	}
}

// TestMeetingAndPersonEvents: opening a meeting with a new person enqueues
// person_added; closing a meeting bluelight_meeting_recorded, dated the
// day of the call; by pseudonym. The meeting closed is the fixture's,
// whose person the fixture adds straight on the register: the relay
// announces that person too (every write reaches the webhook, whatever
// made it).
func TestMeetingAndPersonEvents(t *testing.T) {
	dir := t.TempDir()
	ob, err := OpenOutbox(dir, "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, func(c *Config) { c.Outbox = ob })
	tok := f.tokens[register.RoleCoordinator]
	path, body, _ := samples["openMeeting"](f)
	if s, b, _ := f.do("POST", path, tok, body); s != 201 {
		t.Fatalf("open: %d %s", s, b)
	}
	path, body, _ = samples["closeMeeting"](f)
	if s, b, _ := f.do("POST", path, tok, body); s != 200 {
		t.Fatalf("close: %d %s", s, b)
	}
	pending, _ := ob.Pending()
	var kinds []string
	for _, name := range pending {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		var ev Event
		json.Unmarshal(b, &ev)
		kinds = append(kinds, ev.Kind)
		if ev.Kind == EventBlueLightMeeting && ev.Date.String() != "2026-04-01" {
			t.Errorf("meeting event dated %s", ev.Date)
		}
		if len(ev.Person) != len(f.srv.pseudonym("x")) || strings.Contains(string(b), "srv-p") {
			t.Errorf("event %s", b)
		}
	}
	if strings.Join(kinds, ",") != EventPersonAdded+","+EventPersonAdded+","+EventBlueLightMeeting {
		t.Errorf("events %v", kinds)
	}
	if _, m, _ := f.do("GET", "/metrics", "", nil); !strings.Contains(string(m), "dsr_outbox_pending 3") {
		t.Error("the metrics do not count the 3 events pending")
	}
}
