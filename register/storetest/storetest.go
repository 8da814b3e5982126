// Package storetest is the test suite every register.Store must pass. A store
// package runs it from its own tests:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) register.Store { return memstore.New() })
//	}
//
// The suite checks the contract of register.Store: atomic appends with
// optimistic concurrency, one hash chain over the whole log computed by the
// request's register.Chain (the suite's TestChain, an HMAC under a test
// key: a store never holds the register's chain key), each stream's row
// with its head and MAC, keys stored with a stream's first records and
// destroyed for good, metadata set once, Rekey all or nothing, consistent
// reads.
package storetest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// Open returns a new, empty store for one test. The suite closes it.
type Open func(t *testing.T) register.Store

// Key returns a valid 32-byte data key made from b.
func Key(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// testChain is an HMAC-SHA256 register.Chain under a fixed test key.
type testChain struct{}

// TestChain is the register.Chain the suite appends with.
var TestChain register.Chain = testChain{}

func (testChain) RecordHash(r *register.Record) []byte {
	m := hmac.New(sha256.New, []byte("storetest chain key"))
	m.Write(r.CanonicalJSON())
	return m.Sum(nil)
}

func (testChain) StreamMAC(s *register.Stream) []byte {
	m := hmac.New(sha256.New, []byte("storetest chain key"))
	fmt.Fprintf(m, "%q %d %x %v %x", s.Name, s.Version, s.Key, s.KeyDestroyed, s.Head)
	return m.Sum(nil)
}

// CheckRow fails t unless a stream's row has its last record's hash as
// Head and TestChain's MAC.
func CheckRow(t testing.TB, st register.Stream) {
	t.Helper()
	if len(st.Records) > 0 && !bytes.Equal(st.Head, st.Records[len(st.Records)-1].Hash) {
		t.Fatalf("stream %s: head %x is not its last record's hash", st.Name, st.Head)
	}
	if !bytes.Equal(st.MAC, TestChain.StreamMAC(&st)) {
		t.Fatalf("stream %s: MAC does not match its row", st.Name)
	}
}

// Rec returns a record to append, of type typ, written at the given
// instant, with payload p.
func Rec(typ string, at time.Time, p string) register.Record {
	return register.Record{Type: typ, At: at, ActorID: "staff-1", ActorRole: "care coordinator", Payload: []byte(p)}
}

// At is the instant the suite's records are written: a Monday in 2026 with
// nanoseconds, to show they survive the store.
var At = time.Date(2026, 3, 30, 9, 15, 30, 123456789, time.UTC)

// CheckChain fails t unless the store's log is numbered 1, 2, 3 … and every
// record's Prev is the Hash of the one before and its Hash is TestChain's.
func CheckChain(t testing.TB, s register.Store) int {
	t.Helper()
	var prev []byte
	n := 0
	err := s.Log(context.Background(), func(r register.Record) error {
		n++
		switch {
		case r.Seq != int64(n):
			return fmt.Errorf("record %d has seq %d", n, r.Seq)
		case !bytes.Equal(r.Prev, prev):
			return fmt.Errorf("record %d does not link to the one before", n)
		case !bytes.Equal(TestChain.RecordHash(&r), r.Hash):
			return fmt.Errorf("record %d: hash does not match its content", n)
		}
		prev = r.Hash
		return nil
	})
	if err != nil {
		t.Fatalf("chain: %v", err)
	}
	return n
}

// Run runs the suite against stores made by open.
func Run(t *testing.T, open Open) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s register.Store)
	}{
		{"a new stream starts at version 1 and keeps its key", newStream},
		{"records come back exactly as stored, nanoseconds included", roundTrip},
		{"every record links to the one before across streams", chainAcrossStreams},
		{"a stale version is a conflict and writes nothing", staleVersion},
		{"creating a stream that exists is a conflict", createTwice},
		{"a new stream needs a key, and a bad request writes nothing", badRequests},
		{"a destroyed key is gone for good and the stream takes no more records", destroyKey},
		{"an unknown stream is not found", unknownStream},
		{"streams are listed by prefix in name order", streamsByPrefix},
		{"concurrent writers to one stream: exactly one wins each version", concurrentSameStream},
		{"concurrent writers to many streams keep one chain", concurrentManyStreams},
		{"a stopped walk returns the caller's error", stopWalk},
		{"an append needs a Chain", noChain},
		{"each stream's row carries its head and MAC, destroyed or not", rowMAC},
		{"metadata is set once", metaOnce},
		{"rekey replaces every key, MAC and the metadata, or nothing", rekey},
		{"a stream with no records at all in a walk", emptyWalk},
		{"the log is read from after a seq, and its last seq is known", logAfter},
	}
	tests = append(tests, sideTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			tc.fn(t, s)
		})
	}
}

