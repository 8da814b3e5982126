package register_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// rawOf dumps everything the store holds, in a fixed order: the log, every
// stream's row and its side rows, and the metadata.
func rawOf(s *memstore.Store) []byte {
	var b bytes.Buffer
	s.Log(regCtx, func(r register.Record) error {
		fmt.Fprintf(&b, "%d %s %d %s %s %s %s %x %x %x\n", r.Seq, r.Stream, r.Version, r.Type, r.At, r.ActorID, r.ActorRole, r.Payload, r.Prev, r.Hash)
		return nil
	})
	s.Sides(regCtx, "", true, func(row register.Stream, snap, due []byte) error {
		fmt.Fprintf(&b, "%s %d %x %v %x %x %x %x\n", row.Name, row.Version, row.Key, row.KeyDestroyed, row.Head, row.MAC, snap, due)
		return nil
	})
	meta, _ := s.Meta(regCtx)
	b.Write(meta)
	return b.Bytes()
}

func TestAddAllAddsEveryoneOnceAndSkipsThemTheSecondTime(t *testing.T) {
	reg, store, _ := newReg(t)
	one, _, _ := newReg(t)
	people := make([]register.NewPerson, 5)
	for i := range people {
		people[i] = regPerson(fmt.Sprintf("p-%d", i), i)
	}
	people[3].Name = people[1].Name // two people may share a name
	people[4].Person.NHSNumber = ""
	got, err := reg.AddAll(regCtx, people, regStaff)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Added, []int{0, 1, 2, 3, 4}) || len(got.Already) != 0 {
		t.Fatalf("result %+v", got)
	}
	for _, np := range people {
		mustAdd(t, one, np)
	}
	for _, np := range people {
		want, err := one.Details(regCtx, np.Person.ID, regStaff)
		if err != nil {
			t.Fatal(err)
		}
		have, err := reg.Details(regCtx, np.Person.ID, regStaff)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(want) != fmt.Sprint(have) {
			t.Fatalf("%s: AddAll kept %+v, Add %+v", np.Person.ID, have, want)
		}
		if np.Person.NHSNumber != "" {
			id, err := reg.FindNHSNumber(regCtx, np.Person.NHSNumber, regStaff)
			if err != nil || id != np.Person.ID {
				t.Fatalf("FindNHSNumber: %q, %v", id, err)
			}
		}
	}
	ids, err := reg.FindName(regCtx, people[1].Name, regStaff)
	if err != nil || !slices.Equal(ids, []string{"p-1", "p-3"}) {
		t.Fatalf("FindName: %v, %v", ids, err)
	}
	if err := reg.Verify(regCtx); err != nil {
		t.Fatal(err)
	}
	before := rawOf(store)
	again, err := reg.AddAll(regCtx, people, regStaff)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Added) != 0 || !slices.Equal(again.Already, []int{0, 1, 2, 3, 4}) {
		t.Fatalf("the second time: %+v", again)
	}
	if !bytes.Equal(before, rawOf(store)) {
		t.Fatal("adding the same people again wrote to the store")
	}
	// The same NHS number under another local id is the same person.
	other := regPerson("p-other", 2)
	res, err := reg.AddAll(regCtx, []register.NewPerson{other, regPerson("p-new", 9)}, regStaff)
	if err != nil || !slices.Equal(res.Already, []int{0}) || !slices.Equal(res.Added, []int{1}) {
		t.Fatalf("%+v, %v", res, err)
	}
}

func TestAddAllIsAllOrNothing(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(ps []register.NewPerson)
		index int
		is    error
	}{
		{"no consent", func(ps []register.NewPerson) { ps[2].Events = nil }, 2, register.ErrConsentRequired},
		{"a bad entry", func(ps []register.NewPerson) { ps[1].Entry.Gender = "unknown" }, 1, dsr.ErrInvalid},
		{"one NHS number twice", func(ps []register.NewPerson) { ps[3].Person.NHSNumber = ps[0].Person.NHSNumber }, 3, dsr.ErrInvalid},
		{"one local id twice", func(ps []register.NewPerson) { ps[3].Person.ID = ps[1].Person.ID }, 3, dsr.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg, store, _ := newReg(t)
			mustAdd(t, reg, regPerson("existing", 50))
			people := make([]register.NewPerson, 4)
			for i := range people {
				people[i] = regPerson(fmt.Sprintf("p-%d", i), i)
			}
			tc.spoil(people)
			before := rawOf(store)
			for _, run := range []func() (register.BatchResult, error){
				func() (register.BatchResult, error) { return reg.CheckAll(regCtx, people, regStaff) },
				func() (register.BatchResult, error) { return reg.AddAll(regCtx, people, regStaff) },
			} {
				_, err := run()
				var be *register.BatchError
				if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != tc.index || !errors.Is(err, tc.is) {
					t.Fatalf("err %v, want one failure at %d matching %v", err, tc.index, tc.is)
				}
				if !bytes.Equal(before, rawOf(store)) {
					t.Fatal("a refused batch wrote to the store")
				}
			}
			if _, err := reg.Version(regCtx, "p-0"); !errors.Is(err, register.ErrNotFound) {
				t.Fatalf("p-0 after a refused batch: %v", err)
			}
		})
	}
}

