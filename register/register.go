package register

import (
	"context"
	"crypto/cipher"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/calendar"

	"github.com/dsrkit/dsrkit/dsr"
)

// Register is the Dynamic Support Register: an append-only, per-person log
// of events kept in a Store, refusing identifiable data without valid
// consent (R-CONS-1), encrypting each person's records with their own key
// and destroying it when consent is withdrawn (R-CONS-4), chaining every
// record to the one before it so tampering shows (Verify), and building the
// worklist of what is due across the register (Due) from each person's
// assessment by the Rules.
//
// Every write names who made it (an Actor) and takes its time from the
// register's clock (WithClock). Writes are optimistic: a write reads the
// person's stream, checks it, and appends naming the version it read, so a
// concurrent writer gets ErrConflict rather than a silent interleave; the
// caller reads again and retries.
//
// A Register is safe for concurrent use.
type Register struct {
	store    Store
	rules    dsr.Rules
	consent  ConsentPolicy
	clock    func() time.Time
	cal      *calendar.Calendar
	referral calendar.Deadline
	workers  int
	// kinds are the document kinds the register knows (WithDocumentKinds).
	kinds map[string]DocumentKind
	// dueCache holds each person's worklist items by stream, for the
	// version and date they were assessed at (see Due).
	dueCache sync.Map
	// wrapper is the KEK (WithKeys); keys the register's secrets,
	// unwrapped at Open; meta its metadata.
	wrapper     KeyWrapper
	keys        *keys
	meta        *meta
	newID       string
	checkpoints CheckpointStore
	// noSnapshots and noDueCache turn the snapshots and Due's caches off
	// (WithSnapshots, WithDueCache).
	noSnapshots, noDueCache bool
}

// ConsentPolicy decides whether consent for inclusion holds for a case
// (R-CONS-1..5). consent.Params implements it.
type ConsentPolicy interface {
	Consent(c *dsr.Case) dsr.ConsentDecision
}

// Option configures a Register at Open.
type Option func(*Register) error

// WithClock sets the clock the register reads for the time of each write
// and for "today". The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(r *Register) error {
		if now == nil {
			return fmt.Errorf("%w: WithClock: nil clock", dsr.ErrInvalid)
		}
		r.clock = now
		return nil
	}
}

// WithConsentPolicy sets how the register decides consent at its gate
// (R-CONS-1), for example consent.National2023. Without it the register
// asks the Rules and uses the assessment's consent decision.
func WithConsentPolicy(p ConsentPolicy) Option {
	return func(r *Register) error {
		if p == nil {
			return fmt.Errorf("%w: WithConsentPolicy: nil policy", dsr.ErrInvalid)
		}
		r.consent = p
		return nil
	}
}

// WithCalendar sets the calendar that dates referral decision deadlines;
// the default is calendar.Default().
func WithCalendar(c *calendar.Calendar) Option {
	return func(r *Register) error {
		if c == nil {
			return fmt.Errorf("%w: WithCalendar: nil calendar", dsr.ErrInvalid)
		}
		r.cal = c
		return nil
	}
}

// WithReferralDeadline sets the area's deadline for deciding a request to
// join the register (R-REQ-1). The default is 28 days (Norfolk).
func WithReferralDeadline(d calendar.Deadline) Option {
	return func(r *Register) error {
		if err := d.Validate(); err != nil {
			return fmt.Errorf("%w: WithReferralDeadline: %w", dsr.ErrInvalid, err)
		}
		r.referral = d
		return nil
	}
}

// WithWorkers sets how many people Due assesses at once; the default is
// runtime.GOMAXPROCS(0).
func WithWorkers(n int) Option {
	return func(r *Register) error {
		if n < 1 {
			return fmt.Errorf("%w: WithWorkers: %d workers, want at least 1", dsr.ErrInvalid, n)
		}
		r.workers = n
		return nil
	}
}

// WithKeys sets the register's key-encryption key (required): a KeyFile,
// a Passphrase, a host's KMS, or MemoryKey for a register that lives in
// memory only.
func WithKeys(w KeyWrapper) Option {
	return func(r *Register) error {
		if w == nil {
			return fmt.Errorf("%w: WithKeys: nil key wrapper", dsr.ErrInvalid)
		}
		r.wrapper = w
		return nil
	}
}

// WithRegisterID sets the id a new register gets (NewRegisterID makes
// one); it is ignored for a store that already holds a register. The
// default is a fresh NewRegisterID.
func WithRegisterID(id string) Option {
	return func(r *Register) error {
		r.newID = id
		return nil
	}
}

// WithCheckpoints sets where the register keeps the checkpoint of its log's
// head, outside the store (FileCheckpoints, or the host's own). The
// default keeps it in memory, which detects a log cut while the process
// runs but not across processes.
func WithCheckpoints(c CheckpointStore) Option {
	return func(r *Register) error {
		if c == nil {
			return fmt.Errorf("%w: WithCheckpoints: nil checkpoint store", dsr.ErrInvalid)
		}
		r.checkpoints = c
		return nil
	}
}

