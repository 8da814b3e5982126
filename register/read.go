package register

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hmac"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/calendar"

	"github.com/dsrkit/dsrkit/dsr"
)

// personState is a person's stream read back.
type personState struct {
	id, stream string
	version    int64
	aead       cipher.AEAD
	wrapped    []byte // the stream's wrapped data key, as stored
	erased     bool
	added      calendar.Date
	details    Details
	events     []dsr.Event
	reports    []report
	removal    *Removal
	// docs holds the latest save of each document, in first-saved order.
	docs []Document
}

type report struct {
	date   calendar.Date
	circ   dsr.Circumstances
	inputs map[string]dsr.InputValue // the bundle's declared inputs (R-INPUT-1)
}

// same reports whether two reports give the same circumstances and inputs.
func (rp *report) same(o *report) bool { return rp.circ == o.circ && maps.Equal(rp.inputs, o.inputs) }

func (r *Register) person(ctx context.Context, id string) (*personState, error) {
	s, err := r.store.Stream(ctx, r.PersonStream(id))
	if err != nil {
		return nil, fmt.Errorf("dsr: the person's record: %w", err)
	}
	return r.decodePerson(ctx, &s)
}

// decodePerson checks a person's stream against its row (a broken one is
// a *ChainError naming the stream), then opens and folds every record.
func (r *Register) decodePerson(ctx context.Context, s *Stream) (*personState, error) {
	if err := r.keys.checkStream(s); err != nil {
		return nil, err
	}
	return r.openPerson(ctx, s)
}

// openPerson opens and folds a stream decodePerson or Due has checked.
func (r *Register) openPerson(ctx context.Context, s *Stream) (*personState, error) {
	st := &personState{stream: s.Name, version: s.Version, wrapped: s.Key, erased: s.KeyDestroyed}
	if st.erased {
		return st, nil
	}
	g, err := r.keys.aead(ctx, s)
	if err != nil {
		return nil, err
	}
	st.aead = g
	for i := range s.Records {
		p, err := openPayload(g, &s.Records[i])
		if err != nil {
			return nil, err
		}
		st.apply(&s.Records[i], p)
	}
	st.id = st.details.Person.ID
	return st, nil
}

func openPayload(g cipher.AEAD, rec *Record) (payload, error) {
	var p payload
	pt, err := open(g, rec)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(pt, &p); err != nil {
		return p, &ChainError{Seq: rec.Seq, Stream: rec.Stream, Problem: "payload is not a register record: " + err.Error()}
	}
	return p, nil
}

// realType is a record's type as sealed in its payload.
func realType(rec *Record, p *payload) string {
	if p.Type != "" {
		return p.Type
	}
	return rec.Type
}

func (st *personState) apply(rec *Record, p payload) {
	switch realType(rec, &p) {
	case RecordPersonAdded:
		st.details, st.added = *p.Details, p.Date
	case RecordDetailsUpdated:
		if p.Details != nil { // a whole copy, as records before R-DATA-1 kept it
			st.details = *p.Details
		} else {
			applyChanges(&st.details, p.Changes)
		}
	case RecordCircumstances:
		st.reports = append(st.reports, report{p.Date, *p.Circumstances, p.Inputs})
	case RecordPersonRemoved:
		st.removal = p.Removal
	case RecordDocument:
		if p.Document == nil {
			return
		}
		i := slices.IndexFunc(st.docs, func(d Document) bool { return d.Kind == p.Document.Kind && d.ID == p.Document.ID })
		if i < 0 {
			st.docs = append(st.docs, *p.Document)
		} else {
			st.docs[i] = *p.Document
		}
	default:
		if p.Event != nil {
			st.events = append(st.events, *p.Event)
		}
	}
}

// circumstancesOn returns the latest report dated on or before asOf (the
// last recorded, among reports of the same date; nil when none), and since
// when the circumstances have been as it says: the date of the earliest
// report of the same set (declared inputs included) with no different
// report dated between (R-RAG-AGREED-2).
func (st *personState) circumstancesOn(asOf calendar.Date) (*report, calendar.Date) {
	var best *report
	for i := range st.reports {
		rp := &st.reports[i]
		if !rp.date.After(asOf) && (best == nil || !rp.date.Before(best.date)) {
			best = rp
		}
	}
	if best == nil {
		return nil, calendar.Date{}
	}
	since := best.date
	for i := range st.reports {
		rp := &st.reports[i]
		if rp.date.Before(since) && rp.same(best) && !st.changedBetween(rp.date, since, best) {
			since = rp.date
		}
	}
	return best, since
}

