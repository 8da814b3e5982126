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

// A page of the worklist with names: the names read at once, one audited
// read for the page; and the worklist kept until something is written,
// reads' audits aside.
func ExampleRegister_DetailsOf() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg, err := register.Open(ctx, memstore.New(), regRules{}, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return today.Start().Add(10 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	staff := register.Actor{ID: "staff-17", Role: register.RoleCoordinator}
	for i, id := range []string{"person-a", "person-b"} {
		if err := reg.Add(ctx, regPerson(id, i+1), staff); err != nil {
			panic(err)
		}
	}
	seq, _ := reg.LastSeq(ctx)
	items, _ := reg.Due(ctx, today)
	names, err := reg.DetailsOf(ctx, register.PeopleIn(items), "worklist page", "rating red", today, staff)
	if err != nil {
		panic(err)
	}
	fmt.Println(names["person-a"].Name, "and", names["person-b"].Name)
	_, wrote, _ := reg.WritesAfter(ctx, seq)
	fmt.Println("written since the worklist:", wrote)
	_ = reg.Agree(ctx, "person-a", dsr.Amber, "agreed by the meeting", staff)
	_, wrote, _ = reg.WritesAfter(ctx, seq)
	fmt.Println("written since the worklist:", wrote)
	// Output:
	// Person A1 Synthetic and Person A2 Synthetic
	// written since the worklist: []
	// written since the worklist: [event]
}
