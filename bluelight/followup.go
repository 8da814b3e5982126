package bluelight

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// ItemKind names a worklist item that follows a Blue Light meeting. Each
// is a dsr action kind.
type ItemKind string

// The follow-up kinds.
const (
	// ItemReviewAfterBlueLight: a C(E)TR within 72 hours of the meeting,
	// when funding passes to the responsible body (R-BL-FOLLOW).
	ItemReviewAfterBlueLight = ItemKind(dsr.ActionReviewAfterBlueLight)
	// ItemAdmissionCETR: admitted after the meeting, a full CETR within 14
	// days of admission (R-BL-FOLLOW).
	ItemAdmissionCETR = ItemKind(dsr.ActionPostAdmissionReview)
	// ItemFundingStop: the authorised support stops (R-BL-FUND).
	ItemFundingStop = ItemKind(dsr.ActionBlueLightFundingStop)
	// ItemEscalation: escalate an unsatisfactory outcome to the directors
	// of commissioning (R-BL-ESC).
	ItemEscalation = ItemKind(dsr.ActionBlueLightEscalation)
)

// Item is one thing due after a meeting. DueAt is set for instants (the
// review after the meeting, the funding stop, the escalation), Due for
// dates (the CETR after an admission).
type Item struct {
	Kind   ItemKind      `json:"kind"`
	From   calendar.Date `json:"from" jsonschema:"type=string,format=date"`
	Due    calendar.Date `json:"due,omitzero" jsonschema:"type=string,format=date"`
	DueAt  time.Time     `json:"due_at,omitzero"`
	Rule   string        `json:"rule"`
	Reason string        `json:"reason"`
}

// Action returns the item as a dsr.Action, when its kind is a dsr action
// kind (every ItemKind of this package is).
func (it Item) Action() (dsr.Action, bool) {
	k := dsr.ActionKind(it.Kind)
	if !k.Valid() {
		return dsr.Action{}, false
	}
	return dsr.Action{Kind: k, From: it.From, Due: it.Due, DueAt: it.DueAt, Rule: it.Rule, Reason: it.Reason}, true
}

// FollowUps is what a closed meeting leaves behind: the event to append to
// the person's history and the worklist items.
type FollowUps struct {
	Event dsr.Event `json:"event"`
	Items []Item    `json:"items"`
}

// FollowUps works out what follows a closed meeting (R-BL-FOLLOW,
// R-BL-ESC), with cal for deadlines (nil means calendar.Default):
//
//   - the blue_light_meeting event, at the instant of the call;
//   - the C(E)TR after the meeting, due ReviewAfter (72 hours) from the
//     call, as an instant; or, when the person was admitted (admitted not
//     zero) on or after the day of the meeting, the full CETR due
//     AdmissionReview (14 days) from the admission instead, as in the
//     national bundle;
//   - the funding stop instant, when funding was authorised;
//   - an escalation to the directors of commissioning, due when the meeting
//     closed, when the outcome is unsatisfactory.
//
// A meeting that is not closed is a *RuleError (R-BL-STEPS); an admission
// before the day of the meeting is a *dsr.ValidationError on "admitted".
func (m *Meeting) FollowUps(cal *calendar.Calendar, admitted calendar.Date) (FollowUps, error) {
	if !m.rec.Closed {
		return FollowUps{}, refused("R-BL-STEPS", "follow_ups", nil, "the meeting is not closed")
	}
	if cal == nil {
		cal = calendar.Default()
	}
	call := m.rec.Notice.CallAt
	day := calendar.DateOf(call)
	if !admitted.IsZero() && admitted.Before(day) {
		return FollowUps{}, invalid("admitted", "R-BL-FOLLOW", "%s is before the meeting on %s", admitted, day)
	}
	out := FollowUps{Event: dsr.Event{Type: dsr.EventBlueLightMeeting, At: call}}
	if admitted.IsZero() {
		due, err := cal.DueAt(call, m.params.ReviewAfter)
		if err != nil {
			return FollowUps{}, err
		}
		out.Items = append(out.Items, Item{Kind: ItemReviewAfterBlueLight, From: day, DueAt: due, Rule: "R-BL-FOLLOW",
			Reason: fmt.Sprintf("a C(E)TR within %s of the Blue Light meeting", m.params.ReviewAfter)})
	} else {
		due, err := cal.Due(admitted, m.params.AdmissionReview)
		if err != nil {
			return FollowUps{}, err
		}
		out.Items = append(out.Items, Item{Kind: ItemAdmissionCETR, From: admitted, Due: due, Rule: "R-BL-FOLLOW",
			Reason: fmt.Sprintf("admitted after a Blue Light meeting: a full CETR within %s of admission", m.params.AdmissionReview)})
	}
	if f := m.rec.Funding; f != nil {
		out.Items = append(out.Items, Item{Kind: ItemFundingStop, From: calendar.DateOf(f.Start), DueAt: f.Stop.In(calendar.London), Rule: "R-BL-FUND",
			Reason: fmt.Sprintf("the funded support (%s) stops", f.Support)})
	}
	if bad, why := m.Unsatisfactory(); bad && m.rec.Escalation == nil {
		out.Items = append(out.Items, Item{Kind: ItemEscalation, From: day, DueAt: m.rec.ClosedAt.In(calendar.London), Rule: "R-BL-ESC",
			Reason: "escalate to the directors of commissioning: " + strings.Join(why, ", ")})
	}
	return out, nil
}
