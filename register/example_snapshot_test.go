package register_test

import (
	"context"
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// The snapshots and the due cache are on by default; turning them off
// changes no result, only the work done: here a register with both and one
// without, over the same store, give the same worklist. namedRules name
// their policy, so the store keeps each person's items (register.PolicyNamer).
func ExampleWithDueCache() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	store, kek := memstore.New(), register.MemoryKey()
	open := func(opts ...register.Option) *register.Register {
		reg, err := register.Open(ctx, store, namedRules{digest: "example"}, append([]register.Option{register.WithKeys(kek),
			register.WithConsentPolicy(consent.National2023),
			register.WithClock(func() time.Time { return today.Start().Add(10 * time.Hour) })}, opts...)...)
		if err != nil {
			panic(err)
		}
		return reg
	}
	staff := register.Actor{ID: "staff-17", Role: "coordinator"}
	reg := open()
	err := reg.Add(ctx, register.NewPerson{
		Details: register.Details{Person: dsr.Person{ID: "person-a", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: calendar.MustParseDate("2010-09-15"), Autism: true}},
		Events:  []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.ByParent}},
	}, staff)
	if err != nil {
		panic(err)
	}
	// Record reads Person A's snapshot, not their history.
	if err := reg.Record(ctx, "person-a", dsr.Event{Type: dsr.EventRegisterReviewed, Date: today}, staff); err != nil {
		panic(err)
	}
	for _, r := range []*register.Register{reg, open(register.WithDueCache(false), register.WithSnapshots(false))} {
		items, err := r.Due(ctx, today)
		if err != nil {
			panic(err)
		}
		for _, it := range items {
			fmt.Println(it.PersonID, it.Kind, it.DueDate(), it.Rule)
		}
	}
	// Output:
	// person-a dsr_review 2026-04-15 R-REV-1
	// person-a dsr_review 2026-04-15 R-REV-1
}
