package register

import (
	"bytes"
	"context"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
)

// RecordDocument is the record type of a document saved in a person's
// stream (see Document).
const RecordDocument = "document_saved"

// Document is a structured record the register keeps about a person beside
// their events: the record of a Care (Education) and Treatment Review, the
// record of a Blue Light meeting. The register does not read Data: it is
// the JSON of the package that owns Kind (cetr, bluelight), which teaches
// the register the kind with a DocumentKind (WithDocumentKinds).
//
// A document lives in the person's stream as a document_saved record, so it
// is sealed with the person's key like their events (and erased with it,
// R-CONS-4), covered by the hash chain, and written under the stream's
// optimistic concurrency. Each save appends the whole document again: the
// latest save of a (Kind, ID) is the document, the earlier ones its
// history.
type Document struct {
	// Kind names the package's document type, such as "cetr_review".
	Kind string `json:"kind"`
	// ID is the document's id, unique within its kind for the person.
	ID string `json:"id"`
	// Data is the document as its package writes it (a JSON object).
	Data json.RawMessage `json:"data"`
}

// DocumentItem is one thing a document leaves due, shaped as an Action,
// with who is responsible when the document names someone.
type DocumentItem struct {
	dsr.Action
	Who string `json:"who,omitempty"`
}

// DocumentKind teaches the register one kind of document: how to check it
// before it is written and what it leaves due. Package cetr and package
// bluelight implement it for their records; dsr never imports them.
// Implementations must be safe for concurrent use.
type DocumentKind interface {
	// Kind is the Document.Kind it handles.
	Kind() string
	// Check validates doc before it is written, for the person whose case
	// (with the write's events, as of today) is c. Bad data is a
	// *ValidationError (matching ErrInvalid) naming the field.
	Check(doc Document, c *dsr.Case) error
	// Worklist returns what doc leaves due on c.AsOf, for the person's case
	// as of that day. The register sets Overdue (due before c.AsOf) and
	// merges the items with the rules' actions (see Register.Due).
	Worklist(doc Document, c *dsr.Case) ([]DocumentItem, error)
}

// WithDocumentKinds teaches the register kinds of document. Saving a
// document of a kind it was not taught is a *ValidationError on
// "document.kind"; documents of unknown kinds already in the log are kept
// and readable but add nothing to the worklist.
func WithDocumentKinds(kinds ...DocumentKind) Option {
	return func(r *Register) error {
		for _, k := range kinds {
			if k == nil || strings.TrimSpace(k.Kind()) == "" {
				return fmt.Errorf("%w: WithDocumentKinds: a kind without a name", dsr.ErrInvalid)
			}
			if r.kinds == nil {
				r.kinds = map[string]DocumentKind{}
			}
			if _, dup := r.kinds[k.Kind()]; dup {
				return fmt.Errorf("%w: WithDocumentKinds: kind %q given twice", dsr.ErrInvalid, k.Kind())
			}
			r.kinds[k.Kind()] = k
		}
		return nil
	}
}

// docKey identifies a document within a person's stream.
type docKey struct{ kind, id string }