// DefaultReferralDeadline is the decision deadline for a request to join
// when the area sets none (R-REQ-1; Norfolk's 28 days).
var DefaultReferralDeadline = calendar.Deadline{N: 28, Unit: calendar.Days}

// Open returns a register over store, assessing people with rules, its
// secrets unwrapped by the KEK of WithKeys (required). A store no register
// has opened gets new metadata: a register id, the KEK's id and
// parameters, and fresh secrets wrapped by the KEK. A KEK that is not the
// register's, or cannot be had, is refused with an error matching ErrNoKey
// that names what is missing, and nothing is read. The store stays the
// caller's to close.
func Open(ctx context.Context, store Store, rules dsr.Rules, opts ...Option) (*Register, error) {
	if store == nil {
		return nil, fmt.Errorf("%w: register.Open: nil store", dsr.ErrInvalid)
	}
	if rules == nil {
		return nil, fmt.Errorf("%w: register.Open: nil rules", dsr.ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := &Register{
		store: store, rules: rules, clock: time.Now, cal: calendar.Default(),
		referral: DefaultReferralDeadline, workers: runtime.GOMAXPROCS(0),
	}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	if r.wrapper == nil {
		return nil, fmt.Errorf("%w: register.Open: no key-encryption key (WithKeys)", ErrNoKey)
	}
	if r.checkpoints == nil {
		r.checkpoints = &memCheckpoints{}
	}
	var err error
	if r.keys, r.meta, err = openKeys(ctx, store, r.wrapper, r.newID); err != nil {
		return nil, err
	}
	return r, nil
}

// ID returns the register's id (see StoreID).
func (r *Register) ID() string { return r.meta.ID }

// Actor is the member of staff who makes a change or reads a person's
// records: their id in the host's directory and their role, one of Roles
// (viewer, coordinator, analyst, admin). Both are kept in the clear for
// audit, so they must never be the person's own details.
type Actor struct {
	ID   string `json:"id"`
	Role string `json:"role"`
}

// Validate checks an Actor as every write and read does: an id and a role
// of Roles, else a *dsr.ValidationError naming by.id or by.role.
func (a Actor) Validate() error { return a.validate() }

func (a Actor) validate() error {
	var errs []error
	if strings.TrimSpace(a.ID) == "" {
		errs = append(errs, invalid("by.id", "", "required: who made the change"))
	}
	switch {
	case strings.TrimSpace(a.Role) == "":
		errs = append(errs, invalid("by.role", "", "required: the role of who made the change (one of %s)", strings.Join(Roles, ", ")))
	case !slices.Contains(Roles, a.Role):
		errs = append(errs, invalid("by.role", "", "unknown role %q: want one of %s", a.Role, strings.Join(Roles, ", ")))
	}
	return errors.Join(errs...)
}

// Details are the identifiable details the register holds about a person:
// the Person (NHS number, date of birth, postcode and the rest), their name
// and address. None of it is held without valid consent for inclusion
// (R-CONS-1).
type Details struct {
	Person  dsr.Person `json:"person"`
	Name    string     `json:"name,omitempty"`
	Address string     `json:"address,omitempty"`
	// Entry is what the area's register template keeps besides (R-DATA-1).
	Entry dsr.Entry `json:"entry,omitzero"`
}

// NewPerson is a person to add to the register: their details, what the
// multi-agency team reports now, and their history so far, which must
// include consent for inclusion that holds today (R-CONS-1).
type NewPerson struct {
	Details
	Circumstances dsr.Circumstances `json:"circumstances"`
	// Inputs are the values of the inputs the register's bundle declares
	// (R-INPUT-1), reported with the circumstances.
	Inputs map[string]dsr.InputValue `json:"inputs,omitempty"`
	Events []dsr.Event               `json:"events"`
	// Documents are saved with the person, after their events: the record
	// of the Blue Light meeting that brought them to the register, say.
	// Each must be of a kind the register knows (WithDocumentKinds).
	Documents []Document `json:"documents,omitempty"`
}

// Record types the register writes besides the events of a person's
// history (EventType values).
const (
	RecordPersonAdded     = "person_added"
	RecordDetailsUpdated  = "details_updated"
	RecordCircumstances   = "circumstances_reported"
	RecordPersonRemoved   = "person_removed"
	RecordReferralMade    = "referral_made"
	RecordReferralDecided = "referral_decided"
)

const (
	personStreamPrefix     = "person/"
	referralStreamPrefix   = "referral/"
	maxAppendRecordsPerAdd = 10_000
)

// Audit types: the only record types kept in the clear (Record.Type). They
// say what kind of thing happened to a stream and never a clinical fact;
// the real type is sealed in the payload.
const (
	// AuditEvent is any event of a person's history other than a
	// withdrawal of consent.
	AuditEvent = "event"
	// AuditRead is a read of a person's identifiable data (History, Case,
	// Details, Due with details ...).
	AuditRead = "read"
)

// AuditTypes lists every record type kept in the clear.
var AuditTypes = []string{RecordPersonAdded, RecordDetailsUpdated, RecordCircumstances, AuditEvent, RecordDocument,
	string(dsr.EventConsentWithdrawn), RecordPersonRemoved, RecordReferralMade, RecordReferralDecided, AuditRead, RecordNHSClaimed}

// auditType is the clear type of a record of real type typ.
func auditType(typ string) string {
	if slices.Contains(AuditTypes, typ) && typ != AuditEvent {
		return typ
	}
	return AuditEvent
}

// PersonStream names the stream of the person with local id id: "person/"
// and the id's pseudonym (an HMAC under the register's pseudonym key).
func (r *Register) PersonStream(id string) string {
	return personStreamPrefix + r.keys.pseudonymOf("person", id)
}

// ReferralStream names the stream of a request to join (see PersonStream).
func (r *Register) ReferralStream(id string) string {
	return referralStreamPrefix + r.keys.pseudonymOf("referral", id)
}

// payload is the content of a record, sealed in Record.Payload. Exactly the
// fields of the record's type are set.
type payload struct {
	// Type is the record's real type (Record.Type is its audit type).
	Type    string   `json:"type"`
	Details *Details `json:"details,omitempty"`
	// Changes is a details_updated record's merge patch (details.go).
	Changes       json.RawMessage    `json:"changes,omitempty"`
	Event         *dsr.Event         `json:"event,omitempty"`
	Date          calendar.Date      `json:"date,omitzero"`
	Circumstances *dsr.Circumstances `json:"circumstances,omitempty"`
	// Inputs are a circumstances report's declared inputs (R-INPUT-1).
	Inputs   map[string]dsr.InputValue `json:"inputs,omitempty"`
	Removal  *Removal                  `json:"removal,omitempty"`
	Referral *Referral                 `json:"referral,omitempty"`
	Decision *Decision                 `json:"decision,omitempty"`
	Document *Document                 `json:"document,omitempty"`
	Read     *ReadAudit                `json:"read,omitempty"`
	// Bulk is a read of many people at once (AuditBulk).
	Bulk *BulkRead `json:"bulk,omitempty"`
	// Claim is the person stream an NHS number index record names.
	Claim string `json:"claim,omitempty"`
	// Occurred is when what the record says happened, for a record
	// entered after the fact (At); its Record.At is when it was entered.
	Occurred time.Time `json:"occurred,omitzero"`
	// More marks a record that is not the last of its write.
	More bool `json:"more,omitempty"`
}

// WriteOption refines one write.
type WriteOption func(*writeOpts)

type writeOpts struct {
	expect    int64
	hasExpect bool
	at        time.Time // At's instant: the write is entered after the fact
}

// IfVersion makes a write apply only if the person's stream is still at
// version v (see Register.Version); otherwise it returns ErrConflict and
// writes nothing.
func IfVersion(v int64) WriteOption {
	return func(o *writeOpts) { o.expect, o.hasExpect = v, true }
}

func (r *Register) today() calendar.Date { return calendar.DateOf(r.clock()) }

// Today is the register's today: its clock's date in Europe/London.
func (r *Register) Today() calendar.Date { return r.today() }

// draft is a record to append, before sealing.
type draft struct {
	typ string
	p   payload
}

// streamKey is a stream's data key for a write: its cipher, and for a new
// stream its wrapped bytes.
type streamKey struct {
	aead    cipher.AEAD
	wrapped []byte // set for a new stream only
	// snap (or from, a person's state read in full) is the stream's
	// snapshot before the write, when the writer has it: the append then
	// writes the next one (snapshot.go).
	snap *snapshot
	from *personState
}

// newStreamKey makes a data key for a new stream, wrapped by the KEK bound
// to the stream's name.
func (r *Register) newStreamKey(ctx context.Context, stream string) (streamKey, error) {
	dk := newKey()
	defer clear(dk)
	w, err := r.wrapper.Wrap(ctx, dk, []byte(stream))
	if err != nil {
		return streamKey{}, fmt.Errorf("dsr: wrapping the key of %s: %w", stream, err)
	}
	g, err := gcm(dk)
	if err != nil {
		return streamKey{}, err
	}
	return streamKey{aead: g, wrapped: w}, nil
}

// append seals drafts with the stream's key and appends them naming the
// expected version, then saves the checkpoint of the log's new head.
func (r *Register) append(ctx context.Context, stream string, expected int64, key streamKey, by Actor, destroy bool, drafts ...draft) error {
	req, err := r.request(stream, expected, key, by, destroy, drafts...)
	if err != nil {
		return err
	}
	out, err := r.store.Append(ctx, req)
	if err != nil {
		return fmt.Errorf("dsr: appending to %s: %w", stream, err)
	}
	return r.checkpoint(ctx, out[len(out)-1], stream)
}

// request seals drafts with the stream's key into the append of them
// naming the expected version.
func (r *Register) request(stream string, expected int64, key streamKey, by Actor, destroy bool, drafts ...draft) (AppendRequest, error) {
	now := r.clock().UTC()
	recs := make([]Record, len(drafts))
	for i, d := range drafts {
		d.p.More = i < len(drafts)-1
		d.p.Type = d.typ
		pt, err := json.Marshal(d.p)
		if err != nil {
			return AppendRequest{}, fmt.Errorf("dsr: encoding %s: %w", d.typ, err)
		}
		typ := auditType(d.typ)
		sealed := seal(key.aead, stream, expected+int64(i)+1, typ, pt)
		recs[i] = Record{Stream: stream, Type: typ, At: now, ActorID: by.ID, ActorRole: by.Role, Payload: sealed}
	}
	req := AppendRequest{Stream: stream, Expected: expected, Records: recs, DestroyKey: destroy, Chain: r.keys,
		Snapshot: r.snapshotFor(stream, key, destroy, drafts)}
	if expected == 0 {
		req.NewKey = key.wrapped
	}
	return req, nil
}

// checkpoint saves the checkpoint of the log's new head, last.
func (r *Register) checkpoint(ctx context.Context, last Record, stream string) error {
	cp := Checkpoint{Seq: last.Seq, Hash: last.Hash}
	cp.MAC = r.keys.checkpointMAC(cp)
	if err := r.checkpoints.SaveCheckpoint(ctx, cp); err != nil {
		return fmt.Errorf("dsr: appended to %s, but saving the checkpoint failed: %w", stream, err)
	}
	return nil
}

// consentOn decides consent for inclusion for c (R-CONS-1..5).
func (r *Register) consentOn(ctx context.Context, c *dsr.Case) (dsr.ConsentDecision, error) {
	if r.consent != nil {
		return r.consent.Consent(c), nil
	}
	a, err := r.rules.Assess(ctx, *c)
	if err != nil {
		return dsr.ConsentDecision{}, fmt.Errorf("dsr: deciding consent for a person: %w", err)
	}
	return a.Consent, nil
}

// Add puts a person on the register with their details, circumstances and
// history so far, and any documents (np.Documents), all in one write. Consent for inclusion must hold today
// among np.Events (R-CONS-1): otherwise Add returns a *ConsentError
// matching ErrConsentRequired and stores nothing. A person already on the
// register (or ever added under that id) is ErrConflict; bad input is a
// *ValidationError matching ErrInvalid.
func (r *Register) Add(ctx context.Context, np NewPerson, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "person.id", np.Person.ID); err != nil {
		return err
	}
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: adding a person: %w", err)
	}
	w, err := r.whenOf(opts, calendar.Date{})
	if err != nil {
		return fmt.Errorf("dsr: adding a person: %w", err)
	}
	drafts, err := r.prepareAdd(ctx, &np, w)
	if err != nil {
		return err
	}
	stream := r.PersonStream(np.Person.ID)
	if _, err := r.store.Stream(ctx, stream); err == nil {
		return fmt.Errorf("dsr: adding a person: the id is taken: %w", ErrConflict)
	}
	if err := r.claimNHS(ctx, np.Person.NHSNumber, stream, by); err != nil {
		return fmt.Errorf("dsr: adding a person: %w", err)
	}
	if err := r.indexName(ctx, np.Name, stream, by); err != nil {
		return fmt.Errorf("dsr: adding a person: %w", err)
	}
	key, err := r.newStreamKey(ctx, stream)
	if err != nil {
		return err
	}
	return r.append(ctx, stream, 0, key, by, false, drafts...)
}

