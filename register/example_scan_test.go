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

// Scan reads every person once, for a report over the register: here, the
// admissions in April 2026 and who is on the register at the end of it.
func ExampleRegister_Scan() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg, err := register.Open(ctx, memstore.New(), regRules{}, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return today.Start().Add(10 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	staff := register.Actor{ID: "staff-17", Role: "coordinator"}
	np := regPerson("person-a", 1)
	np.Events = append(np.Events, dsr.Event{Type: dsr.EventAdmitted, Date: calendar.MustParseDate("2026-03-30"), Security: "general"})
	if err := reg.Add(ctx, np, staff); err != nil {
		panic(err)
	}
	end := calendar.MustParseDate("2026-04-30")
	err = reg.Scan(ctx, func(s *register.Scanned) error {
		for _, e := range s.Events {
			if e.Type == dsr.EventAdmitted {
				fmt.Println(s.PersonID, "admitted", e.Day())
			}
		}
		a, err := s.Assess(ctx, end)
		fmt.Println(s.PersonID, "held on", end, s.Held(end), a.Rating, err)
		return nil
	})
	fmt.Println("scan:", err)
	// Output:
	// person-a admitted 2026-03-30
	// person-a held on 2026-04-30 true blue <nil>
	// scan: <nil>
}

// RatingOn is where a person stands on a date as far as the ratings go,
// for a report that needs no worklist: here, on the day before a quarter.
// Rules that can rate alone (dsr.Rater, as policies.Engine does) are
// asked for the rating only; others (these) are assessed.
func ExampleScanned_RatingOn() {
	ctx := context.Background()
	today := calendar.MustParseDate("2026-04-01")
	reg, err := register.Open(ctx, memstore.New(), regRules{}, register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023),
		register.WithClock(func() time.Time { return today.Start().Add(10 * time.Hour) }))
	if err != nil {
		panic(err)
	}
	if err := reg.Add(ctx, regPerson("person-a", 1), register.Actor{ID: "staff-17", Role: "coordinator"}); err != nil {
		panic(err)
	}
	err = reg.Scan(ctx, func(s *register.Scanned) error {
		for _, d := range []string{"2026-03-31", "2026-06-30"} {
			p, err := s.RatingOn(ctx, calendar.MustParseDate(d))
			if err != nil {
				return err
			}
			if !p.Held {
				fmt.Println(d, "not on the register")
				continue
			}
			fmt.Println(d, "rating:", p.Rating, "items:", len(p.Items))
		}
		return nil
	})
	fmt.Println("scan:", err)
	// Output:
	// 2026-03-31 not on the register
	// 2026-06-30 rating: red items: 0
	// scan: <nil>
}