var ctx = context.Background()

func mustAppend(t *testing.T, s register.Store, req register.AppendRequest) []register.Record {
	t.Helper()
	out, err := s.Append(ctx, req)
	if err != nil {
		t.Fatalf("append to %s at %d: %v", req.Stream, req.Expected, err)
	}
	return out
}

func logLen(t *testing.T, s register.Store) int {
	t.Helper()
	n := 0
	if err := s.Log(ctx, func(register.Record) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func newStream(t *testing.T, s register.Store) {
	out := mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1),
		Records: []register.Record{Rec("person_added", At, "one"), Rec("admitted", At, "two")}})
	if len(out) != 2 || out[0].Version != 1 || out[1].Version != 2 || out[0].Seq != 1 || out[1].Seq != 2 {
		t.Fatalf("versions and seqs: %+v", out)
	}
	st, err := s.Stream(ctx, "person/a")
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != 2 || !bytes.Equal(st.Key, Key(1)) || st.KeyDestroyed || len(st.Records) != 2 {
		t.Fatalf("stream: version %d key %x destroyed %v records %d", st.Version, st.Key, st.KeyDestroyed, len(st.Records))
	}
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 2, Records: []register.Record{Rec("discharged", At, "three")}})
	st, _ = s.Stream(ctx, "person/a")
	if st.Version != 3 || string(st.Records[2].Payload) != "three" {
		t.Fatalf("after a second append: version %d", st.Version)
	}
	CheckChain(t, s)
}

func roundTrip(t *testing.T, s register.Store) {
	out := mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1),
		Records: []register.Record{Rec("person_added", At.In(time.FixedZone("BST", 3600)), "\x00\xffbinary")}})
	var logged []register.Record
	s.Log(ctx, func(r register.Record) error { logged = append(logged, r); return nil })
	st, _ := s.Stream(ctx, "person/a")
	for _, got := range []register.Record{logged[0], st.Records[0]} {
		want := out[0]
		if got.Seq != want.Seq || got.Stream != want.Stream || got.Version != want.Version || got.Type != want.Type ||
			!got.At.Equal(At) || got.At.Location() != time.UTC || got.ActorID != want.ActorID || got.ActorRole != want.ActorRole ||
			!bytes.Equal(got.Payload, want.Payload) || !bytes.Equal(got.Prev, want.Prev) || !bytes.Equal(got.Hash, want.Hash) {
			t.Fatalf("stored %+v\n read %+v", want, got)
		}
		if !bytes.Equal(TestChain.RecordHash(&got), got.Hash) {
			t.Fatal("hash does not survive the round trip")
		}
	}
}