// prepareAdd checks a new person as Add does, consent included, and
// returns the records of their stream, for a write on day w.
func (r *Register) prepareAdd(ctx context.Context, np *NewPerson, w when) ([]draft, error) {
	today := w.day
	c := dsr.Case{AsOf: today, Person: np.Person, Circumstances: np.Circumstances, Inputs: np.Inputs, Events: np.Events}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("dsr: adding a person: %w", err)
	}
	if err := np.Details.validate(today); err != nil {
		return nil, fmt.Errorf("dsr: adding a person: %w", err)
	}
	if len(np.Inputs) > 0 { // checked against the bundle's declarations, as an assessment checks them
		if _, err := r.rules.Assess(ctx, c); err != nil {
			return nil, fmt.Errorf("dsr: adding a person: %w", err)
		}
	}
	if err := r.checkNewDocuments(np.Documents, &c); err != nil {
		return nil, fmt.Errorf("dsr: adding a person: %w", err)
	}
	if len(np.Events)+len(np.Documents) > maxAppendRecordsPerAdd {
		return nil, fmt.Errorf("dsr: adding a person: %w",
			invalid("events", "", "%d events, at most %d in one write", len(np.Events), maxAppendRecordsPerAdd))
	}
	dec, err := r.consentOn(ctx, &c)
	if err != nil {
		return nil, err
	}
	if !dec.Valid {
		return nil, &ConsentError{PersonID: np.Person.ID, Reasons: dec.Reasons}
	}
	details := np.Details
	circ := np.Circumstances
	drafts := []draft{{RecordPersonAdded, payload{Details: &details, Date: today, Occurred: w.at}}}
	for i := range np.Events {
		ev := np.Events[i]
		drafts = append(drafts, draft{string(ev.Type), payload{Event: &ev}})
	}
	for i := range np.Documents {
		d := np.Documents[i]
		drafts = append(drafts, draft{RecordDocument, payload{Document: &d}})
	}
	drafts = append(drafts, draft{RecordCircumstances, payload{Date: today, Circumstances: &circ, Inputs: np.Inputs}})
	return drafts, nil
}

