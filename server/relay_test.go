package server

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
)

// pendingEvents reads the events waiting in dir, in delivery order.
func pendingEvents(t *testing.T, ob *Outbox) (names []string, evs []Event) {
	t.Helper()
	names, err := ob.Pending()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(ob.dir, n))
		if err != nil {
			t.Fatal(err)
		}
		var ev Event
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return names, evs
}

func kindsOf(evs []Event) string {
	var k []string
	for _, ev := range evs {
		k = append(k, ev.Kind)
	}
	return strings.Join(k, ",")
}

// TestRelayLosesNoCommittedWrite: a write that committed but whose process
// died before it queued the event (here: written straight to the register,
// no relay run) is announced by the next relay, of a new Outbox on the
// same directory, as a restarted process would; a relay run twice queues
// nothing more.
func TestRelayLosesNoCommittedWrite(t *testing.T) {
	dir := t.TempDir()
	ob, err := OpenOutbox(dir, "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, func(c *Config) { c.Outbox = ob })
	np := f.added()
	if err := f.reg.Agree(t0, np.Person.ID, dsr.Amber, "agreed at the meeting", fixtureActor); err != nil {
		t.Fatal(err)
	}
	if _, evs := pendingEvents(t, ob); len(evs) != 0 {
		t.Fatalf("queued before any relay: %v", kindsOf(evs))
	}

	// The restart.
	ob2, err := OpenOutbox(dir, "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	if err := ob2.Follow(t0, f.reg); err != nil {
		t.Fatal(err)
	}
	n, err := ob2.Relay(t0)
	if err != nil || n != 2 {
		t.Fatalf("relay after the restart: %d, %v; want the 2 events", n, err)
	}
	_, evs := pendingEvents(t, ob2)
	if kindsOf(evs) != EventPersonAdded+","+EventRatingAgreed {
		t.Fatalf("events %v", kindsOf(evs))
	}
	pseudo := f.srv.pseudonym(np.Person.ID)
	for _, ev := range evs {
		if ev.Person != pseudo || ev.Register != f.reg.ID() || ev.ID == "" || ev.Date.String() != "2026-04-01" {
			t.Errorf("event %+v", ev)
		}
	}
	if evs[1].Rating != "amber" {
		t.Errorf("rating %q", evs[1].Rating)
	}
	if n, err := ob2.Relay(t0); err != nil || n != 0 {
		t.Errorf("a second relay: %d, %v; want nothing more", n, err)
	}
}

// TestRelayAfterACrashBeforeTheCursorMoves: events queued, then the
// process dies before the cursor is saved (here: the cursor file put back
// as it was). The next relay reads the same records again and queues the
// same files with the same ids: one event each in the directory, and a
// receiver sent one twice sees the same id.
func TestRelayAfterACrashBeforeTheCursorMoves(t *testing.T) {
	dir := t.TempDir()
	ob, err := OpenOutbox(dir, "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, func(c *Config) { c.Outbox = ob })
	before, err := os.ReadFile(filepath.Join(dir, cursorFile))
	if err != nil {
		t.Fatal(err)
	}
	np := f.added()
	if err := f.reg.Agree(t0, np.Person.ID, dsr.Red, "agreed", fixtureActor); err != nil {
		t.Fatal(err)
	}
	if _, err := ob.Relay(t0); err != nil {
		t.Fatal(err)
	}
	names1, evs1 := pendingEvents(t, ob)
	if err := os.WriteFile(filepath.Join(dir, cursorFile), before, 0o600); err != nil {
		t.Fatal(err)
	}
	// One event delivered meanwhile (its file gone): queued again, same id.
	if err := os.Remove(filepath.Join(dir, names1[0])); err != nil {
		t.Fatal(err)
	}
	ob2, _ := OpenOutbox(dir, "http://127.0.0.1:1/unused")
	if err := ob2.Follow(t0, f.reg); err != nil {
		t.Fatal(err)
	}
	if _, err := ob2.Relay(t0); err != nil {
		t.Fatal(err)
	}
	names2, evs2 := pendingEvents(t, ob2)
	if !slices.Equal(names1, names2) || len(evs2) != 2 {
		t.Fatalf("after the crash: %v, want %v", names2, names1)
	}
	for i := range evs1 {
		if evs1[i] != evs2[i] {
			t.Errorf("event %d: %+v then %+v", i, evs1[i], evs2[i])
		}
	}
}

// TestRelayStartsAtTheEndOfTheLog: a directory that has never followed the
// register does not announce what was written before it.
func TestRelayStartsAtTheEndOfTheLog(t *testing.T) {
	f := newFixture(t, nil)
	f.added()
	f.added()
	ob, err := OpenOutbox(t.TempDir(), "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	if err := ob.Follow(t0, f.reg); err != nil {
		t.Fatal(err)
	}
	if n, err := ob.Relay(t0); err != nil || n != 0 {
		t.Fatalf("relay of a new directory: %d, %v; want nothing", n, err)
	}
	f.added()
	if n, err := ob.Relay(t0); err != nil || n != 1 {
		t.Fatalf("relay after one more: %d, %v; want 1", n, err)
	}
}

// TestRelayNeverAnnouncesTheErased: a person whose consent was withdrawn
// (their key destroyed) before the relay read their records is not
// announced, and the relay moves past them.
func TestRelayNeverAnnouncesTheErased(t *testing.T) {
	ob, err := OpenOutbox(t.TempDir(), "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, func(c *Config) { c.Outbox = ob })
	gone := f.added()
	if err := f.reg.Record(t0, gone.Person.ID, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: testDay("2026-04-01"), GivenBy: dsr.ByParent}, fixtureActor); err != nil {
		t.Fatal(err)
	}
	kept := f.added()
	if _, err := ob.Relay(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, evs := pendingEvents(t, ob)
	if len(evs) != 1 || evs[0].Person != f.srv.pseudonym(kept.Person.ID) {
		t.Fatalf("events %+v; want only the person kept", evs)
	}
}

// TestRelayUnderConcurrentWrites: people added through the service at
// once are each announced exactly once.
func TestRelayUnderConcurrentWrites(t *testing.T) {
	ob, err := OpenOutbox(t.TempDir(), "http://127.0.0.1:1/unused")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, nil, func(c *Config) { c.Outbox = ob })
	tok := f.tokens["coordinator"]
	const n = 16
	people := make([]string, n)
	done := make(chan error, n)
	for i := range n {
		np := f.person()
		people[i] = f.srv.pseudonym(np.Person.ID)
		go func() {
			s, b, _ := f.do("POST", "/v1/people", tok, np)
			if s != 201 {
				done <- &dsr.ValidationError{Field: "add", Problem: string(b)}
				return
			}
			done <- nil
		}()
	}
	for range n {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	_, evs := pendingEvents(t, ob)
	var got []string
	for _, ev := range evs {
		if ev.Kind != EventPersonAdded {
			t.Errorf("event %+v", ev)
		}
		got = append(got, ev.Person)
	}
	slices.Sort(got)
	slices.Sort(people)
	if !slices.Equal(got, people) {
		t.Errorf("announced %v, want each of %v once", got, people)
	}
}