func chainAcrossStreams(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "a1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", NewKey: Key(2), Records: []register.Record{Rec("person_added", At, "b1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 1, Records: []register.Record{Rec("admitted", At, "a2")}})
	if n := CheckChain(t, s); n != 3 {
		t.Fatalf("log has %d records, want 3", n)
	}
	st, _ := s.Stream(ctx, "person/a")
	if st.Records[1].Seq != 3 || st.Records[1].Version != 2 {
		t.Fatalf("person/a's second record: seq %d version %d", st.Records[1].Seq, st.Records[1].Version)
	}
}

func logAfter(t *testing.T, s register.Store) {
	if n, err := s.LastSeq(ctx); err != nil || n != 0 {
		t.Fatalf("an empty log's last seq: %d, %v", n, err)
	}
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "a1"), Rec("admitted", At, "a2")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", NewKey: Key(2), Records: []register.Record{Rec("person_added", At, "b1")}})
	if n, err := s.LastSeq(ctx); err != nil || n != 3 {
		t.Fatalf("last seq: %d, %v; want 3", n, err)
	}
	for after, want := range map[int64]string{-1: "a1 a2 b1", 0: "a1 a2 b1", 1: "a2 b1", 2: "b1", 3: "", 9: ""} {
		var got []string
		var seqs []int64
		if err := s.LogAfter(ctx, after, func(r register.Record) error {
			got, seqs = append(got, string(r.Payload)), append(seqs, r.Seq)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("after %d: %q, want %q", after, got, want)
		}
		for i, q := range seqs {
			if q <= after || (i > 0 && q <= seqs[i-1]) {
				t.Errorf("after %d: seqs %v", after, seqs)
			}
		}
	}
}

func staleVersion(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "a1"), Rec("admitted", At, "a2")}})
	for _, v := range []int64{1, 3} {
		_, err := s.Append(ctx, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: v, Records: []register.Record{Rec("discharged", At, "late")}})
		if !errors.Is(err, register.ErrConflict) {
			t.Fatalf("expected version %d: err %v, want ErrConflict", v, err)
		}
	}
	if n := logLen(t, s); n != 2 {
		t.Fatalf("log has %d records after refused appends, want 2", n)
	}
}

func createTwice(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "a1")}})
	_, err := s.Append(ctx, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(9), Records: []register.Record{Rec("person_added", At, "again")}})
	if !errors.Is(err, register.ErrConflict) {
		t.Fatalf("err %v, want ErrConflict", err)
	}
	st, _ := s.Stream(ctx, "person/a")
	if !bytes.Equal(st.Key, Key(1)) {
		t.Fatal("the second create replaced the key")
	}
}

func badRequests(t *testing.T, s register.Store) {
	bad := []register.AppendRequest{
		{Chain: TestChain, Stream: "person/a", Records: []register.Record{Rec("person_added", At, "no key")}},
		{Chain: TestChain, Stream: "person/a", NewKey: []byte("short"), Records: []register.Record{Rec("person_added", At, "short key")}},
		{Chain: TestChain, Stream: "person/a", NewKey: Key(1)},
		{Chain: TestChain, Stream: "", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "x")}},
		{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "ok"), Rec("", At, "no type")}},
		{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", time.Time{}, "no time")}},
		{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "")}},
	}
	for i, req := range bad {
		if _, err := s.Append(ctx, req); !errors.Is(err, dsr.ErrInvalid) {
			t.Errorf("request %d: err %v, want ErrInvalid", i, err)
		}
	}
	if n := logLen(t, s); n != 0 {
		t.Fatalf("log has %d records after bad requests, want 0", n)
	}
	if _, err := s.Stream(ctx, "person/a"); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("a refused create left a stream behind: %v", err)
	}
}

func destroyKey(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(7), Records: []register.Record{Rec("person_added", At, "a1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 1, DestroyKey: true, Records: []register.Record{Rec("consent_withdrawn", At, "a2")}})
	st, err := s.Stream(ctx, "person/a")
	if err != nil {
		t.Fatal(err)
	}
	if !st.KeyDestroyed || st.Key != nil || st.Version != 2 || len(st.Records) != 2 {
		t.Fatalf("after destroying: destroyed %v key %x version %d", st.KeyDestroyed, st.Key, st.Version)
	}
	if st.Records[1].Type != "consent_withdrawn" || st.Records[1].ActorRole == "" {
		t.Fatal("the audit trail (type, time, role) did not survive")
	}
	_, err = s.Append(ctx, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 2, Records: []register.Record{Rec("admitted", At, "after")}})
	if !errors.Is(err, register.ErrErased) {
		t.Fatalf("append after erasure: %v, want ErrErased", err)
	}
	var seen bool
	s.Streams(ctx, "person/", func(st register.Stream) error {
		seen = st.KeyDestroyed && st.Key == nil
		return nil
	})
	if !seen {
		t.Fatal("Streams still returns the destroyed key")
	}
	CheckChain(t, s)
}

func unknownStream(t *testing.T, s register.Store) {
	if _, err := s.Stream(ctx, "person/nobody"); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("err %v, want ErrNotFound", err)
	}
}