// writable reads a person for a write: it must exist, not be erased or
// removed, and be at the version the caller expects.
func (r *Register) writable(ctx context.Context, id string, opts []WriteOption) (*personState, error) {
	o := writeOptions(opts)
	st, err := r.person(ctx, id)
	if err != nil {
		return nil, err
	}
	if st.erased {
		return nil, fmt.Errorf("dsr: the person's record: %w", ErrErased)
	}
	if st.removal != nil {
		return nil, fmt.Errorf("dsr: the person's record: %w on %s (%s)", ErrRemoved, st.removal.Date, st.removal.Reason)
	}
	if o.hasExpect && o.expect != st.version {
		return nil, fmt.Errorf("dsr: a person is at version %d, not %d: %w", st.version, o.expect, ErrConflict)
	}
	return st, nil
}

// Version returns the version of a person's stream: the number of records
// written about them. Pass it to IfVersion to make a later write fail with
// ErrConflict if anyone else wrote in between.
func (r *Register) Version(ctx context.Context, id string) (int64, error) {
	s, err := r.store.Stream(ctx, r.PersonStream(id))
	if err != nil {
		return 0, fmt.Errorf("dsr: the person's record: %w", err)
	}
	return s.Version, nil
}

// Record adds an event to a person's history. On a SideStore it reads the
// person's snapshot rather than their history (WithSnapshots), so its cost
// does not grow with the history; what the snapshot cannot decide alone (a
// consent given or withdrawn, an event that does not fit) is decided from
// the whole history, as without it. The event must be valid and
// keep the history consistent as of today (a *ValidationError naming the
// field otherwise). A consent_given must itself make consent for inclusion
// hold (R-CONS-2, R-CONS-3), or Record returns a *ConsentError and stores
// nothing. A consent_withdrawn that covers register inclusion removes the
// person and destroys their key in the same write (R-CONS-4): their
// records become unreadable and only the audit trail stays.
func (r *Register) Record(ctx context.Context, id string, ev dsr.Event, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", id); err != nil {
		return err
	}
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: recording for a person: %w", err)
	}
	if done, err := r.recordFast(ctx, id, ev, by, opts); done {
		return err
	}
	st, err := r.writable(ctx, id, opts)
	if err != nil {
		return err
	}
	w, err := r.whenOf(opts, st.lastDay())
	if err != nil {
		return fmt.Errorf("dsr: recording %s for a person: %w", ev.Type, err)
	}
	today := r.today()
	c := st.caseOn(today, true)
	c.Events = append(c.Events, ev)
	if err := c.Validate(); err != nil {
		return fmt.Errorf("dsr: recording %s for a person: %w", ev.Type, renameEvent(err, len(c.Events)-1))
	}
	switch {
	case ev.Type == dsr.EventConsentGiven:
		upTo := dsr.Case{AsOf: ev.Day(), Person: c.Person}
		for _, e := range c.Events {
			if !e.Day().After(ev.Day()) {
				upTo.Events = append(upTo.Events, e)
			}
		}
		dec, err := r.consentOn(ctx, &upTo)
		if err != nil {
			return err
		}
		if !dec.Valid {
			return &ConsentError{PersonID: id, Reasons: dec.Reasons}
		}
	case ev.Type == dsr.EventConsentWithdrawn && ev.HasScope(dsr.ScopeDSR):
		return r.erase(ctx, st, ev, Removal{Reason: RemovedConsentWithdrawn, Date: ev.Day()}, by)
	}
	return r.append(ctx, st.stream, st.version, st.key(), by, false, draft{string(ev.Type), payload{Event: &ev, Occurred: w.at}})
}