func TestCheckAllWritesNothing(t *testing.T) {
	reg, store, _ := newReg(t)
	before := rawOf(store)
	res, err := reg.CheckAll(regCtx, []register.NewPerson{regPerson("a", 1), regPerson("b", 2)}, regStaff)
	if err != nil || !slices.Equal(res.Added, []int{0, 1}) {
		t.Fatalf("%+v, %v", res, err)
	}
	if !bytes.Equal(before, rawOf(store)) {
		t.Fatal("CheckAll wrote to the store")
	}
}

func TestDetailsAndCaseIsOneAuditedRead(t *testing.T) {
	reg, _, _ := newReg(t)
	mustAdd(t, reg, regPerson("a", 1))
	d, c, err := reg.DetailsAndCase(regCtx, "a", regDay("2026-04-01"), regStaff, register.Because("export"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := reg.Details(regCtx, "a", regStaff)
	if err != nil || fmt.Sprint(d) != fmt.Sprint(want) || !c.Circumstances.InCrisis || len(c.Events) != 1 {
		t.Fatalf("details %+v, case %+v, %v", d, c, err)
	}
	entries, err := reg.Audit(regCtx, "a", register.Actor{ID: "admin-1", Role: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	var reads []string
	for _, e := range entries {
		if e.Read {
			reads = append(reads, e.What+"/"+e.Why)
		}
	}
	if !slices.Equal(reads, []string{"details and case/export", "details/"}) {
		t.Fatalf("reads audited: %v", reads)
	}
	if _, _, err := reg.DetailsAndCase(regCtx, "nobody", regDay("2026-04-01"), regStaff); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("an unknown person: %v", err)
	}
	if _, _, err := reg.DetailsAndCase(regCtx, "a", regDay("2026-04-01"), register.Actor{}); !errors.Is(err, dsr.ErrInvalid) {
		t.Fatalf("no actor: %v", err)
	}
}

func TestDetailsAndCasesAuditsEachPersonInOneWrite(t *testing.T) {
	reg, store, _ := newReg(t)
	for i := range 5 {
		mustAdd(t, reg, regPerson(fmt.Sprintf("p-%d", i), i))
	}
	if _, err := reg.Details(regCtx, "p-2", regStaff); err != nil { // an audit stream that exists
		t.Fatal(err)
	}
	ids := []string{"p-0", "p-1", "p-2", "p-3", "p-4"}
	logLen := func() (n int) {
		store.Log(regCtx, func(register.Record) error { n++; return nil })
		return n
	}
	before := logLen()
	ds, cs, err := reg.DetailsAndCases(regCtx, ids, regDay("2026-04-01"), regStaff, register.Because("export"))
	if err != nil {
		t.Fatal(err)
	}
	if logLen() != before+5 {
		t.Fatalf("%d records written, want 5", logLen()-before)
	}
	admin := register.Actor{ID: "admin-1", Role: "admin"}
	for i, id := range ids {
		d, c, err := reg.DetailsAndCase(regCtx, id, regDay("2026-04-01"), regStaff)
		if err != nil || fmt.Sprint(d) != fmt.Sprint(ds[i]) || fmt.Sprint(c) != fmt.Sprint(cs[i]) {
			t.Fatalf("%s: %v", id, err)
		}
		entries, err := reg.Audit(regCtx, id, admin)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Read && e.What == "details and case" && e.Why == "export" && e.By == regStaff {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%s: %d reads for the export audited, want 1", id, n)
		}
	}
	if err := reg.Verify(regCtx); err != nil {
		t.Fatal(err)
	}
	// Anyone unknown: nothing read, nothing audited.
	before = logLen()
	if _, _, err := reg.DetailsAndCases(regCtx, []string{"p-0", "nobody"}, regDay("2026-04-01"), regStaff); !errors.Is(err, register.ErrNotFound) {
		t.Fatalf("err %v", err)
	}
	if logLen() != before {
		t.Fatal("a refused read was audited")
	}
	// The same person twice: each read audited, in turn.
	if _, _, err := reg.DetailsAndCases(regCtx, []string{"p-0", "p-0"}, regDay("2026-04-01"), regStaff); err != nil || logLen() != before+2 {
		t.Fatalf("twice: %v, %d records", err, logLen()-before)
	}
}
