package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/dsrkit/dsrkit/register"
)

// sideTests check register.SideStore; a store that is not one fails them
// (every store of the module is one).
var sideTests = []struct {
	name string
	fn   func(t *testing.T, s register.Store)
}{
	{"an append keeps the snapshot its request gives, with the row it will have", snapshotWithAppend},
	{"an append without a snapshot deletes the old one", snapshotDeleted},
	{"a refused append keeps the old snapshot", snapshotKeptOnRefusal},
	{"due rows are written for the stream's version only", putDue},
	{"a destroyed key deletes the snapshot and the due row, and no due row comes back", sidesErased},
	{"sides are listed by prefix in name order, with rows and no records", sidesByPrefix},
	{"a stopped walk of the sides returns the caller's error", sidesStop},
	{"concurrent due rows and appends: a due row is never for a newer version", sidesConcurrent},
}

func side(t *testing.T, s register.Store) register.SideStore {
	t.Helper()
	ss, ok := s.(register.SideStore)
	if !ok {
		t.Fatalf("%T is not a register.SideStore", s)
	}
	return ss
}

// snap is a Snapshot function writing "snap NAME@VERSION" and recording
// the row it was called with.
func snap(got *register.Stream) func(*register.Stream) []byte {
	return func(row *register.Stream) []byte {
		if got != nil {
			*got = *row
		}
		return fmt.Appendf(nil, "snap %s@%d", row.Name, row.Version)
	}
}

func sidesOf(t *testing.T, ss register.SideStore, name string) (register.Stream, []byte, []byte) {
	t.Helper()
	var row register.Stream
	var sn, due []byte
	found := false
	if err := ss.Sides(ctx, name, true, func(r register.Stream, s, d []byte) error {
		if r.Name == name {
			row, sn, due, found = r, s, d, true
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !found {
		t.Fatalf("Sides does not list %s", name)
	}
	return row, sn, due
}

func snapshotWithAppend(t *testing.T, s register.Store) {
	ss := side(t, s)
	var row register.Stream
	out := mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Snapshot: snap(&row),
		Records: []register.Record{Rec("x", At, "1"), Rec("y", At, "2")}})
	if row.Version != 2 || !bytes.Equal(row.Head, out[1].Hash) || !bytes.Equal(row.Key, Key(1)) || row.KeyDestroyed {
		t.Fatalf("Snapshot called with row %+v", row)
	}
	got, sn, err := ss.StreamRow(ctx, "person/a")
	if err != nil {
		t.Fatal(err)
	}
	if string(sn) != "snap person/a@2" || got.Version != 2 || got.Records != nil || !bytes.Equal(got.Head, out[1].Hash) {
		t.Fatalf("StreamRow: %q, row %+v", sn, got)
	}
	CheckRow(t, got)
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 2, Snapshot: snap(nil), Records: []register.Record{Rec("z", At, "3")}})
	if _, sn, _ = ss.StreamRow(ctx, "person/a"); string(sn) != "snap person/a@3" {
		t.Fatalf("after the second append: %q", sn)
	}
	if _, _, err := ss.StreamRow(ctx, "person/nobody"); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("StreamRow of nobody: %v, want ErrNotFound", err)
	}
}

func snapshotDeleted(t *testing.T, s register.Store) {
	ss := side(t, s)
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Snapshot: snap(nil), Records: []register.Record{Rec("x", At, "1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 1, Records: []register.Record{Rec("y", At, "2")}})
	if _, sn, _ := ss.StreamRow(ctx, "person/a"); sn != nil {
		t.Fatalf("the snapshot %q outlived an append without one", sn)
	}
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 2, Snapshot: snap(nil), Records: []register.Record{Rec("z", At, "3")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 3, Records: []register.Record{Rec("z", At, "4")},
		Snapshot: func(*register.Stream) []byte { return nil }})
	if _, sn, _ := ss.StreamRow(ctx, "person/a"); sn != nil {
		t.Fatalf("the snapshot %q outlived an append whose Snapshot returned nil", sn)
	}
}

func snapshotKeptOnRefusal(t *testing.T, s register.Store) {
	ss := side(t, s)
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Snapshot: snap(nil), Records: []register.Record{Rec("x", At, "1")}})
	if _, err := s.Append(ctx, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 7, Snapshot: snap(nil), Records: []register.Record{Rec("y", At, "2")}}); !errors.Is(err, register.ErrConflict) {
		t.Fatalf("stale append: %v", err)
	}
	if _, sn, _ := ss.StreamRow(ctx, "person/a"); string(sn) != "snap person/a@1" {
		t.Fatalf("after a refused append: %q", sn)
	}
}