// erase writes the withdrawal and the removal, and destroys the key: in
// the store, in the same transaction, and in this process's cache.
func (r *Register) erase(ctx context.Context, st *personState, ev dsr.Event, rm Removal, by Actor) error {
	err := r.append(ctx, st.stream, st.version, st.key(), by, true,
		draft{string(dsr.EventConsentWithdrawn), payload{Event: &ev}},
		draft{RecordPersonRemoved, payload{Removal: &rm}})
	if err != nil {
		return err
	}
	r.keys.aeads.Delete(string(st.wrapped))
	return r.eraseReads(ctx, st.id, by)
}

// eraseReads destroys the key of a person's audit stream too, so the
// reasons given for reading their records (free text) go with them; who
// read and when stay, pseudonymous.
func (r *Register) eraseReads(ctx context.Context, id string, by Actor) error {
	name := r.auditStream(id)
	for range maxAuditRetries {
		s, err := r.store.Stream(ctx, name)
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if s.KeyDestroyed {
			return nil
		}
		g, err := r.keys.aead(ctx, &s)
		if err != nil {
			return err
		}
		rm := Removal{Reason: RemovedConsentWithdrawn, Date: r.today()}
		err = r.append(ctx, name, s.Version, streamKey{aead: g}, by, true, draft{RecordPersonRemoved, payload{Removal: &rm}})
		if !errors.Is(err, ErrConflict) {
			if err == nil {
				r.keys.aeads.Delete(string(s.Key))
			}
			return err
		}
	}
	return fmt.Errorf("dsr: erasing the reads of a person: %w", ErrConflict)
}

