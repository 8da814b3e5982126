package cetr

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Recipient is someone the review report goes to.
type Recipient struct {
	Role RecipientRole `json:"role"`
	Name string        `json:"name"`
}

// Report is the review report: when it went and to whom.
type Report struct {
	Sent       calendar.Date `json:"sent,omitzero"`
	Recipients []Recipient   `json:"recipients,omitempty"`
}

// IsSent reports whether the report has gone.
func (rp Report) IsSent() bool { return !rp.Sent.IsZero() }

// The worklist action kinds of a review's follow-up, as in dsr.ActionKinds.
const (
	// ActionRecommendation is an open recommendation of a review (R-CETR-ACT).
	ActionRecommendation = dsr.ActionReviewRecommendation
	// ActionEscalation is an overdue recommendation to take to the ICB
	// oversight panel (R-CETR-ACT).
	ActionEscalation = dsr.ActionRecommendationEscalation
)

// WorkItem is one thing due after a review, shaped as a dsr.Action so the
// register can merge it into its worklist, with the review and
// recommendation it belongs to.
type WorkItem struct {
	dsr.Action
	Review string `json:"review"`
	// Recommendation is the recommendation's ID; 0 for other items.
	Recommendation int    `json:"recommendation,omitempty"`
	Who            string `json:"who,omitempty"`
}

func (r *Review) reportRule() string {
	if r.Kind == Statutory {
		return "R-CETR-STAT"
	}
	return "R-CETR-REPORT"
}

func (r *Review) reportDeadline() calendar.Deadline {
	if r.Kind == Statutory {
		return r.Params.StatutoryReportDeadline
	}
	return r.Params.ReportDeadline
}

// ReportDue returns when the report is due, and false until the review is
// held: ReportDeadline from the day it was held (R-CETR-REPORT), or for a
// statutory review StatutoryReportDeadline, by default 14 days beginning with
// the meeting day (R-CETR-STAT).
func (r *Review) ReportDue() (calendar.Date, bool) {
	if !r.IsHeld() {
		return calendar.Date{}, false
	}
	d, err := calendar.Default().Due(r.Held, r.reportDeadline())
	return d, err == nil
}

// ReportLate reports whether, on asOf, the report was sent after it was due
// or is still unsent with its due date before asOf.
func (r *Review) ReportLate(asOf calendar.Date) bool {
	due, ok := r.ReportDue()
	if !ok {
		return false
	}
	if r.Report.IsSent() {
		return r.Report.Sent.After(due)
	}
	return due.Before(asOf)
}

// SendReport records that the report went on the date on to the recipients
// named. The review must be held and the date on or after it; every
// recipient has a known role and a name. For a statutory review the four
// recipients of R-CETR-STAT must all be named (each one missing is a
// *RecipientError), and the local authority is the person's local authority
// of ordinary residence. A report late by ReportDue is still recorded and
// shows as a Warning. On error nothing changes.
func (r *Review) SendReport(on calendar.Date, to []Recipient) error {
	if r.Report.IsSent() {
		return bad("report.sent", r.reportRule(), "already sent on %s", r.Report.Sent)
	}
	if err := r.checkReport(on, to); err != nil {
		return err
	}
	r.Report = Report{Sent: on, Recipients: slices.Clone(to)}
	return nil
}

