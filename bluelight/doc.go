// Package bluelight records Blue Light (Local Area Emergency Protocol)
// meetings: the call an area makes when a child or young person is at
// immediate risk of an inpatient placement and there is no time for a
// C(E)TR. Rule ids (R-BL-*) refer to docs/rules.md#blue-light; national policy
// names the meeting but sets no numbers, so every number is a parameter and
// DefaultParams gives Wiltshire's.
//
// # What it does
//
//   - Rules is the seam for policy: three decision points,
//     bluelight_criteria (may the meeting be called, R-BL-CRIT),
//     bluelight_invitees (who must attend, R-BL-INVITE) and
//     bluelight_funding (may this support be funded, R-BL-FUND), each a
//     plain input and a decision with reasons. GoRules implements them in
//     Go from Params; policies.BlueLightRules implements them from a policy
//     bundle's decision points in Rego or CEL and its blue_light_*
//     parameters (national-2023 carries Wiltshire's), falling back to
//     GoRules for a point the bundle lacks.
//   - Open calls a meeting: the criteria must be met; the required roles
//     (with the transition roles from the transition age) and the notice
//     given are recorded. Late notice (under 30 minutes by default) is a
//     warning, never a refusal (R-BL-NOTICE).
//   - Meeting enforces what must never break: the seven steps of the call
//     complete in order and each has notes; the meeting cannot close until
//     the decision and record steps are complete (R-BL-STEPS); a less
//     preferred option needs every more preferred one rejected with a
//     reason, and an out-of-area placement the approving commissioner and a
//     clinical justification (R-BL-PREF); funding has a stop after its
//     start, at most the cap in elapsed hours (72 hours is 72 hours across
//     a clock change), a cost in Pence that is not negative, and shares
//     that add up to the cost to the penny (R-BL-FUND).
//   - FollowUps gives what a closed meeting leaves behind: the
//     blue_light_meeting event, the C(E)TR due 72 hours after the call (or,
//     after an admission, the full CETR due 14 days from it), the funding
//     stop instant and, for an unsatisfactory outcome, an escalation to the
//     directors of commissioning (R-BL-FOLLOW, R-BL-ESC).
//   - Minute prints the meeting as Markdown.
//   - Meeting.Record returns the plain data of a meeting (JSON-ready);
//     Resume checks a stored Record and carries on with it.
//     ResumeWithParams does so against the parameters the meeting was
//     opened with, for a store that kept them (Meeting.Params).
//   - The Register (package register) keeps meetings: in a register opened
//     with register.WithDocumentKinds(register.MeetingDocuments{}),
//     Register.SaveMeeting keeps the meeting record in the person's record
//     (a register.Document of kind "bluelight_meeting", with the parameters
//     it was opened with), adds someone not yet on the register when
//     consent allows (consent recorded on or before the day of the call),
//     and once the meeting is closed appends blue_light_meeting;
//     Register.Due then lists the review within 72 hours (or the 14-day
//     CETR after an admission), the funding stop and any escalation.
//     Register.Meeting and Register.FindMeeting read it back. This package
//     does not import register. The command line is
//     dsr bluelight open|attend|step|option|fund|close|minute.
//
// # What it does not do
//
// It imports no policy engine and never reads the clock: every instant is
// an input. It never writes to the register itself (Register.SaveMeeting does). It does not send
// texts, keep more than one funding authorisation per meeting (funding
// again replaces it), or record that an escalation was made (R-BL-ESC: the
// escalation item stays on the worklist). A Blue Light meeting is not a community C(E)TR: the record
// and the minute say so, and the event it leaves is blue_light_meeting,
// never review_held.
//
// # Money
//
// Money is Pence (int64), never a float. A Split is in basis points; the
// local authority's share is rounded down to the penny and health gets the
// rest, so an odd penny goes to health: £100.01 split 50/50 is £50.00 to
// the local authority and £50.01 to health.
//
// # Errors
//
// Bad input (a missing field, a stop not after its start, a negative cost,
// an unknown role) is a *dsr.ValidationError naming the field
// ("funding.stop", "attendees[2].role") and matches dsr.ErrInvalid. An
// operation a rule refuses is a *RuleError naming the rule, the field and
// what is missing, and matches ErrRefused. Every change to a closed meeting
// is ErrClosed. A method that returns an error leaves the meeting as it
// was.
package bluelight