// renameEvent renames events[i] to event in the errors of validating a
// case with the new event last.
func renameEvent(err error, i int) error {
	prefix := fmt.Sprintf("events[%d]", i)
	var out []error
	for _, e := range unjoin(err) {
		var ve *dsr.ValidationError
		if errors.As(e, &ve) && strings.HasPrefix(ve.Field, prefix) {
			cp := *ve
			cp.Field = "event" + strings.TrimPrefix(ve.Field, prefix)
			e = &cp
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Report records what the multi-agency team reports about a person's
// circumstances from date on (R-RAG-*): the whole set, replacing the last
// report for assessments on or after date.
func (r *Register) Report(ctx context.Context, id string, date calendar.Date, circ dsr.Circumstances, by Actor, opts ...WriteOption) error {
	return r.ReportInputs(ctx, id, date, circ, nil, by, opts...)
}

// ReportInputs is Report with the values of the inputs the register's
// bundle declares (R-INPUT-1: an area's own circumstances, scored items,
// enumerations), which are part of the report: the next report replaces
// them too. They are checked against the bundle as an assessment checks
// them (an undeclared name or a value out of range is a *ValidationError
// naming inputs.NAME), and nothing is written if they fail.
func (r *Register) ReportInputs(ctx context.Context, id string, date calendar.Date, circ dsr.Circumstances, inputs map[string]dsr.InputValue, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", id); err != nil {
		return err
	}
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: reporting for a person: %w", err)
	}
	if date.IsZero() {
		return fmt.Errorf("dsr: reporting for a person: %w", invalid("date", "", "required"))
	}
	if date.After(r.today()) {
		return fmt.Errorf("dsr: reporting for a person: %w", invalid("date", "", "%s is in the future", date))
	}
	st, err := r.writable(ctx, id, opts)
	if err != nil {
		return err
	}
	w, err := r.whenOf(opts, st.lastDay())
	if err != nil {
		return fmt.Errorf("dsr: reporting for a person: %w", err)
	}
	if !w.at.IsZero() && date != w.day {
		return fmt.Errorf("dsr: reporting for a person: %w", invalid("date", "", "%s is not the day of --at, %s", date, w.day))
	}
	if len(inputs) > 0 {
		c := st.caseOn(date, false)
		c.Circumstances, c.Inputs = circ, inputs
		if _, err := r.rules.Assess(ctx, c); err != nil {
			return fmt.Errorf("dsr: reporting for a person: %w", err)
		}
	}
	return r.append(ctx, st.stream, st.version, st.key(), by, false, draft{RecordCircumstances, payload{Date: date, Circumstances: &circ, Inputs: inputs, Occurred: w.at}})
}

// UpdateDetails replaces a person's identifiable details with d, and
// records only what changed (see ChangeDetails, which takes a patch
// instead). Consent for inclusion must hold (R-CONS-1), or it returns a
// *ConsentError and stores nothing. The person's id cannot change.
func (r *Register) UpdateDetails(ctx context.Context, id string, d Details, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", id); err != nil {
		return err
	}
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: updating a person: %w", err)
	}
	st, err := r.writable(ctx, id, opts)
	if err != nil {
		return err
	}
	_, _, err = r.changeDetails(ctx, st, d, by, opts)
	return err
}

