package storetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// batchTests check register.BatchStore; a store that is not one fails them
// (every store of the module is one).
var batchTests = []struct {
	name string
	fn   func(t *testing.T, s register.Store)
}{
	{"a batch appends in order, twice to one stream, on one chain", batchInOrder},
	{"a batch with one refused request writes nothing, and names the request", batchAllOrNothing},
	{"a batch of no requests is invalid", batchEmpty},
}

func batch(t *testing.T, s register.Store) register.BatchStore {
	t.Helper()
	bs, ok := s.(register.BatchStore)
	if !ok {
		t.Fatalf("%T is not a register.BatchStore", s)
	}
	return bs
}

func batchInOrder(t *testing.T, s register.Store) {
	bs := batch(t, s)
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/z", NewKey: Key(9), Records: []register.Record{Rec("person_added", At, "z1")}})
	var snapRow register.Stream
	out, err := bs.AppendBatch(ctx, []register.AppendRequest{
		{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "a1"), Rec("admitted", At, "a2")}, Snapshot: snap(&snapRow)},
		{Chain: TestChain, Stream: "nhs/b", NewKey: Key(2), Records: []register.Record{Rec("nhs_claimed", At, "b1")}},
		{Chain: TestChain, Stream: "person/a", Expected: 2, Records: []register.Record{Rec("discharged", At, "a3")}},
		{Chain: TestChain, Stream: "person/z", Expected: 1, Records: []register.Record{Rec("admitted", At, "z2")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 4 || len(out[0]) != 2 || len(out[1]) != 1 || len(out[2]) != 1 || len(out[3]) != 1 {
		t.Fatalf("records as stored: %d slices", len(out))
	}
	if out[0][0].Seq != 2 || out[0][1].Seq != 3 || out[1][0].Seq != 4 || out[2][0].Seq != 5 || out[2][0].Version != 3 || out[3][0].Version != 2 {
		t.Fatalf("seqs and versions: %+v", out)
	}
	if n := CheckChain(t, s); n != 6 {
		t.Fatalf("log has %d records, want 6", n)
	}
	a, err := s.Stream(ctx, "person/a")
	if err != nil {
		t.Fatal(err)
	}
	CheckRow(t, a)
	if a.Version != 3 || !bytes.Equal(a.Key, Key(1)) || string(a.Records[2].Payload) != "a3" {
		t.Fatalf("person/a: version %d, %d records", a.Version, len(a.Records))
	}
	if snapRow.Version != 2 {
		t.Fatalf("the first request's snapshot was called with version %d, want 2", snapRow.Version)
	}
	if _, sn, _ := sidesOf(t, side(t, s), "person/a"); sn != nil {
		t.Fatalf("a later request without a snapshot kept %q", sn)
	}
	for _, name := range []string{"nhs/b", "person/z"} {
		st, err := s.Stream(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		CheckRow(t, st)
	}
}

func batchAllOrNothing(t *testing.T, s register.Store) {
	bs := batch(t, s)
	mustAppend(t, s, register.AppendRequest{Chain: TestChain, Stream: "person/z", NewKey: Key(9), Records: []register.Record{Rec("person_added", At, "z1")},
		Snapshot: snap(nil)})
	before, err := s.Stream(ctx, "person/z")
	if err != nil {
		t.Fatal(err)
	}
	ok := register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(1), Records: []register.Record{Rec("person_added", At, "a1")}, Snapshot: snap(nil)}
	for _, tc := range []struct {
		name string
		bad  register.AppendRequest
		is   error
	}{
		{"stale", register.AppendRequest{Chain: TestChain, Stream: "person/z", Expected: 5, Records: []register.Record{Rec("admitted", At, "z2")}}, register.ErrConflict},
		{"taken", register.AppendRequest{Chain: TestChain, Stream: "person/a", NewKey: Key(3), Records: []register.Record{Rec("person_added", At, "again")}}, register.ErrConflict},
		{"invalid", register.AppendRequest{Chain: TestChain, Stream: "person/c", NewKey: Key(3), Records: []register.Record{Rec("", At, "no type")}}, dsr.ErrInvalid},
	} {
		zAppend := register.AppendRequest{Chain: TestChain, Stream: "person/z", Expected: 1, Records: []register.Record{Rec("admitted", At, "z2")}, Snapshot: snap(nil)}
		reqs := []register.AppendRequest{ok, zAppend, tc.bad}
		if tc.name == "stale" {
			reqs = []register.AppendRequest{ok, tc.bad, zAppend}
		}
		_, err := bs.AppendBatch(ctx, reqs)
		if !errors.Is(err, tc.is) {
			t.Fatalf("%s: err %v, want %v", tc.name, err, tc.is)
		}
		want := "append 3 of 3"
		if tc.name == "stale" {
			want = "append 2 of 3"
		}
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("%s: err %q does not name the request (%q)", tc.name, err, want)
		}
		if n := logLen(t, s); n != 1 {
			t.Fatalf("%s: log has %d records after a refused batch, want 1", tc.name, n)
		}
		if _, err := s.Stream(ctx, "person/a"); !errors.Is(err, register.ErrNotFound) {
			t.Fatalf("%s: a refused batch left person/a behind: %v", tc.name, err)
		}
		after, err := s.Stream(ctx, "person/z")
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != 1 || !bytes.Equal(after.Head, before.Head) || !bytes.Equal(after.MAC, before.MAC) {
			t.Fatalf("%s: a refused batch moved person/z to version %d", tc.name, after.Version)
		}
		if _, sn, _ := sidesOf(t, side(t, s), "person/z"); string(sn) != "snap person/z@1" {
			t.Fatalf("%s: a refused batch changed the snapshot to %q", tc.name, sn)
		}
	}
	CheckChain(t, s)
}

func batchEmpty(t *testing.T, s register.Store) {
	if _, err := batch(t, s).AppendBatch(ctx, nil); !errors.Is(err, dsr.ErrInvalid) {
		t.Fatalf("err %v, want ErrInvalid", err)
	}
}
