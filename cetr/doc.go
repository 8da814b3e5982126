// Package cetr keeps the record of a Care (Education) and Treatment Review:
// who sits on the panel, what the panel may read, what it found under each
// key line of enquiry, what it recommended, and when its report went out.
// Rule ids such as R-CETR-PANEL refer to docs/rules.md#reviews.
//
// When a review is due is not decided here: that comes from the rules
// (dsr.Rules, such as policies.Engine). This package models the review
// itself, so a host can plan, hold and follow one up.
//
// # What it does
//
//   - New plans a Review: its kind (community, post_admission, inpatient,
//     trigger, statutory: dsr's review_held kinds), the person, the planned
//     date and the responsible commissioner. Review.Type is CETR or CTR on
//     the review date (R-CETR-TYPE): under 18, or 18 or over with an EHCP
//     where Params.EHCPExtendsCETR.
//   - Consent is per review (R-CETR-CONSENT). Without consent or a
//     best-interests decision, Access is PlannerOnly and PanelPapers gives
//     the planner alone.
//   - Panel.Validate checks R-CETR-PANEL and returns every problem at once as
//     *PanelError values; Panel.Warnings gives the advisory ones, such as a
//     CETR panel with no education or children's social care professional.
//   - Review.Record files findings under the seven key lines of enquiry
//     (KLOEs, R-CETR-KLOE); Hold needs all seven and a valid panel.
//   - Recommend, Complete, Drop and MarkEscalated keep the recommendations
//     (R-CETR-ACT); Overdue and Escalations list those late as of a date.
//   - ReportDue and SendReport keep the report (R-CETR-REPORT, and for a
//     statutory review R-CETR-STAT with its four recipients).
//   - Events gives the review_held, rating_agreed (R-REV-2) and report_sent
//     events for the person's history; Worklist gives the report, rating and
//     recommendation items due, shaped as dsr.Action; Warnings what a person
//     should look at; Summary and WriteMarkdown a printable record grouped by
//     the key lines of enquiry.
//   - Params holds every number an area may change, with DefaultParams
//     documenting where each default comes from.
//   - The Register (package register) keeps reviews: in a register opened
//     with register.WithDocumentKinds(register.ReviewDocuments{}),
//     Register.SaveReview keeps the review record in the person's record (a
//     register.Document of kind "cetr_review": sealed with the person's key,
//     erased with it, on the hash chain) together with the events it adds
//     since its last save, so review_held satisfies the review Assess asked
//     for; Register.Due then lists the report, the rating to re-agree
//     (rating_agreement, R-REV-2), open recommendations and escalations.
//     Register.Review and Register.FindReview read it back. This package
//     does not import register. The command line is
//     dsr review plan|hold|recommend|report|summary.
//
// # What it does not do
//
//   - No rule engine here: Params is a plain struct. A policy bundle tunes it
//     through its cetr_rules decision point (Rego or CEL), which
//     policies.CETRParams turns into Params; dsr review uses the bundle
//     named by --policy.
//   - It does not decide who may consent for whom (R-CONS-2): it records who
//     did. It reads no clock: every date is an input. It imports no rule
//     engine.
//
// # Errors
//
// Methods that change a Review check first and change nothing when they
// return an error. Field problems are *dsr.ValidationError values naming the
// JSON path ("recommendations[0].due", "kind", "panel[2].conflict") and the
// rule; panel problems are *PanelError, missing statutory recipients
// *RecipientError. Several come back joined with errors.Join: use errors.As
// to reach one, and errors.Is with ErrInvalid (which is dsr.ErrInvalid),
// ErrInvalidPanel or ErrMissingRecipient to branch.
//
// Every person in the tests and examples is synthetic.
package cetr