// Agree records the rating the multi-agency meeting agreed today, why and
// who agreed it (R-RAG-AGREED), as a rating_agreed event. The rules' later
// suggestions never overwrite it; a difference is reported in each
// assessment. A reason is required when the agreed rating differs from the
// rules' suggestion today.
func (r *Register) Agree(ctx context.Context, id string, rating dsr.Rating, reason string, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", id); err != nil {
		return err
	}
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: agreeing a rating for a person: %w", err)
	}
	if rating == dsr.Unrated || rating > dsr.Blue {
		return fmt.Errorf("dsr: agreeing a rating for a person: %w", invalid("rating", "R-RAG-AGREED", "want red, amber, green or blue"))
	}
	st, err := r.writable(ctx, id, opts)
	if err != nil {
		return err
	}
	w, err := r.whenOf(opts, st.lastDay())
	if err != nil {
		return fmt.Errorf("dsr: agreeing a rating for a person: %w", err)
	}
	today := w.day
	c := st.caseOn(today, false)
	a, err := r.rules.Assess(ctx, c)
	if err != nil {
		return fmt.Errorf("dsr: assessing a person: %w", err)
	}
	if strings.TrimSpace(reason) == "" && a.Rating != rating {
		return fmt.Errorf("dsr: agreeing a rating for a person: %w", invalid("reason", "R-RAG-AGREED",
			"required: the agreed rating %s differs from the suggested %s", strings.ToUpper(rating.String()), strings.ToUpper(a.Rating.String())))
	}
	ev := dsr.Event{Type: dsr.EventRatingAgreed, Date: today, Rating: rating, Reason: reason, By: by.ID}
	return r.append(ctx, st.stream, st.version, st.key(), by, false, draft{string(dsr.EventRatingAgreed), payload{Event: &ev, Occurred: w.at}})
}

// RemovalReason is why a person leaves the register (R-REM-1).
type RemovalReason string

// The removal reasons of R-REM-1.
const (
	// RemovedNoLongerAtRisk needs the reference of the written
	// recommendation from the care coordinator or social worker.
	RemovedNoLongerAtRisk RemovalReason = "no_longer_at_risk"
	// RemovedConsentWithdrawn erases the person's records (R-CONS-4).
	RemovedConsentWithdrawn RemovalReason = "consent_withdrawn"
	// RemovedAgedOut is for a children's register, from the 18th birthday.
	RemovedAgedOut   RemovalReason = "aged_out"
	RemovedMovedArea RemovalReason = "moved_area"
	RemovedDied      RemovalReason = "died"
)

// RemovalReasons lists the reasons of R-REM-1.
var RemovalReasons = []RemovalReason{RemovedNoLongerAtRisk, RemovedConsentWithdrawn, RemovedAgedOut, RemovedMovedArea, RemovedDied}

// Removal records a person leaving the register.
type Removal struct {
	Reason RemovalReason `json:"reason"`
	Date   calendar.Date `json:"date"`
	// Evidence is the reference of the written recommendation (required for
	// no_longer_at_risk) or other record of the reason.
	Evidence string `json:"evidence,omitempty"`
}

// Remove takes a person off the register today for one of the reasons of
// R-REM-1. no_longer_at_risk needs evidence: the reference of the written
// recommendation from the care coordinator or social worker; aged_out needs
// the person to have reached 18; consent_withdrawn erases the person's
// records as a withdrawal does (R-CONS-4). A removed person stays readable
// (Case, History) but leaves the worklist and takes no more writes.
func (r *Register) Remove(ctx context.Context, id string, reason RemovalReason, by Actor, evidence string, opts ...WriteOption) error {
	if err := checkIDs(by, "id", id); err != nil {
		return err
	}
	if err := by.validate(); err != nil {
		return fmt.Errorf("dsr: removing a person: %w", err)
	}
	if !slices.Contains(RemovalReasons, reason) {
		return fmt.Errorf("dsr: removing a person: %w", invalid("reason", "R-REM-1", "unknown reason %q (want one of no_longer_at_risk, consent_withdrawn, aged_out, moved_area, died)", reason))
	}
	if reason == RemovedNoLongerAtRisk && strings.TrimSpace(evidence) == "" {
		return fmt.Errorf("dsr: removing a person: %w", invalid("evidence", "R-REM-1", "no longer at risk needs the reference of the written recommendation from the care coordinator or social worker"))
	}
	st, err := r.writable(ctx, id, opts)
	if err != nil {
		return err
	}
	w, err := r.whenOf(opts, st.lastDay())
	if err != nil {
		return fmt.Errorf("dsr: removing a person: %w", err)
	}
	today := w.day
	rm := Removal{Reason: reason, Date: today, Evidence: evidence}
	switch reason {
	case RemovedConsentWithdrawn:
		return r.erase(ctx, st, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: today}, rm, by)
	case RemovedAgedOut:
		if age := st.details.Person.AgeOn(today); age < 18 {
			return fmt.Errorf("dsr: removing a person: %w", invalid("reason", "R-REM-1", "aged out needs the 18th birthday; the person is %d", age))
		}
		act, err := r.adultReferralAsked(ctx, st, today)
		if err != nil {
			return err
		}
		if act != nil {
			return fmt.Errorf("dsr: removing a person: %w", invalid("reason", "R-REM-1",
				"aged out while the referral to the adult register (due %s) is not recorded as made: record it first (adult_referral_made); someone no longer at risk is removed as no_longer_at_risk", act.DueDate()))
		}
	}
	return r.append(ctx, st.stream, st.version, st.key(), by, false, draft{RecordPersonRemoved, payload{Removal: &rm, Occurred: w.at}})
}

