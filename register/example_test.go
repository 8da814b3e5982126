package register_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// A register in memory: Person A joins with a parent's consent, Person B
// is refused because nobody has consented (R-CONS-1), and the worklist
// shows what is due. regRules stands in for policies.Engine here.
func ExampleRegister() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg, err := register.Open(ctx, memstore.New(), regRules{}, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return today.Start().Add(10 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	staff := register.Actor{ID: "staff-17", Role: "coordinator"}

	err = reg.Add(ctx, register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{ID: "person-a", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: calendar.MustParseDate("2010-09-15"), Autism: true},
			Name:   "Person A",
		},
		Circumstances: dsr.Circumstances{InCrisis: true, CommunityCannotManage: true},
		Events:        []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.ByParent}},
	}, staff)
	fmt.Println("add Person A:", err)

	err = reg.Add(ctx, register.NewPerson{Details: register.Details{
		Person: dsr.Person{ID: "person-b", DateOfBirth: calendar.MustParseDate("1990-01-01"), Autism: true},
		Name:   "Person B",
	}}, staff)
	fmt.Println("add Person B refused:", errors.Is(err, register.ErrConsentRequired))

	items, err := reg.Due(ctx, today)
	if err != nil {
		panic(err)
	}
	for _, it := range items {
		fmt.Println(it.PersonID, it.Rating, it.Kind, it.DueDate(), it.Rule, "overdue:", it.Overdue)
	}
	fmt.Println("verify:", reg.Verify(ctx))
	// Output:
	// add Person A: <nil>
	// add Person B refused: true
	// person-a red dsr_review 2026-03-16 R-REV-1 overdue: true
	// person-a red community_review 2026-04-01 R-RAG-ACT-1 overdue: false
	// verify: <nil>
}