// checkDocument checks the envelope of a document and asks its kind to
// check the data; field paths start with prefix ("document", "documents[1]").
func (r *Register) checkDocument(prefix string, d *Document, c *dsr.Case) error {
	var errs []error
	k, known := r.kinds[d.Kind]
	switch {
	case strings.TrimSpace(d.Kind) == "":
		errs = append(errs, invalid(prefix+".kind", "", "required"))
	case !known:
		errs = append(errs, invalid(prefix+".kind", "", "unknown document kind %q (the register knows %s)", d.Kind, r.kindNames()))
	}
	if strings.TrimSpace(d.ID) == "" {
		errs = append(errs, invalid(prefix+".id", "", "required"))
	}
	if t := bytes.TrimSpace(d.Data); len(t) == 0 || t[0] != '{' {
		errs = append(errs, invalid(prefix+".data", "", "required: a JSON object"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return k.Check(*d, c)
}

func (r *Register) kindNames() string {
	if len(r.kinds) == 0 {
		return "none"
	}
	var names []string
	for k := range r.kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// File saves a document about a person together with the events it adds to
// their history, in one write: the events first, in the order given, then
// the document. The person must be on the register (not erased or
// removed); each event must be valid and keep the history consistent as of
// today (a *ValidationError on "events[i]..." otherwise; consent events go
// through Record); the document must be of a kind the register knows and
// pass its check; and consent for inclusion must hold today with the new
// events (R-CONS-1), or File returns a *ConsentError. On any error nothing
// is written. IfVersion makes the write conditional on the version read.
func (r *Register) File(ctx context.Context, id string, doc Document, events []dsr.Event, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", id, "document.id", doc.ID); err != nil {
		return err
	}
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: filing for a person: %w", err)
	}
	st, err := r.writable(ctx, id, opts)
	if err != nil {
		return err
	}
	w, err := r.whenOf(opts, st.lastDay())
	if err != nil {
		return fmt.Errorf("dsr: filing %s %q for a person: %w", doc.Kind, doc.ID, err)
	}
	c := st.caseOn(r.today(), true)
	n := len(c.Events)
	var errs []error
	for i, ev := range events {
		if ev.Type == dsr.EventConsentGiven || ev.Type == dsr.EventConsentWithdrawn {
			errs = append(errs, invalid(fmt.Sprintf("events[%d].type", i), "R-CONS-1", "%s is recorded with Record, not filed with a document", ev.Type))
		}
	}
	c.Events = append(c.Events, events...)
	if err := c.Validate(); err != nil {
		errs = append(errs, renameEvents(err, n))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dsr: filing %s %q for a person: %w", doc.Kind, doc.ID, err)
	}
	if err := r.checkDocument("document", &doc, &c); err != nil {
		return fmt.Errorf("dsr: filing %s %q for a person: %w", doc.Kind, doc.ID, err)
	}
	if err := r.checkAgreed(ctx, &c, events); err != nil {
		return fmt.Errorf("dsr: filing %s %q for a person: %w", doc.Kind, doc.ID, err)
	}
	dec, err := r.consentOn(ctx, &c)
	if err != nil {
		return err
	}
	if !dec.Valid {
		return &ConsentError{PersonID: id, Reasons: dec.Reasons}
	}
	drafts := make([]draft, 0, len(events)+1)
	for i := range events {
		ev := events[i]
		drafts = append(drafts, draft{string(ev.Type), payload{Event: &ev, Occurred: w.at}})
	}
	d := doc
	drafts = append(drafts, draft{RecordDocument, payload{Document: &d, Occurred: w.at}})
	return r.append(ctx, st.stream, st.version, st.key(), by, false, drafts...)
}

// renameEvents renames events[n+j] to events[j] in the errors of validating
// a case whose last events are those of a write.
func renameEvents(err error, n int) error {
	var out []error
	for _, e := range unjoin(err) {
		var ve *dsr.ValidationError
		if errors.As(e, &ve) && strings.HasPrefix(ve.Field, "events[") {
			var i int
			var rest string
			if k, _ := fmt.Sscanf(ve.Field, "events[%d]", &i); k == 1 && i >= n {
				rest = ve.Field[strings.Index(ve.Field, "]")+1:]
				cp := *ve
				cp.Field = fmt.Sprintf("events[%d]%s", i-n, rest)
				e = &cp
			}
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// Document returns the latest save of a person's document of kind and id.
// An unknown person or document is ErrNotFound; an erased person ErrErased.
func (r *Register) Document(ctx context.Context, id, kind, docID string) (Document, error) {
	st, err := r.person(ctx, id)
	if err != nil {
		return Document{}, err
	}
	if st.erased {
		return Document{}, fmt.Errorf("dsr: the person's record: %w", ErrErased)
	}
	i := slices.IndexFunc(st.docs, func(d Document) bool { return d.Kind == kind && d.ID == docID })
	if i < 0 {
		return Document{}, fmt.Errorf("dsr: the person's record: %s %q: %w", kind, docID, ErrNotFound)
	}
	return st.docs[i], nil
}

// Documents returns the latest save of each of a person's documents of
// kind (every kind when kind is empty), in the order they were first
// saved. An erased person is ErrErased.
func (r *Register) Documents(ctx context.Context, id, kind string) ([]Document, error) {
	st, err := r.person(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.erased {
		return nil, fmt.Errorf("dsr: the person's record: %w", ErrErased)
	}
	var out []Document
	for _, d := range st.docs {
		if kind == "" || d.Kind == kind {
			out = append(out, d)
		}
	}
	return out, nil
}

// FindDocument looks across the register for the document of kind and id
// and returns whose it is with its latest save. Erased people are skipped
// (their documents cannot be read). None is ErrNotFound; the same id for
// two people is ErrConflict (name the person and use Document).
func (r *Register) FindDocument(ctx context.Context, kind, docID string) (string, Document, error) {
	var who string
	var found Document
	err := r.store.Streams(ctx, personStreamPrefix, func(s Stream) error {
		if s.KeyDestroyed {
			return nil
		}
		if err := r.keys.checkStream(&s); err != nil {
			return err
		}
		var g cipher.AEAD
		var pid string
		for i := range s.Records {
			rec := &s.Records[i]
			if rec.Type != RecordPersonAdded && rec.Type != RecordDocument {
				continue
			}
			if g == nil {
				var err error
				if g, err = r.keys.aead(ctx, &s); err != nil {
					return err
				}
			}
			p, err := openPayload(g, rec)
			if err != nil {
				return err
			}
			if p.Details != nil && rec.Type == RecordPersonAdded {
				pid = p.Details.Person.ID
			}
			if p.Document == nil || p.Document.Kind != kind || p.Document.ID != docID {
				continue
			}
			if who != "" && who != pid {
				return fmt.Errorf("dsr: %s %q is held for a person and another: %w", kind, docID, ErrConflict)
			}
			who, found = pid, *p.Document
		}
		return nil
	})
	if err != nil {
		return "", Document{}, err
	}
	if who == "" {
		return "", Document{}, fmt.Errorf("dsr: %s %q: %w", kind, docID, ErrNotFound)
	}
	return who, found, nil
}

// documentItems returns what st's documents leave due on asOf, as work
// items for the person: each kind the register knows gives its items for
// the case as of asOf, overdue when due before asOf.
func (r *Register) documentItems(st *personState, c *dsr.Case) ([]WorkItem, error) {
	var items []WorkItem
	for _, d := range st.docs {
		k, ok := r.kinds[d.Kind]
		if !ok {
			continue
		}
		got, err := k.Worklist(d, c)
		if err != nil {
			return nil, fmt.Errorf("dsr: %s %q of a person: %w", d.Kind, d.ID, err)
		}
		for _, it := range got {
			it.Overdue = it.DueDate().Before(c.AsOf)
			items = append(items, WorkItem{PersonID: st.id, Action: it.Action, Document: &DocumentRef{Kind: d.Kind, ID: d.ID}, Who: it.Who})
		}
	}
	return items, nil
}

// mergeItems adds a person's document items to the rules' items. A
// document item with the same kind and from date as a rules' item is the
// same thing due: the one due earlier stands (the rules' on a tie), and it
// names the document.
func mergeItems(rules, docs []WorkItem) []WorkItem {
	out := rules
	for _, d := range docs {
		i := slices.IndexFunc(out[:len(rules)], func(a WorkItem) bool { return a.Kind == d.Kind && a.From == d.From })
		if i < 0 {
			out = append(out, d)
			continue
		}
		if dueBefore(&d.Action, &out[i].Action) {
			d.Rating, d.AgreedRating, d.RatingOfRecord = out[i].Rating, out[i].AgreedRating, out[i].RatingOfRecord
			out[i] = d
		} else if out[i].Document == nil {
			out[i].Document, out[i].Who = d.Document, d.Who
		}
	}
	return out
}

// dueBefore reports whether a falls due before b: by date, then by instant
// when both have one (an instant comes before the end of its day).
func dueBefore(a, b *dsr.Action) bool {
	if c := a.DueDate().Compare(b.DueDate()); c != 0 {
		return c < 0
	}
	switch {
	case !a.DueAt.IsZero() && !b.DueAt.IsZero():
		return a.DueAt.Before(b.DueAt)
	case !a.DueAt.IsZero():
		return true
	}
	return false
}

// DocumentRef names the document a worklist item comes from.
type DocumentRef struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// checkNewDocuments checks the documents of a NewPerson.
func (r *Register) checkNewDocuments(docs []Document, c *dsr.Case) error {
	var errs []error
	seen := map[docKey]bool{}
	for i := range docs {
		prefix := fmt.Sprintf("documents[%d]", i)
		k := docKey{docs[i].Kind, docs[i].ID}
		if seen[k] {
			errs = append(errs, invalid(prefix+".id", "", "%s %q given twice", k.kind, k.id))
			continue
		}
		seen[k] = true
		errs = append(errs, r.checkDocument(prefix, &docs[i], c))
	}
	return errors.Join(errs...)
}

// checkAgreed applies R-RAG-AGREED to the rating_agreed events of a write,
// as Agree does: an agreed rating that differs from the rules' suggestion
// today needs a reason.
func (r *Register) checkAgreed(ctx context.Context, c *dsr.Case, events []dsr.Event) error {
	var a *dsr.Assessment
	var errs []error
	for i, ev := range events {
		if ev.Type != dsr.EventRatingAgreed || strings.TrimSpace(ev.Reason) != "" {
			continue
		}
		if a == nil {
			got, err := r.rules.Assess(ctx, *c)
			if err != nil {
				return fmt.Errorf("dsr: assessing a person: %w", err)
			}
			a = &got
		}
		if a.Rating != ev.Rating {
			errs = append(errs, invalid(fmt.Sprintf("events[%d].reason", i), "R-RAG-AGREED",
				"required: the agreed rating %s differs from the suggested %s", strings.ToUpper(ev.Rating.String()), strings.ToUpper(a.Rating.String())))
		}
	}
	return errors.Join(errs...)
}
