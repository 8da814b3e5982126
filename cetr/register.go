package cetr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/dsrkit/dsrkit/dsr"
)

// DocumentKind is the dsr.Document kind of a review record kept in the
// register.
const DocumentKind = "cetr_review"

// Documents teaches a dsr.Register to keep review records:
//
//	reg, err := dsr.Open(ctx, store, rules, dsr.WithDocumentKinds(cetr.Documents{}))
//
// The register then checks each review before it is written (Check) and
// adds what a held review leaves due to Register.Due (Worklist). Save,
// Load and Find write and read reviews through the register. Documents is
// stateless and safe for concurrent use.
type Documents struct{}

var _ dsr.DocumentKind = Documents{}

// Kind returns DocumentKind.
func (Documents) Kind() string { return DocumentKind }

// Document returns the review as a register document.
func (r *Review) Document() (dsr.Document, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return dsr.Document{}, fmt.Errorf("cetr: encoding review %q: %w", r.ID, err)
	}
	return dsr.Document{Kind: DocumentKind, ID: r.ID, Data: b}, nil
}

// decodeReview reads a review document strictly: unknown fields and
// unknown words are errors.
func decodeReview(d dsr.Document) (*Review, error) {
	if d.Kind != DocumentKind {
		return nil, bad("document.kind", "", "%q is not a review (%s)", d.Kind, DocumentKind)
	}
	dec := json.NewDecoder(bytes.NewReader(d.Data))
	dec.DisallowUnknownFields()
	var r Review
	if err := dec.Decode(&r); err != nil {
		return nil, bad("document.data", "", "not a review record: %v", err)
	}
	return &r, nil
}

// FromDocument reads a review from a register document and checks it
// (Review.Validate).
func FromDocument(d dsr.Document) (*Review, error) {
	r, err := decodeReview(d)
	if err != nil {
		return nil, err
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return r, nil
}

// Check implements dsr.DocumentKind: the document is a valid review
// (Review.Validate) with the document's id, for the person whose case c
// is, and the person's history holds the events the review adds: a
// review_held of its kind on the day it was held, a rating_agreed for the
// agreed rating and a report_sent on the day the report went (Save
// appends them in the same write).
func (Documents) Check(d dsr.Document, c *dsr.Case) error {
	r, err := FromDocument(d)
	if err != nil {
		return err
	}
	var errs []error
	if r.ID != d.ID {
		errs = append(errs, bad("id", "", "%q is not the document id %q", r.ID, d.ID))
	}
	if r.Person.ID != c.Person.ID {
		errs = append(errs, bad("person.id", "", "%q is not the person %q the review is filed for", r.Person.ID, c.Person.ID))
	}
	for _, ev := range r.Events() {
		if !holds(c, ev) {
			errs = append(errs, bad(eventField(ev.Type), "R-REV-2", "the person's history has no %s on %s", ev.Type, ev.Date))
		}
	}
	return errors.Join(errs...)
}

func eventField(t dsr.EventType) string {
	switch t {
	case dsr.EventReviewHeld:
		return "held"
	case dsr.EventRatingAgreed:
		return "rating"
	}
	return "report.sent"
}

// holds reports whether the case has the event the review adds: the same
// type on the same day, of the same kind for a review_held and with the
// same rating for a rating_agreed.
func holds(c *dsr.Case, ev dsr.Event) bool {
	return slices.ContainsFunc(c.Events, func(e dsr.Event) bool {
		return e.Type == ev.Type && e.Day() == ev.Date && e.Kind == ev.Kind && e.Rating == ev.Rating
	})
}

// Worklist implements dsr.DocumentKind: the items of Review.Worklist on
// c.AsOf, as the register lists them. The rating to re-agree after the
// review (R-REV-2) is a dsr.ActionRatingAgreement, and it is done once the
// person's history has a rating_agreed on or after the review, however it
// was recorded (Register.Agree too); the report is done once the history
// has a report_sent on or after the review. Open recommendations and their
// escalations are listed with who owns them.
func (Documents) Worklist(d dsr.Document, c *dsr.Case) ([]dsr.DocumentItem, error) {
	r, err := decodeReview(d)
	if err != nil {
		return nil, err
	}
	since := func(t dsr.EventType) bool {
		return slices.ContainsFunc(c.Events, func(e dsr.Event) bool {
			return e.Type == t && !e.Day().Before(r.Held) && !e.Day().After(c.AsOf)
		})
	}
	var out []dsr.DocumentItem
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
		out = append(out, dsr.DocumentItem{Action: it.Action, Who: it.Who})
	}
	return out, nil
}

// newEvents returns the events of r that prev (the last save) did not add.
func newEvents(prev, r *Review) []dsr.Event {
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

// Save writes the review to the register for its person, in one write
// with the events it adds that its last save did not (review_held once
// held, rating_agreed once the rating is re-agreed, report_sent once the
// report has gone): so holding a review satisfies the review the rules
// asked for, and its follow-ups join Register.Due. The register applies
// its consent gate (R-CONS-1), encrypts the record with the person's key
// and chains it. Without opts, the write is conditional on the person's
// record not changing since Save read it (dsr.ErrConflict otherwise: read
// again and retry). On any error nothing is written.
func Save(ctx context.Context, reg *dsr.Register, r *Review, by dsr.Actor, opts ...dsr.WriteOption) error {
	v, err := reg.Version(ctx, r.Person.ID)
	if err != nil {
		return err
	}
	prev, err := Load(ctx, reg, r.Person.ID, r.ID)
	if err != nil && !errors.Is(err, dsr.ErrNotFound) {
		return err
	}
	doc, err := r.Document()
	if err != nil {
		return err
	}
	if len(opts) == 0 {
		opts = []dsr.WriteOption{dsr.IfVersion(v)}
	}
	return reg.File(ctx, r.Person.ID, doc, newEvents(prev, r), by, opts...)
}

// Load reads a person's review from the register. An unknown review is
// dsr.ErrNotFound.
func Load(ctx context.Context, reg *dsr.Register, personID, reviewID string) (*Review, error) {
	d, err := reg.Document(ctx, personID, DocumentKind, reviewID)
	if err != nil {
		return nil, err
	}
	return FromDocument(d)
}

// Find reads a review from the register by its id alone, whoever it is
// for (see Register.FindDocument).
func Find(ctx context.Context, reg *dsr.Register, reviewID string) (*Review, error) {
	_, d, err := reg.FindDocument(ctx, DocumentKind, reviewID)
	if err != nil {
		return nil, err
	}
	return FromDocument(d)
}