func streamsByPrefix(t *testing.T, s register.Store) {
	for i, name := range []string{"person/c", "referral/r1", "person/a", "person/b", "personal/x"} {
		mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: name, NewKey: Key(byte(i + 1)), Records: []register.Record{Rec("x", At, name), Rec("y", At, name)}})
	}
	var names []string
	err := s.Streams(ctx, "person/", func(st register.Stream) error {
		if len(st.Records) != 2 || st.Version != 2 || string(st.Records[0].Payload) != st.Name {
			return fmt.Errorf("stream %s came back with %d records", st.Name, len(st.Records))
		}
		names = append(names, st.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[person/a person/b person/c]" {
		t.Fatalf("streams %v", names)
	}
}

func concurrentSameStream(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "a")}})
	const writers = 8
	var wg sync.WaitGroup
	wins := make(chan int, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Append(ctx, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 1, Records: []register.Record{Rec("admitted", At, fmt.Sprint(w))}})
			switch {
			case err == nil:
				wins <- w
			case !errors.Is(err, register.ErrConflict):
				t.Errorf("writer %d: %v", w, err)
			}
		}()
	}
	wg.Wait()
	close(wins)
	if n := len(wins); n != 1 {
		t.Fatalf("%d writers won version 2, want exactly 1", n)
	}
	if n := CheckChain(t, s); n != 2 {
		t.Fatalf("log has %d records, want 2", n)
	}
}