// changedBetween reports whether a report dated after from and before to
// gives circumstances (or inputs) other than than's.
func (st *personState) changedBetween(from, to calendar.Date, than *report) bool {
	for i := range st.reports {
		rp := &st.reports[i]
		if rp.date.After(from) && rp.date.Before(to) && !rp.same(than) {
			return true
		}
	}
	return false
}

// caseOn rebuilds the case as of asOf: events dated after it are left out
// unless all is set (for checking a write against the whole history).
func (st *personState) caseOn(asOf calendar.Date, all bool) dsr.Case {
	rp, since := st.circumstancesOn(asOf)
	c := dsr.Case{AsOf: asOf, Person: st.details.Person, CircumstancesSince: since}
	if rp != nil {
		c.Circumstances, c.Inputs = rp.circ, rp.inputs
	}
	if !st.details.Entry.IsZero() {
		c.Entry = &st.details.Entry
	}
	c.Events = make([]dsr.Event, 0, len(st.events)+1)
	for _, e := range st.events {
		if all || !e.Day().After(asOf) {
			c.Events = append(c.Events, e)
		}
	}
	return c
}

// held reports whether the person is on the register on asOf: added by
// then, not removed by then, not erased.
func (st *personState) held(asOf calendar.Date) bool {
	return !st.erased && !st.added.After(asOf) && (st.removal == nil || st.removal.Date.After(asOf))
}

