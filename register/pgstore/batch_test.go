package pgstore_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// AddAll on PostgreSQL: many people in one transaction, a refused batch
// writes nothing (the log and the streams as they were), and the same
// people again are already on the register.
func TestAddAllOnPostgreSQL(t *testing.T) {
	s, _ := openFresh(t)
	reg := openRegister(t, s, consentRules{}, day)
	people := make([]register.NewPerson, 20)
	for i := range people {
		people[i] = personB()
		people[i].Person.ID = fmt.Sprintf("p-%02d", i)
		people[i].Person.NHSNumber = dsr.TestNHSNumber(100 + i)
	}
	spoilt := slices.Clone(people)
	spoilt[13].Events = nil // no consent
	count := func() (n int64) {
		if err := s.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM records) + (SELECT count(*) FROM streams)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	_, err := reg.AddAll(ctx, spoilt, staff)
	var be *register.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 13 || !errors.Is(err, register.ErrConsentRequired) {
		t.Fatalf("err %v", err)
	}
	if after := count(); after != before {
		t.Fatalf("a refused batch wrote: %d rows, then %d", before, after)
	}
	res, err := reg.AddAll(ctx, people, staff)
	if err != nil || len(res.Added) != 20 {
		t.Fatalf("%+v %v", res, err)
	}
	if err := reg.Verify(ctx); err != nil {
		t.Fatal(err)
	}
	id, err := reg.FindNHSNumber(ctx, dsr.TestNHSNumber(107), staff)
	if err != nil || id != "p-07" {
		t.Fatalf("%q %v", id, err)
	}
	written := count()
	res, err = reg.AddAll(ctx, people, staff)
	if err != nil || len(res.Added) != 0 || len(res.Already) != 20 || count() != written {
		t.Fatalf("again: %+v %v", res, err)
	}
}