func concurrentManyStreams(t *testing.T, s register.Store) {
	const writers, each = 6, 5
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("person/%d", w)
			for v := range each {
				req := register.AppendRequest{Chain: TestChain, Stream: name, Expected: int64(v), Records: []register.Record{Rec("e", At, fmt.Sprint(v))}}
				if v == 0 {
					req.NewKey = Key(byte(w + 1))
				}
				if _, err := s.Append(ctx, req); err != nil {
					t.Errorf("%s version %d: %v", name, v+1, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if n := CheckChain(t, s); n != writers*each {
		t.Fatalf("log has %d records, want %d", n, writers*each)
	}
}

func stopWalk(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("x", At, "1"), Rec("y", At, "2")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", NewKey: Key(2), Records: []register.Record{Rec("x", At, "1")}})
	stop := errors.New("stop")
	n := 0
	if err := s.Log(ctx, func(register.Record) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Log: err %v after %d records", err, n)
	}
	n = 0
	if err := s.Streams(ctx, "", func(register.Stream) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Streams: err %v after %d streams", err, n)
	}
}

func noChain(t *testing.T, s register.Store) {
	_, err := s.Append(ctx, register.AppendRequest{Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("x", At, "1")}})
	if !errors.Is(err, dsr.ErrInvalid) {
		t.Fatalf("append without a Chain: %v, want ErrInvalid", err)
	}
	if n := logLen(t, s); n != 0 {
		t.Fatalf("log has %d records", n)
	}
}

func rowMAC(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("x", At, "1"), Rec("y", At, "2")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", NewKey: Key(2), Records: []register.Record{Rec("x", At, "1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 2, Records: []register.Record{Rec("z", At, "3")}})
	for _, name := range []string{"person/a", "person/b"} {
		st, err := s.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		CheckRow(t, st)
	}
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", Expected: 1, DestroyKey: true, Records: []register.Record{Rec("w", At, "2")}})
	err := s.Streams(ctx, "person/", func(st register.Stream) error {
		CheckRow(t, st)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func metaOnce(t *testing.T, s register.Store) {
	if m, err := s.Meta(ctx); err != nil || m != nil {
		t.Fatalf("a new store's metadata: %q, %v", m, err)
	}
	if err := s.InitMeta(ctx, []byte(`{"id":"one"}`)); err != nil {
		t.Fatal(err)
	}
	if err := s.InitMeta(ctx, []byte(`{"id":"two"}`)); !errors.Is(err, register.ErrConflict) {
		t.Fatalf("a second InitMeta: %v, want ErrConflict", err)
	}
	if m, _ := s.Meta(ctx); string(m) != `{"id":"one"}` {
		t.Fatalf("metadata %q after a refused InitMeta", m)
	}
}

func rekey(t *testing.T, s register.Store) {
	if err := s.InitMeta(ctx, []byte("old")); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("x", At, "1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", NewKey: Key(2), Records: []register.Record{Rec("x", At, "1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/c", NewKey: Key(3), DestroyKey: true, Records: []register.Record{Rec("x", At, "1")}})
	before := logLen(t, s)
	// A failure half-way changes nothing.
	stop := errors.New("stop")
	n := 0
	err := s.Rekey(ctx, []byte("half"), func(st register.Stream) ([]byte, []byte, error) {
		if n++; n == 2 {
			return nil, nil, stop
		}
		return Key(9), []byte("mac"), nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("a failing rekey: %v", err)
	}
	for i, name := range []string{"person/a", "person/b"} {
		st, _ := s.Stream(ctx, name)
		if !bytes.Equal(st.Key, Key(byte(i+1))) {
			t.Fatalf("a failed rekey changed %s's key", name)
		}
		CheckRow(t, st)
	}
	if m, _ := s.Meta(ctx); string(m) != "old" {
		t.Fatalf("a failed rekey changed the metadata to %q", m)
	}
	err = s.Rekey(ctx, []byte("new"), func(st register.Stream) ([]byte, []byte, error) {
		if len(st.Records) != 0 {
			return nil, nil, fmt.Errorf("rekey was given %s's records", st.Name)
		}
		if st.KeyDestroyed {
			return nil, st.MAC, nil
		}
		st.Key = append([]byte("new-"), st.Key...)
		return st.Key, TestChain.StreamMAC(&st), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"person/a", "person/b", "person/c"} {
		st, _ := s.Stream(ctx, name)
		CheckRow(t, st)
		if i < 2 && !bytes.Equal(st.Key, append([]byte("new-"), Key(byte(i+1))...)) {
			t.Fatalf("%s's key after rekey: %x", name, st.Key)
		}
		if i == 2 && (st.Key != nil || !st.KeyDestroyed) {
			t.Fatal("rekey brought back a destroyed key")
		}
	}
	if m, _ := s.Meta(ctx); string(m) != "new" {
		t.Fatalf("metadata after rekey: %q", m)
	}
	if n := logLen(t, s); n != before {
		t.Fatalf("rekey changed the log: %d records, was %d", n, before)
	}
	CheckChain(t, s)
}

// emptyWalk checks that Streams, walking streams and records together,
// gives each stream its own records only, from first to last.
func emptyWalk(t *testing.T, s register.Store) {
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("x", At, "a1"), Rec("x", At, "a2")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", NewKey: Key(2), Records: []register.Record{Rec("x", At, "b1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 2, Records: []register.Record{Rec("x", At, "a3")}})
	var got []string
	err := s.Streams(ctx, "", func(st register.Stream) error {
		var ps []string
		for _, r := range st.Records {
			ps = append(ps, string(r.Payload))
		}
		got = append(got, fmt.Sprintf("%s%v", st.Name, ps))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[person/a[a1 a2 a3] person/b[b1]]" {
		t.Fatalf("streams: %v", got)
	}
}
