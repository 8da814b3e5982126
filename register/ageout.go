package register

import (
	"context"
	"fmt"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// R-REM-1: a children's register refers a person still at risk to the
// adult register as they turn 18, and the referral stays on the worklist,
// overdue if need be, until it is recorded as made (an adult_referral_made
// event). The rules ask for it up to the 18th birthday; from then the
// person is too old for a children's register, so the rules no longer rate
// them, but they stay held until removed. The register carries the
// referral over: whether the rules asked for it is their own decision as of
// the day before the 18th birthday.

// referralMade reports whether the person's history records the referral
// to the adult register as made by asOf.
func (st *personState) referralMade(asOf calendar.Date) bool {
	for i := range st.events {
		e := &st.events[i]
		if e.Type == dsr.EventAdultReferralMade && !e.Day().After(asOf) {
			return true
		}
	}
	return false
}

// adultReferralAsked returns the adult register referral the rules asked
// for on the day before the person's 18th birthday, if they did and it is
// not yet recorded as made by asOf; nil otherwise.
func (r *Register) adultReferralAsked(ctx context.Context, st *personState, asOf calendar.Date) (*dsr.Action, error) {
	p := &st.details.Person
	eighteenth := p.Birthday(18)
	if asOf.Before(eighteenth) || st.referralMade(asOf) {
		return nil, nil
	}
	eve := eighteenth.AddDays(-1)
	if eve.Before(st.added) {
		return nil, nil // added as an adult: never on the children's register as a child
	}
	a, err := r.rules.Assess(ctx, st.caseOn(eve, false))
	if err != nil {
		return nil, fmt.Errorf("dsr: assessing a person: %w", err)
	}
	for _, act := range a.Actions {
		if act.Kind == dsr.ActionAdultRegisterReferral {
			act.Overdue = act.DueDate().Before(asOf)
			return &act, nil
		}
	}
	return nil, nil
}

// ageOutItems adds the adult register referral the register carries over
// past the 18th birthday to items (the person's items on asOf, a their
// assessment), when the rules no longer rate the person.
func (r *Register) ageOutItems(ctx context.Context, st *personState, asOf calendar.Date, a *dsr.Assessment, items []WorkItem) ([]WorkItem, error) {
	if a.Eligible {
		return items, nil
	}
	act, err := r.adultReferralAsked(ctx, st, asOf)
	if err != nil || act == nil {
		return items, err
	}
	return append(items, WorkItem{PersonID: st.id, Rating: a.Rating, AgreedRating: a.AgreedRating, RatingOfRecord: a.RatingOfRecord, Action: *act}), nil
}