// People returns the local ids of everyone whose records can be read
// (erased people are left out), sorted. Each stream is checked as Due
// checks it.
func (r *Register) People(ctx context.Context) ([]string, error) {
	var ids []string
	err := r.store.Streams(ctx, personStreamPrefix, func(s Stream) error {
		st, err := r.decodePerson(ctx, &s)
		if err != nil {
			return err
		}
		if !st.erased {
			ids = append(ids, st.id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dsr: reading the register: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// Case rebuilds a person's case as of asOf from the log: their details, the
// latest circumstances reported on or before asOf, and the events dated on
// or before it. An unknown person is ErrNotFound; an erased one ErrErased.
// The read is audited: by (required) and why (Because) join the person's
// audit (Audit) before the case is returned.
func (r *Register) Case(ctx context.Context, id string, asOf calendar.Date, by Actor, opts ...ReadOption) (dsr.Case, error) {
	if err := by.validate(); err != nil {
		return dsr.Case{}, fmt.Errorf("dsr: reading a person: %w", err)
	}
	c, err := r.caseOf(ctx, id, asOf)
	if err != nil {
		return c, err
	}
	if err := r.audit(ctx, id, "case", by, opts); err != nil {
		return dsr.Case{}, err
	}
	return c, nil
}

// caseOf is Case without the audit, for the register's own use.
func (r *Register) caseOf(ctx context.Context, id string, asOf calendar.Date) (dsr.Case, error) {
	st, err := r.person(ctx, id)
	if err != nil {
		return dsr.Case{}, err
	}
	if st.erased {
		return dsr.Case{}, fmt.Errorf("dsr: the person's record: %w", ErrErased)
	}
	return st.caseOn(asOf, false), nil
}

// Details returns the identifiable details held about a person. An erased
// person is ErrErased: nothing identifiable can be read. The read is
// audited, as Case's is.
func (r *Register) Details(ctx context.Context, id string, by Actor, opts ...ReadOption) (Details, error) {
	if err := by.validate(); err != nil {
		return Details{}, fmt.Errorf("dsr: reading a person: %w", err)
	}
	st, err := r.person(ctx, id)
	if err != nil {
		return Details{}, err
	}
	if st.erased {
		return Details{}, fmt.Errorf("dsr: the person's record: %w", ErrErased)
	}
	if err := r.audit(ctx, id, "details", by, opts); err != nil {
		return Details{}, err
	}
	return st.details, nil
}

// DetailsAndCase returns a person's details and their case as of asOf
// (as Details and Case return them) in one read, audited once (as
// "details and case"): for an export that needs both.
func (r *Register) DetailsAndCase(ctx context.Context, id string, asOf calendar.Date, by Actor, opts ...ReadOption) (Details, dsr.Case, error) {
	if err := by.validate(); err != nil {
		return Details{}, dsr.Case{}, fmt.Errorf("dsr: reading a person: %w", err)
	}
	st, err := r.person(ctx, id)
	if err != nil {
		return Details{}, dsr.Case{}, err
	}
	if st.erased {
		return Details{}, dsr.Case{}, fmt.Errorf("dsr: the person's record: %w", ErrErased)
	}
	if err := r.audit(ctx, id, "details and case", by, opts); err != nil {
		return Details{}, dsr.Case{}, err
	}
	return st.details, st.caseOn(asOf, false), nil
}

// Assess rebuilds a person's case as of asOf and assesses it with the
// register's Rules.
func (r *Register) Assess(ctx context.Context, id string, asOf calendar.Date) (dsr.Assessment, error) {
	c, err := r.caseOf(ctx, id, asOf)
	if err != nil {
		return dsr.Assessment{}, err
	}
	a, err := r.rules.Assess(ctx, c)
	if err != nil {
		return dsr.Assessment{}, fmt.Errorf("dsr: assessing a person: %w", err)
	}
	return a, nil
}

// WorkItem is one line of the worklist: an action due for a person on the
// register (from their assessment), or a decision due on a request to join.
type WorkItem struct {
	// PersonID names the person, or ReferralID the request.
	PersonID   string `json:"person_id,omitempty"`
	ReferralID string `json:"referral_id,omitempty"`
	// Rating is the rating the rules suggest and AgreedRating the one the
	// multi-agency meeting agreed (R-RAG-AGREED); both Unrated for a
	// request.
	Rating       dsr.Rating `json:"rating"`
	AgreedRating dsr.Rating `json:"agreed_rating"`
	// RatingOfRecord is the rating the register acts on (R-RAG-AGREED-2).
	RatingOfRecord dsr.Rating `json:"rating_of_record"`
	dsr.Action
	// Document names the document the item comes from (a review, a Blue
	// Light meeting), when it comes from one; Who is who is responsible,
	// when the document names someone.
	Document *DocumentRef `json:"document,omitempty"`
	Who      string       `json:"who,omitempty"`
}

// Due returns the worklist on asOf across the register: every action the
// rules find due for each person held on the register on that date (added
// by then, not removed, not erased), and a decision for each request to
// join received by then and not yet decided (R-REQ-1). Overdue items come
// first, then by due date; an empty worklist is an empty slice, not nil. People are assessed in parallel (WithWorkers).
// A person's stream only grows, and the Rules decide from the case alone,
// so the register remembers each person's items for the version of their
// stream and the date it assessed: asking again for the same date assesses
// only the people written to since. On a SideStore, with rules that name
// their policy (PolicyNamer), it keeps them in the store instead (memory
// stays bounded however many people), sealed under
// the person's key and bound to their stream's version and head, the date
// and the policy's digest, so a new process too assesses only the people
// written to since (or all of them for a new date or a new bundle), and
// reads the people streaming, never all at once. A cached person is served
// from their stream's row and due row: a record changed behind the
// register's back since is reported by Verify, not by Due. WithDueCache
// turns both caches off.
// What the person's documents leave due (WithDocumentKinds: a review's
// recommendations and report, a Blue Light meeting's funding stop) joins
// their items while they are on the register. A document item with the
// same kind and from date as one of the rules' is the same thing due and
// is listed once: the earlier due stands (the rules' on a tie), naming the
// document.
// A person whose assessment fails fails the whole worklist: an incomplete
// worklist is never returned as if complete.
func (r *Register) Due(ctx context.Context, asOf calendar.Date) ([]WorkItem, error) {
	if items, ok, err := r.dueCached(ctx, asOf); ok {
		return r.dueWithReferrals(ctx, asOf, items, err)
	}
	var mu sync.Mutex
	var results []personItems
	err := inParallel(ctx, r.workers, func(emit func(Stream, []byte) error) error {
		if err := r.store.Streams(ctx, personStreamPrefix, func(s Stream) error { return emit(s, nil) }); err != nil && ctx.Err() == nil {
			return fmt.Errorf("dsr: reading the register: %w", err)
		} else {
			return err
		}
	}, func(s *Stream, _ []byte) error {
		its, err := r.dueFor(ctx, s, asOf)
		if err != nil {
			return err
		}
		mu.Lock()
		results = append(results, personItems{stream: s.Name, items: its})
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	// In stream order, as the cached path gives them, before the sort.
	slices.SortFunc(results, func(a, b personItems) int { return strings.Compare(a.stream, b.stream) })
	items := []WorkItem{} // an empty worklist is [] in JSON, not null
	for i := range results {
		items = append(items, results[i].items...)
	}
	return r.dueWithReferrals(ctx, asOf, items, nil)
}

// dueEntry is a person's worklist items as assessed at one version of
// their stream, on one date.
type dueEntry struct {
	version int64
	asOf    calendar.Date
	head    string
	items   []WorkItem
}

func (r *Register) dueFor(ctx context.Context, s *Stream, asOf calendar.Date) ([]WorkItem, error) {
	if err := r.keys.checkStream(s); err != nil {
		return nil, err
	}
	if v, ok := r.dueCache.Load(s.Name); ok && !s.KeyDestroyed && !r.noDueCache {
		if e := v.(dueEntry); e.version == s.Version && e.asOf == asOf && e.head == string(s.Head) {
			return slices.Clone(e.items), nil
		}
	}
	items, err := r.assessForDue(ctx, s, asOf)
	if err == nil && !r.noDueCache {
		r.dueCache.Store(s.Name, dueEntry{s.Version, asOf, string(s.Head), slices.Clone(items)})
	}
	return items, err
}

func (r *Register) assessForDue(ctx context.Context, s *Stream, asOf calendar.Date) ([]WorkItem, error) {
	items, _, err := r.assessRated(ctx, s, asOf)
	return items, err
}

// dueRatings is what List shows of a person on a date besides their
// items, kept with the items in the due cache (a person on the register
// may have nothing due): whether they are on the register then, their
// ratings, and who holds their entry (R-DATA-1).
type dueRatings struct {
	held                   bool
	rating, agreed, record dsr.Rating
	id, team, coordinator  string
}

// bytes is the summary as the start of a due-cache row: four bytes, then
// three length-prefixed strings.
func (d dueRatings) bytes() []byte {
	held := byte(0)
	if d.held {
		held = 1
	}
	b := []byte{held, byte(d.rating), byte(d.agreed), byte(d.record)}
	for _, s := range []string{d.id, d.team, d.coordinator} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// parseDueRatings reads what bytes wrote from the start of b, and returns
// the rest.
func parseDueRatings(b []byte) (dueRatings, []byte, bool) {
	if len(b) < 4 {
		return dueRatings{}, nil, false
	}
	d := dueRatings{held: b[0] == 1, rating: dsr.Rating(b[1]), agreed: dsr.Rating(b[2]), record: dsr.Rating(b[3])}
	b = b[4:]
	for _, dst := range []*string{&d.id, &d.team, &d.coordinator} {
		n, k := binary.Uvarint(b)
		if k <= 0 || n > uint64(len(b)-k) {
			return dueRatings{}, nil, false
		}
		*dst = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	return d, b, true
}

// assessRated is assessForDue with the person's ratings.
func (r *Register) assessRated(ctx context.Context, s *Stream, asOf calendar.Date) ([]WorkItem, dueRatings, error) {
	st, err := r.openPerson(ctx, s) // dueFor checked it
	if err != nil {
		return nil, dueRatings{}, err
	}
	return r.assessState(ctx, st, asOf)
}

// assessState is assessRated of a person's state read.
func (r *Register) assessState(ctx context.Context, st *personState, asOf calendar.Date) ([]WorkItem, dueRatings, error) {
	var rt dueRatings
	if !st.held(asOf) {
		return nil, rt, nil
	}
	id := st.id
	c := st.caseOn(asOf, false)
	a, err := r.rules.Assess(ctx, c)
	if err != nil {
		return nil, rt, fmt.Errorf("dsr: assessing a person: %w", err)
	}
	rt = dueRatings{held: true, rating: a.Rating, agreed: a.AgreedRating, record: a.RatingOfRecord,
		id: id, team: st.details.Entry.Team, coordinator: st.details.Entry.CareCoordinator}
	items := make([]WorkItem, len(a.Actions))
	for i, act := range a.Actions {
		items[i] = WorkItem{PersonID: id, Rating: a.Rating, AgreedRating: a.AgreedRating, RatingOfRecord: a.RatingOfRecord, Action: act}
	}
	if items, err = r.ageOutItems(ctx, st, asOf, &a, items); err != nil {
		return nil, rt, err
	}
	if !a.OnRegister || len(st.docs) == 0 {
		return items, rt, nil
	}
	docs, err := r.documentItems(st, &c)
	if err != nil {
		return nil, rt, err
	}
	for i := range docs {
		docs[i].Rating, docs[i].AgreedRating, docs[i].RatingOfRecord = a.Rating, a.AgreedRating, a.RatingOfRecord
	}
	return mergeItems(items, docs), rt, nil
}

func (r *Register) referralsDue(ctx context.Context, asOf calendar.Date) ([]WorkItem, error) {
	var items []WorkItem
	err := r.store.Streams(ctx, referralStreamPrefix, func(s Stream) error {
		ref, dec, _, err := r.readReferral(ctx, &s)
		if err != nil {
			return err
		}
		if ref.Received.After(asOf) || (dec != nil && !dec.Date.After(asOf)) {
			return nil
		}
		due, err := r.cal.Due(ref.Received, r.referral)
		if err != nil {
			return fmt.Errorf("dsr: referral %q: %w", ref.ID, err)
		}
		items = append(items, WorkItem{ReferralID: ref.ID, Action: dsr.Action{
			Kind: dsr.ActionReferralDecision, From: ref.Received, Due: due, Rule: "R-REQ-1",
			Reason:  fmt.Sprintf("request from %s received %s: decide accept or decline, with reasons and next steps, within %s", ref.Source, ref.Received, r.referral),
			Overdue: due.Before(asOf),
		}})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dsr: reading requests to join: %w", err)
	}
	return items, nil
}

func (r *Register) readReferral(ctx context.Context, s *Stream) (Referral, *Decision, cipher.AEAD, error) {
	var ref Referral
	var dec *Decision
	if err := r.keys.checkStream(s); err != nil {
		return ref, nil, nil, err
	}
	if s.KeyDestroyed {
		return ref, nil, nil, fmt.Errorf("dsr: %s: %w", s.Name, ErrErased)
	}
	g, err := r.keys.aead(ctx, s)
	if err != nil {
		return ref, nil, nil, err
	}
	for i := range s.Records {
		p, err := openPayload(g, &s.Records[i])
		if err != nil {
			return ref, nil, nil, err
		}
		switch realType(&s.Records[i], &p) {
		case RecordReferralMade:
			ref = *p.Referral
		case RecordReferralDecided:
			dec = p.Decision
		}
	}
	return ref, dec, g, nil
}

// SortWorklist orders a worklist: overdue first, then by due date (and
// instant, for hour-based deadlines), then person or request, kind and rule.
func SortWorklist(items []WorkItem) {
	slices.SortStableFunc(items, compareWork)
}

// HistoryEntry is one record of a person's timeline, with what the rules
// found once it was written.
type HistoryEntry struct {
	Seq     int64     `json:"seq"`
	Version int64     `json:"version"`
	Type    string    `json:"type"`
	At      time.Time `json:"at"`
	By      Actor     `json:"by"`
	// Erased is set once the person's key is destroyed: only the audit
	// trail (type, time, who) remains, and the fields below are empty.
	Erased bool `json:"erased,omitempty"`
	// Summary says what the record holds, without identifiable details.
	Summary string `json:"summary,omitempty"`
	// The assessment as of the day the record was written, with the
	// history up to and including it.
	OnRegister   bool       `json:"on_register"`
	Rating       dsr.Rating `json:"rating"`
	AgreedRating dsr.Rating `json:"agreed_rating"`
	// Rules lists the ids of the rules that fired, sorted.
	Rules []string `json:"rules,omitempty"`
}

// History returns a person's timeline: every record written about them, in
// order, who wrote it and when, and the ids of the rules that fired in the
// assessment as of that day (R-RAG-AGREED and the audit of issue 4). Once
// the person is erased only the audit trail remains. The read is audited,
// as Case's is.
func (r *Register) History(ctx context.Context, id string, by Actor, opts ...ReadOption) ([]HistoryEntry, error) {
	if err := by.validate(); err != nil {
		return nil, fmt.Errorf("dsr: reading a person: %w", err)
	}
	h, err := r.history(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := r.audit(ctx, id, "history", by, opts); err != nil {
		return nil, err
	}
	return h, nil
}

func (r *Register) history(ctx context.Context, id string) ([]HistoryEntry, error) {
	s, err := r.store.Stream(ctx, r.PersonStream(id))
	if err != nil {
		return nil, fmt.Errorf("dsr: the person's record: %w", err)
	}
	if err := r.keys.checkStream(&s); err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, len(s.Records))
	st := &personState{id: id, stream: s.Name}
	var g cipher.AEAD
	if !s.KeyDestroyed {
		if g, err = r.keys.aead(ctx, &s); err != nil {
			return nil, err
		}
	}
	for i := range s.Records {
		rec := &s.Records[i]
		h := HistoryEntry{Seq: rec.Seq, Version: rec.Version, Type: rec.Type, At: rec.At, By: Actor{rec.ActorID, rec.ActorRole}}
		if s.KeyDestroyed {
			h.Erased = true
			out[i] = h
			continue
		}
		p, err := openPayload(g, rec)
		if err != nil {
			return nil, err
		}
		st.apply(rec, p)
		h.Type = realType(rec, &p)
		h.Summary = summarise(h.Type, &p)
		if p.More {
			out[i] = h // the same write continues; assess once it is whole
			continue
		}
		asOf := calendar.DateOf(rec.At)
		for _, e := range st.events {
			if e.Day().After(asOf) {
				asOf = e.Day()
			}
		}
		a, err := r.rules.Assess(ctx, st.caseOn(asOf, false))
		if err != nil {
			return nil, fmt.Errorf("dsr: assessing a person after record %d: %w", rec.Version, err)
		}
		// A removal takes the person off whatever the rules say.
		h.OnRegister, h.Rating, h.AgreedRating = a.OnRegister && st.held(asOf), a.Rating, a.AgreedRating
		for _, rs := range a.Reasons {
			if !slices.Contains(h.Rules, rs.Rule) {
				h.Rules = append(h.Rules, rs.Rule)
			}
		}
		slices.Sort(h.Rules)
		out[i] = h
	}
	return out, nil
}

func summarise(typ string, p *payload) string {
	switch {
	case typ == RecordPersonAdded:
		return "added to the register"
	case typ == RecordDetailsUpdated && p.Details == nil:
		return "details updated: " + strings.Join(changedPaths(p.Changes), ", ")
	case typ == RecordDetailsUpdated:
		return "identifiable details updated"
	case typ == RecordCircumstances:
		var on []string
		for i, f := range p.Circumstances.Fields() {
			if *f {
				on = append(on, dsr.CircumstanceNames[i])
			}
		}
		if len(on) == 0 {
			return fmt.Sprintf("circumstances from %s: none reported", p.Date)
		}
		return fmt.Sprintf("circumstances from %s: %s", p.Date, strings.Join(on, ", "))
	case typ == RecordDocument && p.Document != nil:
		return fmt.Sprintf("%s %s saved", p.Document.Kind, p.Document.ID)
	case typ == RecordPersonRemoved:
		s := fmt.Sprintf("removed on %s: %s", p.Removal.Date, p.Removal.Reason)
		if p.Removal.Evidence != "" {
			s += " (evidence " + p.Removal.Evidence + ")"
		}
		return s
	case p.Event != nil:
		return describeEvent(p.Event)
	}
	return typ
}

func describeEvent(e *dsr.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s", e.Type, e.Day())
	add := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, ", %s %s", k, v)
		}
	}
	add("by", e.By)
	add("given by", e.GivenBy)
	add("scope", strings.Join(e.Scope, "+"))
	add("security", e.Security)
	add("legal status", e.LegalStatus)
	add("hospital", e.Hospital)
	add("kind", e.Kind)
	add("condition", e.Condition)
	if e.Rating != dsr.Unrated {
		add("rating", strings.ToUpper(e.Rating.String()))
	}
	add("reason", e.Reason)
	return b.String()
}

// Verify walks the whole log and every stream's row and checks that they
// are as the register wrote them: records numbered 1, 2, 3 … with no gaps,
// each stream's versions likewise, every record's keyed hash matching its
// content, every record linking to the hash of the one before; every
// stream's row (version, wrapped key, erased flag, head) matching its MAC
// and its records, and no stream of the log without its row; and the log
// reaching the checkpoint kept outside the store (WithCheckpoints) with
// the hash the checkpoint names, so records cut from the end show; and, on
// a SideStore, every stream's snapshot and due-cache row matching its MAC
// and bound to the stream (a snapshot to its version and head). The
// first problem is returned as a *ChainError matching ErrTampered, naming
// the record's sequence number (0 when it is a stream's row). Verify reads
// no payload, so it works after erasure.
func (r *Register) Verify(ctx context.Context) error {
	if err := r.verify(ctx); err != nil {
		return fmt.Errorf("dsr: verifying the log: %w", err)
	}
	return nil
}

func (r *Register) verify(ctx context.Context) error {
	cp, haveCP, err := r.checkpoints.LoadCheckpoint(ctx)
	if err != nil {
		return err
	}
	if haveCP && !hmac.Equal(r.keys.checkpointMAC(cp), cp.MAC) {
		return &ChainError{Seq: cp.Seq, Problem: "the checkpoint does not match its MAC"}
	}
	var prev []byte
	var n int64
	versions := map[string]int64{}
	last := map[string]int64{} // each stream's last seq
	err = r.store.Log(ctx, func(rec Record) error {
		n++
		bad := func(format string, args ...any) error {
			return &ChainError{Seq: rec.Seq, Stream: rec.Stream, Problem: fmt.Sprintf(format, args...)}
		}
		switch {
		case rec.Seq != n:
			return &ChainError{Seq: n, Stream: rec.Stream, Problem: fmt.Sprintf("record %d is missing or out of order (found record %d here)", n, rec.Seq)}
		case !bytes.Equal(rec.Prev, prev):
			return bad("does not link to record %d (its previous hash differs)", n-1)
		case !hmac.Equal(r.keys.RecordHash(&rec), rec.Hash):
			return bad("content does not match its hash")
		case rec.Version != versions[rec.Stream]+1:
			return bad("version %d follows version %d of its stream", rec.Version, versions[rec.Stream])
		case haveCP && rec.Seq == cp.Seq && !bytes.Equal(rec.Hash, cp.Hash):
			return bad("the record differs from the checkpoint's record %d", cp.Seq)
		}
		versions[rec.Stream] = rec.Version
		last[rec.Stream] = rec.Seq
		prev = rec.Hash
		return nil
	})
	if err != nil {
		return err
	}
	if haveCP && n < cp.Seq {
		return &ChainError{Seq: n + 1, Problem: fmt.Sprintf("the log ends at record %d but the checkpoint says it reached record %d: records %d to %d were cut", n, cp.Seq, n+1, cp.Seq)}
	}
	seen := map[string]bool{}
	err = r.store.Streams(ctx, "", func(s Stream) error {
		seen[s.Name] = true
		if err := r.keys.checkStream(&s); err != nil {
			return err
		}
		if versions[s.Name] != s.Version {
			return &ChainError{Seq: last[s.Name], Stream: s.Name, Problem: fmt.Sprintf("the stream's row says version %d, the log %d", s.Version, versions[s.Name])}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for name, seq := range last {
		if !seen[name] {
			return &ChainError{Seq: seq, Stream: name, Problem: "the log has records of this stream but the stream's row is gone"}
		}
	}
	return r.verifySides(ctx)
}
