package register

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// ReviewKind is the Document kind of a care (education) and treatment
// review record (a cetr.Review) kept in the register.
const ReviewKind = "cetr_review"

// ReviewDocuments teaches a Register to keep review records:
//
//	reg, err := register.Open(ctx, store, rules, register.WithDocumentKinds(register.ReviewDocuments{}))
//
// The register then checks each review before it is written (Check) and
// adds what a held review leaves due to Register.Due (Worklist).
// Register.SaveReview, Register.Review and Register.FindReview write and
// read reviews through the register. ReviewDocuments is stateless and safe
// for concurrent use.
type ReviewDocuments struct{}

var _ DocumentKind = ReviewDocuments{}

// Kind returns ReviewKind.
func (ReviewDocuments) Kind() string { return ReviewKind }

// ReviewDocument returns the review as a register document.
func ReviewDocument(r *cetr.Review) (Document, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return Document{}, fmt.Errorf("cetr: encoding review %q: %w", r.ID, err)
	}
	return Document{Kind: ReviewKind, ID: r.ID, Data: b}, nil
}

// decodeReview reads a review document strictly: unknown fields and
// unknown words are errors.
func decodeReview(d Document) (*cetr.Review, error) {
	if d.Kind != ReviewKind {
		return nil, invalid("document.kind", "", "%q is not a review (%s)", d.Kind, ReviewKind)
	}
	var r cetr.Review
	if err := dsr.UnmarshalStrict(d.Data, &r); err != nil {
		return nil, invalid("document.data", "", "not a review record: %v", err)
	}
	return &r, nil
}

// ReviewFromDocument reads a review from a register document and checks it
// (cetr.Review.Validate).
func ReviewFromDocument(d Document) (*cetr.Review, error) {
	r, err := decodeReview(d)
	if err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// Check implements DocumentKind: the document is a valid review
// (cetr.Review.Validate) with the document's id, for the person whose case c
// is, and the person's history holds the events the review adds: a
// review_held of its kind on the day it was held, a rating_agreed for the
// agreed rating and a report_sent on the day the report went (SaveReview
// appends them in the same write).
func (ReviewDocuments) Check(d Document, c *dsr.Case) error {
	r, err := ReviewFromDocument(d)
	if err != nil {
		return err
	}
	var errs []error
	if r.ID != d.ID {
		errs = append(errs, invalid("id", "", "%q is not the document id %q", r.ID, d.ID))
	}
	if r.Person.ID != c.Person.ID {
		errs = append(errs, invalid("person.id", "", "not the person the review is filed for"))
	}
	for _, ev := range r.Events() {
		if !holds(c, ev) {
			errs = append(errs, invalid(reviewEventField(ev.Type), "R-REV-2", "the person's history has no %s on %s", ev.Type, ev.Date))
		}
	}
	return errors.Join(errs...)
}

func reviewEventField(t dsr.EventType) string {
	switch t {
	case dsr.EventReviewHeld:
		return "held"
	case dsr.EventRatingAgreed:
		return "rating"
	}
	return "report.sent"
}

// holds reports whether the case has the event a review adds: the same
// type on the same day, of the same kind for a review_held and with the
// same rating for a rating_agreed.
func holds(c *dsr.Case, ev dsr.Event) bool {
	return slices.ContainsFunc(c.Events, func(e dsr.Event) bool {
		return e.Type == ev.Type && e.Day() == ev.Date && e.Kind == ev.Kind && e.Rating == ev.Rating
	})
}

// Worklist implements DocumentKind: the items of cetr.Review.Worklist on
// c.AsOf, as the register lists them. The rating to re-agree after the
// review (R-REV-2) is a dsr.ActionRatingAgreement, and it is done once the
// person's history has a rating_agreed on or after the review, however it
// was recorded (Register.Agree too); the report is done once the history
// has a report_sent on or after the review. Open recommendations and their
// escalations are listed with who owns them.
func (ReviewDocuments) Worklist(d Document, c *dsr.Case) ([]DocumentItem, error) {
	r, err := decodeReview(d)
	if err != nil {
		return nil, err
	}
	since := func(t dsr.EventType) bool {
		return slices.ContainsFunc(c.Events, func(e dsr.Event) bool {
			return e.Type == t && !e.Day().Before(r.Held) && !e.Day().After(c.AsOf)
		})
	}
	var out []DocumentItem
	for _, it := range r.Worklist(c.AsOf) {
		switch {
		case it.Rule == "R-REV-2":
			if since(dsr.EventRatingAgreed) {
				continue
			}
			it.Kind = dsr.ActionRatingAgreement
		case it.Kind == dsr.ActionReviewReport && since(dsr.EventReportSent):
			continue
		}
		out = append(out, DocumentItem{Action: it.Action, Who: it.Who})
	}
	return out, nil
}

// newReviewEvents returns the events of r that prev (the last save) did
// not add.
func newReviewEvents(prev, r *cetr.Review) []dsr.Event {
	var had []dsr.Event
	if prev != nil {
		had = prev.Events()
	}
	var out []dsr.Event
	for _, ev := range r.Events() {
		if !slices.ContainsFunc(had, func(h dsr.Event) bool { return h.Type == ev.Type && h.Date == ev.Date }) {
			out = append(out, ev)
		}
	}
	return out
}

// SaveReview writes the review to the register for its person, in one write
// with the events it adds that its last save did not (review_held once
// held, rating_agreed once the rating is re-agreed, report_sent once the
// report has gone): so holding a review satisfies the review the rules
// asked for, and its follow-ups join Register.Due. The register applies
// its consent gate (R-CONS-1), encrypts the record with the person's key
// and chains it. Without opts, the write is conditional on the person's
// record not changing since SaveReview read it (ErrConflict otherwise:
// read again and retry). On any error nothing is written.
func (r *Register) SaveReview(ctx context.Context, rev *cetr.Review, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", rev.ID, "person_id", rev.Person.ID); err != nil {
		return err
	}
	v, err := r.Version(ctx, rev.Person.ID)
	if err != nil {
		return err
	}
	prev, err := r.Review(ctx, rev.Person.ID, rev.ID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	doc, err := ReviewDocument(rev)
	if err != nil {
		return err
	}
	opts = append([]WriteOption{IfVersion(v)}, opts...) // the caller's IfVersion, if any, wins
	return r.File(ctx, rev.Person.ID, doc, newReviewEvents(prev, rev), by, opts...)
}

// Review reads a person's review from the register. An unknown review is
// ErrNotFound.
func (r *Register) Review(ctx context.Context, personID, reviewID string) (*cetr.Review, error) {
	d, err := r.Document(ctx, personID, ReviewKind, reviewID)
	if err != nil {
		return nil, err
	}
	return ReviewFromDocument(d)
}

// FindReview reads a review from the register by its id alone, whoever it
// is for (see Register.FindDocument).
func (r *Register) FindReview(ctx context.Context, reviewID string) (*cetr.Review, error) {
	_, d, err := r.FindDocument(ctx, ReviewKind, reviewID)
	if err != nil {
		return nil, err
	}
	return ReviewFromDocument(d)
}
