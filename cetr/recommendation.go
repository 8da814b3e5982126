package cetr

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
)

// Recommendation is one agreed action from a review (R-CETR-ACT): who does
// what by when, and where it stands.
type Recommendation struct {
	// ID numbers the review's recommendations from 1, in the order made.
	ID   int           `json:"id"`
	Who  string        `json:"who"`
	What string        `json:"what"`
	Due  calendar.Date `json:"due"`
	// Status is open, done or dropped; the zero value reads as open.
	Status Status `json:"status,omitempty"`
	// Closed is when it was done or dropped.
	Closed calendar.Date `json:"closed,omitzero"`
	// Reason says why it was dropped.
	Reason string `json:"reason,omitempty"`
	// Escalated is when it went to the ICB oversight panel; zero if it has
	// not.
	Escalated calendar.Date `json:"escalated,omitzero"`
}

// IsOpen reports whether the recommendation is neither done nor dropped.
func (rec Recommendation) IsOpen() bool { return rec.Status == Open || rec.Status == "" }

// OverdueOn reports whether the recommendation is open and its due date is
// before asOf.
func (rec Recommendation) OverdueOn(asOf calendar.Date) bool {
	return rec.IsOpen() && rec.Due.Before(asOf)
}

// Recommend adds a recommendation to a held review and returns its ID. Who,
// what and the due date are required, and the due date is on or after the
// review date (R-CETR-ACT). A new recommendation is open. On error nothing
// changes.
func (r *Review) Recommend(rec Recommendation) (int, error) {
	i := len(r.Recommendations)
	if !r.IsHeld() {
		return 0, bad("held", "R-CETR-ACT", "recommendations come from a held review")
	}
	if rec.ID != 0 && rec.ID != i+1 {
		return 0, bad(fmt.Sprintf("recommendations[%d].id", i), "", "%d: leave it 0; the review numbers its recommendations (next %d)", rec.ID, i+1)
	}
	if !rec.IsOpen() || !rec.Closed.IsZero() || !rec.Escalated.IsZero() || rec.Reason != "" {
		return 0, bad(fmt.Sprintf("recommendations[%d].status", i), "R-CETR-ACT", "a new recommendation is open, not closed or escalated")
	}
	rec.ID, rec.Status = i+1, Open
	if err := r.checkRecommendation(i, rec); err != nil {
		return 0, err
	}
	r.Recommendations = append(r.Recommendations, rec)
	return rec.ID, nil
}

func (r *Review) checkRecommendation(i int, rec Recommendation) error {
	var errs []error
	f := func(name string) string { return fmt.Sprintf("recommendations[%d].%s", i, name) }
	add := func(field, format string, args ...any) {
		errs = append(errs, bad(f(field), "R-CETR-ACT", format, args...))
	}
	if rec.ID != i+1 {
		add("id", "%d out of sequence (want %d)", rec.ID, i+1)
	}
	if strings.TrimSpace(rec.Who) == "" {
		add("who", "required: who will do it")
	}
	if strings.TrimSpace(rec.What) == "" {
		add("what", "required: what will be done")
	}
	switch {
	case rec.Due.IsZero():
		add("due", "required: by when")
	case rec.Due.Before(r.Date()):
		add("due", "%s is before the review date %s", rec.Due, r.Date())
	}
	switch {
	case !rec.IsOpen() && !slices.Contains(Statuses, rec.Status):
		add("status", "unknown status %q", rec.Status)
	case rec.IsOpen() && (!rec.Closed.IsZero() || rec.Reason != ""):
		add("closed", "an open recommendation has no closing date or reason")
	case !rec.IsOpen() && rec.Closed.IsZero():
		add("closed", "required when %s", rec.Status)
	case !rec.IsOpen() && rec.Closed.Before(r.Date()):
		add("closed", "%s is before the review date %s", rec.Closed, r.Date())
	}
	if rec.Status == Dropped && strings.TrimSpace(rec.Reason) == "" {
		add("reason", "required: why it was dropped")
	}
	if !rec.Escalated.IsZero() && !rec.Escalated.After(rec.Due) {
		add("escalated", "%s is not after the due date %s", rec.Escalated, rec.Due)
	}
	return errors.Join(errs...)
}

func (r *Review) recommendation(id int, field string) (int, error) {
	if id < 1 || id > len(r.Recommendations) {
		return 0, bad("recommendations", "R-CETR-ACT", "no recommendation %d", id)
	}
	i := id - 1
	if !r.Recommendations[i].IsOpen() {
		return 0, bad(fmt.Sprintf("recommendations[%d].%s", i, field), "R-CETR-ACT", "already %s on %s", r.Recommendations[i].Status, r.Recommendations[i].Closed)
	}
	return i, nil
}

// Complete marks recommendation id done on the date on.
func (r *Review) Complete(id int, on calendar.Date) error {
	return r.close(id, on, Done, "")
}

// Drop marks recommendation id dropped on the date on, for the reason given
// (required).
func (r *Review) Drop(id int, on calendar.Date, reason string) error {
	return r.close(id, on, Dropped, reason)
}

func (r *Review) close(id int, on calendar.Date, s Status, reason string) error {
	i, err := r.recommendation(id, "status")
	if err != nil {
		return err
	}
	rec := r.Recommendations[i]
	rec.Status, rec.Closed, rec.Reason = s, on, strings.TrimSpace(reason)
	if err := r.checkRecommendation(i, rec); err != nil {
		return err
	}
	r.Recommendations[i] = rec
	return nil
}

// MarkEscalated records that open recommendation id went to the ICB
// oversight panel on the date on, when it was overdue.
func (r *Review) MarkEscalated(id int, on calendar.Date) error {
	i, err := r.recommendation(id, "escalated")
	if err != nil {
		return err
	}
	rec := r.Recommendations[i]
	switch {
	case !rec.Escalated.IsZero():
		return bad(fmt.Sprintf("recommendations[%d].escalated", i), "R-CETR-ACT", "already escalated on %s", rec.Escalated)
	case on.IsZero():
		return bad(fmt.Sprintf("recommendations[%d].escalated", i), "R-CETR-ACT", "required")
	case !rec.OverdueOn(on):
		return bad(fmt.Sprintf("recommendations[%d].escalated", i), "R-CETR-ACT", "%s: not overdue (due %s)", on, rec.Due)
	}
	r.Recommendations[i].Escalated = on
	return nil
}

// EscalationDate returns the day an overdue recommendation goes to the ICB
// oversight panel: its due date plus Params.Escalation (R-CETR-ACT).
func (r *Review) EscalationDate(rec Recommendation) (calendar.Date, error) {
	return calendar.Default().Due(rec.Due, r.Params.Escalation)
}

// Overdue lists the open recommendations due before asOf, by due date.
func (r *Review) Overdue(asOf calendar.Date) []Recommendation {
	var out []Recommendation
	for _, rec := range r.Recommendations {
		if rec.OverdueOn(asOf) {
			out = append(out, rec)
		}
	}
	slices.SortStableFunc(out, func(a, b Recommendation) int { return a.Due.Compare(b.Due) })
	return out
}

// Escalations lists the overdue recommendations that are due to go, or
// should already have gone, to the ICB oversight panel on asOf: open, not yet
// escalated, and asOf on or after their EscalationDate (R-CETR-ACT).
func (r *Review) Escalations(asOf calendar.Date) []Recommendation {
	var out []Recommendation
	for _, rec := range r.Overdue(asOf) {
		if !rec.Escalated.IsZero() {
			continue
		}
		if at, err := r.EscalationDate(rec); err == nil && !asOf.Before(at) {
			out = append(out, rec)
		}
	}
	return out
}
