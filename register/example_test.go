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

// Rekeying moves a register to a new key-encryption key without rewriting
// a record; afterwards the old key no longer opens it. Reads are audited.
func ExampleRegister_Rekey() {
	ctx := context.Background()
	store := memstore.New()
	old, next := register.MemoryKey(), register.MemoryKey()
	clock := register.WithClock(func() time.Time { return time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC) })
	reg, err := register.Open(ctx, store, regRules{}, register.WithKeys(old), register.WithConsentPolicy(consent.National2023), clock)
	if err != nil {
		panic(err)
	}
	staff := register.Actor{ID: "staff-17", Role: register.RoleCoordinator}
	err = reg.Add(ctx, register.NewPerson{
		Details: register.Details{Person: dsr.Person{ID: "person-a", NHSNumber: dsr.TestNHSNumber(1), DateOfBirth: calendar.MustParseDate("2010-09-15"), Autism: true}},
		Events:  []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.ByParent}},
	}, staff)
	fmt.Println("add:", err)
	fmt.Println("rekey:", reg.Rekey(ctx, next))

	_, err = register.Open(ctx, store, regRules{}, register.WithKeys(old))
	fmt.Println("the old key opens it:", err == nil, errors.Is(err, register.ErrNoKey))
	reg, err = register.Open(ctx, store, regRules{}, register.WithKeys(next), clock)
	if err != nil {
		panic(err)
	}
	d, err := reg.Details(ctx, "person-a", register.Actor{ID: "staff-9", Role: register.RoleViewer}, register.Because("register meeting"))
	fmt.Println("details with the new key:", d.Person.ID, err)
	audit, _ := reg.Audit(ctx, "person-a", register.Actor{ID: "staff-1", Role: register.RoleAdmin})
	last := audit[len(audit)-1]
	fmt.Println("last in the audit:", last.By.ID, last.By.Role, last.What, last.Why)
	// Output:
	// add: <nil>
	// rekey: <nil>
	// the old key opens it: false true
	// details with the new key: person-a <nil>
	// last in the audit: staff-9 viewer details register meeting
}

// AddAll puts people on the register in one transaction, or nobody; the
// same people a second time are already there.
func ExampleRegister_AddAll() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg, err := register.Open(ctx, memstore.New(), regRules{}, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return today.Start().Add(10 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	staff := register.Actor{ID: "staff-17", Role: "coordinator"}
	person := func(id string, n int, consented bool) register.NewPerson {
		np := register.NewPerson{Details: register.Details{
			Person: dsr.Person{ID: id, NHSNumber: dsr.TestNHSNumber(n), DateOfBirth: calendar.MustParseDate("2010-09-15"), Autism: true}}}
		if consented {
			np.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.ByParent}}
		}
		return np
	}
	_, err = reg.AddAll(ctx, []register.NewPerson{person("a", 1, true), person("b", 2, false)}, staff)
	var be *register.BatchError
	fmt.Println("refused:", errors.As(err, &be), "person", be.Failures[0].Index, errors.Is(err, register.ErrConsentRequired))
	res, err := reg.AddAll(ctx, []register.NewPerson{person("a", 1, true), person("b", 2, true)}, staff)
	fmt.Println("added:", res.Added, err)
	res, err = reg.AddAll(ctx, []register.NewPerson{person("a", 1, true), person("b", 2, true)}, staff)
	fmt.Println("again, added:", res.Added, "already:", res.Already, err)
	// Output:
	// refused: true person 1 true
	// added: [0 1] <nil>
	// again, added: [] already: [0 1] <nil>
}