// Referral is a request to join the register (R-REQ-1). It holds no
// identifiable data: the person's details are added, with their consent,
// only once the request is accepted.
type Referral struct {
	// ID identifies the request (required).
	ID string `json:"id"`
	// PersonID is the local id of the person, if the host has one.
	PersonID string `json:"person_id,omitempty"`
	// Source is who asked: self, family or professional (required).
	Source string `json:"source"`
	// Received is the date the request came in (required, not after
	// today).
	Received calendar.Date `json:"received"`
	// Summary says what is asked, without identifiable data.
	Summary string `json:"summary,omitempty"`
}

// Outcome is the decision on a request to join: accept or decline.
type Outcome string

// The outcomes of R-REQ-1.
const (
	Accept  Outcome = "accept"
	Decline Outcome = "decline"
)

// Decision is the decision on a request to join (R-REQ-1).
type Decision struct {
	Outcome   Outcome       `json:"outcome"`
	Date      calendar.Date `json:"date"`
	Reasons   string        `json:"reasons"`
	NextSteps string        `json:"next_steps"`
}

// Refer records a request to join the register. Its decision falls due by
// the area's deadline from Received (WithReferralDeadline) and is on the
// worklist until Decide (R-REQ-1). A request id used before is
// ErrConflict.
func (r *Register) Refer(ctx context.Context, req Referral, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", req.ID); err != nil {
		return err
	}
	if req.PersonID != "" {
		if err := checkIDs(by, "person_id", req.PersonID); err != nil {
			return err
		}
	}
	var errs []error
	if err := by.validate(); err != nil {
		errs = append(errs, err)
	}
	if strings.TrimSpace(req.ID) == "" {
		errs = append(errs, invalid("id", "", "required"))
	}
	if !slices.Contains(dsr.ReferralSources, req.Source) {
		errs = append(errs, invalid("source", "R-REQ-1", "%q is not one of %s", req.Source, strings.Join(dsr.ReferralSources, ", ")))
	}
	switch {
	case req.Received.IsZero():
		errs = append(errs, invalid("received", "", "required"))
	case req.Received.After(r.today()):
		errs = append(errs, invalid("received", "", "%s is in the future", req.Received))
	}
	w, err := r.whenOf(opts, req.Received)
	if err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dsr: referral %q: %w", req.ID, err)
	}
	stream := r.ReferralStream(req.ID)
	key, err := r.newStreamKey(ctx, stream)
	if err != nil {
		return err
	}
	return r.append(ctx, stream, 0, key, by, false, draft{RecordReferralMade, payload{Referral: &req, Occurred: w.at}})
}

// Decide records the decision on a request to join, today: accept or
// decline, with reasons and next steps, both required (R-REQ-1). A request
// already decided is ErrConflict; an unknown one ErrNotFound. Accepting
// does not add the person: Add does that, with their consent.
func (r *Register) Decide(ctx context.Context, referralID string, outcome Outcome, reasons, nextSteps string, by Actor, opts ...WriteOption) error {
	if err := checkIDs(by, "id", referralID); err != nil {
		return err
	}
	var errs []error
	if err := by.validate(); err != nil {
		errs = append(errs, err)
	}
	if outcome != Accept && outcome != Decline {
		errs = append(errs, invalid("outcome", "R-REQ-1", "%q is not accept or decline", outcome))
	}
	if strings.TrimSpace(reasons) == "" {
		errs = append(errs, invalid("reasons", "R-REQ-1", "required: every decision gives its reasons"))
	}
	if strings.TrimSpace(nextSteps) == "" {
		errs = append(errs, invalid("next_steps", "R-REQ-1", "required: every decision gives the next steps"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("dsr: deciding referral %q: %w", referralID, err)
	}
	s, err := r.store.Stream(ctx, r.ReferralStream(referralID))
	if err != nil {
		return fmt.Errorf("dsr: referral %q: %w", referralID, err)
	}
	ref, dec, g, err := r.readReferral(ctx, &s)
	if err != nil {
		return err
	}
	if dec != nil {
		return fmt.Errorf("dsr: referral %q was decided on %s (%s): %w", referralID, dec.Date, dec.Outcome, ErrConflict)
	}
	w, err := r.whenOf(opts, ref.Received)
	if err != nil {
		return fmt.Errorf("dsr: deciding referral %q: %w", referralID, err)
	}
	today := w.day
	if today.Before(ref.Received) {
		return fmt.Errorf("dsr: deciding referral %q: %w", referralID, invalid("date", "", "today %s is before the request was received on %s", today, ref.Received))
	}
	d := Decision{Outcome: outcome, Date: today, Reasons: reasons, NextSteps: nextSteps}
	return r.append(ctx, s.Name, s.Version, streamKey{aead: g}, by, false, draft{RecordReferralDecided, payload{Decision: &d, Occurred: w.at}})
}