func putDue(t *testing.T, s register.Store) {
	ss := side(t, s)
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("x", At, "1")}})
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/b", NewKey: Key(2), Records: []register.Record{Rec("x", At, "1"), Rec("y", At, "2")}})
	err := ss.PutDue(ctx, []register.DueRow{{Stream: "person/a", Version: 1, Data: []byte("a@1")}, {Stream: "person/b", Version: 1, Data: []byte("b@1")},
		{Stream: "person/nobody", Version: 1, Data: []byte("nobody")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, due := sidesOf(t, ss, "person/a"); string(due) != "a@1" {
		t.Fatalf("a's due row: %q", due)
	}
	if _, _, due := sidesOf(t, ss, "person/b"); due != nil {
		t.Fatalf("b's due row for an old version was written: %q", due)
	}
	if err := ss.PutDue(ctx, []register.DueRow{{Stream: "person/a", Version: 1, Data: []byte("a@1 again")}}); err != nil {
		t.Fatal(err)
	}
	if _, _, due := sidesOf(t, ss, "person/a"); string(due) != "a@1 again" {
		t.Fatalf("a's due row not replaced: %q", due)
	}
	// An append leaves the due row (it is for an older version now: the
	// register tells).
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 1, Records: []register.Record{Rec("y", At, "2")}})
	if _, _, due := sidesOf(t, ss, "person/a"); string(due) != "a@1 again" {
		t.Fatalf("a's due row after an append: %q", due)
	}
	if err := ss.PutDue(ctx, nil); err != nil {
		t.Fatalf("no rows: %v", err)
	}
}

func sidesErased(t *testing.T, s register.Store) {
	ss := side(t, s)
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Snapshot: snap(nil), Records: []register.Record{Rec("x", At, "1")}})
	if err := ss.PutDue(ctx, []register.DueRow{{Stream: "person/a", Version: 1, Data: []byte("a@1")}}); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: 1, DestroyKey: true, Snapshot: snap(nil),
		Records: []register.Record{Rec("consent_withdrawn", At, "2")}})
	row, sn, due := sidesOf(t, ss, "person/a")
	if sn != nil || due != nil || !row.KeyDestroyed || row.Key != nil {
		t.Fatalf("after destroying the key: snapshot %q, due %q, row %+v", sn, due, row)
	}
	if err := ss.PutDue(ctx, []register.DueRow{{Stream: "person/a", Version: 2, Data: []byte("a@2")}}); err != nil {
		t.Fatal(err)
	}
	if _, _, due := sidesOf(t, ss, "person/a"); due != nil {
		t.Fatalf("a due row was written for an erased stream: %q", due)
	}
}

func sidesByPrefix(t *testing.T, s register.Store) {
	ss := side(t, s)
	for i, name := range []string{"person/c", "referral/r1", "person/a", "person/b", "personal/x"} {
		mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: name, NewKey: Key(byte(i + 1)), Snapshot: snap(nil), Records: []register.Record{Rec("x", At, name)}})
	}
	var names []string
	err := ss.Sides(ctx, "person/", true, func(row register.Stream, sn, due []byte) error {
		if row.Records != nil || row.Version != 1 || string(sn) != "snap "+row.Name+"@1" || due != nil {
			return fmt.Errorf("stream %s: %+v, snapshot %q, due %q", row.Name, row, sn, due)
		}
		CheckRow(t, row)
		names = append(names, row.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(names) != "[person/a person/b person/c]" {
		t.Fatalf("sides %v", names)
	}
	if err := ss.Sides(ctx, "person/", false, func(row register.Stream, sn, _ []byte) error {
		if sn != nil {
			return fmt.Errorf("stream %s: snapshot %q, not asked for", row.Name, sn)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func sidesStop(t *testing.T, s register.Store) {
	ss := side(t, s)
	for _, name := range []string{"person/a", "person/b"} {
		mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: name, NewKey: Key(1), Records: []register.Record{Rec("x", At, name)}})
	}
	stop := errors.New("stop")
	n := 0
	if err := ss.Sides(ctx, "", true, func(register.Stream, []byte, []byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Sides: %v after %d streams", err, n)
	}
}

func sidesConcurrent(t *testing.T, s register.Store) {
	ss := side(t, s)
	const n = 20
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("x", At, "0")}})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for v := int64(1); v <= n; v++ {
			mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/a", Expected: v, Records: []register.Record{Rec("x", At, "v")}})
		}
	}()
	go func() {
		defer wg.Done()
		for v := int64(1); v <= n; v++ {
			if err := ss.PutDue(ctx, []register.DueRow{{Stream: "person/a", Version: v, Data: fmt.Appendf(nil, "%d", v)}}); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	row, _, due := sidesOf(t, ss, "person/a")
	var v int64
	if due != nil {
		fmt.Sscan(string(due), &v)
	}
	if v > row.Version {
		t.Fatalf("a due row for version %d on a stream at %d", v, row.Version)
	}
}