func (r *Review) checkReport(on calendar.Date, to []Recipient) error {
	rule := r.reportRule()
	if !r.IsHeld() {
		return bad("held", rule, "the report follows a held review")
	}
	var errs []error
	switch {
	case on.IsZero():
		errs = append(errs, bad("report.sent", rule, "required"))
	case on.Before(r.Held):
		errs = append(errs, bad("report.sent", rule, "%s is before the review on %s", on, r.Held))
	}
	if len(to) == 0 {
		errs = append(errs, bad("report.recipients", rule, "required: who the report goes to"))
	}
	for i, rc := range to {
		f := fmt.Sprintf("report.recipients[%d]", i)
		if !rc.Role.Valid() {
			errs = append(errs, bad(f+".role", rule, "unknown or missing recipient role %q", rc.Role))
		}
		if strings.TrimSpace(rc.Name) == "" {
			errs = append(errs, bad(f+".name", rule, "required"))
		}
		if r.Kind == Statutory && rc.Role == LocalAuthority && strings.TrimSpace(rc.Name) != "" &&
			r.Person.LocalAuthority != "" && !sameName(rc.Name, r.Person.LocalAuthority) {
			errs = append(errs, bad(f+".name", rule, "%q is not the local authority of ordinary residence (%s)", rc.Name, r.Person.LocalAuthority))
		}
	}
	if r.Kind == Statutory {
		for _, want := range StatutoryRecipients {
			if !slices.ContainsFunc(to, func(rc Recipient) bool { return rc.Role == want && strings.TrimSpace(rc.Name) != "" }) {
				errs = append(errs, &RecipientError{Role: want, Field: "report.recipients", Rule: rule})
			}
		}
	}
	return errors.Join(errs...)
}

// Worklist returns what is due after the review on asOf, sorted by due date,
// each marked overdue when its due date is before asOf (as dsr.Action is):
//
//   - review_report while a held review's report is unsent (R-CETR-REPORT,
//     or R-CETR-STAT for a statutory review);
//   - dsr_review while the rating has not been re-agreed (R-REV-2);
//   - review_recommendation for each open recommendation (R-CETR-ACT);
//   - recommendation_escalation for each open recommendation not yet
//     escalated whose escalation date has come (R-CETR-ACT).
//
// A review not yet held has no worklist here: when it is due comes from the
// rules (Assess).
func (r *Review) Worklist(asOf calendar.Date) []WorkItem {
	if !r.IsHeld() {
		return nil
	}
	var items []WorkItem
	add := func(kind dsr.ActionKind, from, due calendar.Date, rule, reason string, rec *Recommendation) {
		it := WorkItem{
			Action: dsr.Action{Kind: kind, From: from, Due: due, Rule: rule, Reason: reason, Overdue: due.Before(asOf)},
			Review: r.ID,
		}
		if rec != nil {
			it.Recommendation, it.Who = rec.ID, rec.Who
		}
		items = append(items, it)
	}
	if due, ok := r.ReportDue(); ok && !r.Report.IsSent() {
		add(dsr.ActionReviewReport, r.Held, due, r.reportRule(), fmt.Sprintf("send the report of the %s %s held on %s (%s)", r.Kind.Title(), r.Type().Title(), r.Held, r.reportDeadline()), nil)
	}
	if r.Rating == nil {
		if due, err := calendar.Default().Due(r.Held, r.Params.RatingAgreement); err == nil {
			add(dsr.ActionDSRReview, r.Held, due, "R-REV-2", fmt.Sprintf("re-agree the register rating after the %s held on %s", r.Type().Title(), r.Held), nil)
		}
	}
	for i := range r.Recommendations {
		rec := &r.Recommendations[i]
		if !rec.IsOpen() {
			continue
		}
		add(ActionRecommendation, r.Held, rec.Due, "R-CETR-ACT", fmt.Sprintf("recommendation %d: %s", rec.ID, rec.What), rec)
		if at, err := r.EscalationDate(*rec); err == nil && rec.Escalated.IsZero() && rec.OverdueOn(asOf) && !asOf.Before(at) {
			add(ActionEscalation, rec.Due, at, "R-CETR-ACT", fmt.Sprintf("recommendation %d overdue since %s: escalate to the ICB oversight panel (after %s)", rec.ID, rec.Due, r.Params.Escalation), rec)
		}
	}
	slices.SortStableFunc(items, func(a, b WorkItem) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Recommendation, b.Recommendation))
	})
	return items
}
