package policies

import (
	"bufio"
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// DecisionLogger receives every assessment an Engine makes (see
// WithDecisionLogger): the case as assessed and the assessment. It is
// called after the assessment, from the goroutine that asked for it, and
// must be safe for concurrent use; it must not keep c or a, which the
// engine may reuse.
type DecisionLogger interface {
	LogDecision(ctx context.Context, c *dsr.Case, a *dsr.Assessment)
}

// WithDecisionLogger makes the engine hand every assessment to l, for a
// decision log that `dsr policy diff --replay` re-decides under another
// bundle (JSONLinesLog writes one).
func WithDecisionLogger(l DecisionLogger) Option {
	return func(c *config) error {
		c.logger = l
		return nil
	}
}

// DecisionRecord is one assessment as a decision log keeps it: when, the
// bundle that decided, a pseudonymous key of the person, the rule input
// without clear identifiers (Deidentify), and the decisions.
type DecisionRecord struct {
	Time     time.Time     `json:"time"`
	Policy   dsr.PolicyRef `json:"policy"`
	Person   string        `json:"person"`
	Input    dsr.Case      `json:"input"`
	Decision Decision      `json:"decision"`
}

// Decision is what an assessment decided, as a decision log keeps it: what
// a person's care follows, and the ids of the rules that fired. The
// reasons' words are left out (they can quote free text, an agreed
// rating's reason); replaying the input gives them again.
type Decision struct {
	Eligible       bool            `json:"eligible"`
	ConsentValid   bool            `json:"consent_valid"`
	OnRegister     bool            `json:"on_register"`
	Rating         dsr.Rating      `json:"rating"`
	AgreedRating   dsr.Rating      `json:"agreed_rating"`
	RatingOfRecord dsr.Rating      `json:"rating_of_record"`
	ReviewType     string          `json:"review_type"`
	Actions        []DecidedAction `json:"actions"`
	Rules          []string        `json:"rules"`
}

// DecidedAction is an action of a Decision.
type DecidedAction struct {
	Kind    dsr.ActionKind `json:"kind"`
	Rule    string         `json:"rule"`
	Due     calendar.Date  `json:"due,omitzero"`
	DueAt   time.Time      `json:"due_at,omitzero"`
	Overdue bool           `json:"overdue"`
}

// DecisionOf is a's Decision: its actions and rule ids sorted.
func DecisionOf(a *dsr.Assessment) Decision {
	d := Decision{Eligible: a.Eligible, ConsentValid: a.Consent.Valid, OnRegister: a.OnRegister, Rating: a.Rating,
		AgreedRating: a.AgreedRating, RatingOfRecord: a.RatingOfRecord, ReviewType: a.ReviewType,
		Actions: make([]DecidedAction, len(a.Actions)), Rules: []string{}}
	for i, act := range a.Actions {
		d.Actions[i] = DecidedAction{Kind: act.Kind, Rule: act.Rule, Due: act.Due, DueAt: act.DueAt.UTC(), Overdue: act.Overdue}
		if act.DueAt.IsZero() {
			d.Actions[i].DueAt = time.Time{}
		}
	}
	slices.SortFunc(d.Actions, func(x, y DecidedAction) int {
		return cmp.Or(strings.Compare(string(x.Kind), string(y.Kind)), strings.Compare(x.Rule, y.Rule), x.Due.Compare(y.Due), x.DueAt.Compare(y.DueAt))
	})
	for _, r := range slices.Concat(a.Consent.Reasons, a.Reasons) {
		d.Rules = append(d.Rules, r.Rule)
	}
	slices.Sort(d.Rules)
	d.Rules = slices.Compact(d.Rules)
	return d
}

// JSONLinesLog is a DecisionLogger writing DecisionRecords to a writer,
// one JSON object a line, safe for concurrent use. Each record's input is
// Deidentify'd, its person keyed by PersonKey.
type JSONLinesLog struct {
	mu    sync.Mutex
	w     io.Writer
	key   func(id string) string
	clock func() time.Time
	err   error
}

// NewJSONLinesLog returns a log writing to w. People are keyed by an HMAC
// of their local id under a random key of this log's own, so keys link the
// records of one log and nothing else; SetPersonKey gives another (the
// register's pseudonyms).
func NewJSONLinesLog(w io.Writer) *JSONLinesLog {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		panic(err) // crypto/rand does not fail on the platforms Go supports
	}
	return &JSONLinesLog{w: w, clock: time.Now, key: func(id string) string {
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(id))
		return hex.EncodeToString(m.Sum(nil)[:16])
	}}
}

// SetPersonKey makes the log key people by key(local id).
func (l *JSONLinesLog) SetPersonKey(key func(id string) string) {
	l.mu.Lock()
	l.key = key
	l.mu.Unlock()
}

// LogDecision writes the record of one assessment. A write that fails is
// remembered (Err) and later records are dropped: a log that cannot be
// written must not stop the register.
func (l *JSONLinesLog) LogDecision(_ context.Context, c *dsr.Case, a *dsr.Assessment) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return
	}
	key := l.key(c.Person.ID)
	rec := DecisionRecord{Time: l.clock().UTC(), Policy: a.Policy, Person: key, Input: Deidentify(*c, key), Decision: DecisionOf(a)}
	b, err := json.Marshal(&rec)
	if err == nil {
		_, err = l.w.Write(append(b, '\n'))
	}
	l.err = err
}

// Err is the first error writing the log, nil if none.
func (l *JSONLinesLog) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

// Deidentify returns c as a decision log keeps it: the person's local id
// replaced by key, no NHS number or postcode, no free text (an event's
// reason; the register entry's names, diagnoses, reasons and mitigations).
// What the rules read stays (the date of birth, the flags, the events'
// dates and kinds, the entry's placement, section 117 and earlier
// admissions), so the case decides as it did.
func Deidentify(c dsr.Case, key string) dsr.Case {
	c.Person.ID, c.Person.NHSNumber, c.Person.Postcode = key, "", ""
	c.Events = slices.Clone(c.Events)
	for i := range c.Events {
		c.Events[i].Reason = ""
	}
	if c.Entry != nil {
		e := *c.Entry
		e.PrimaryDiagnosis, e.SecondaryDiagnosis, e.ResponsibleAuthority, e.CareProvider = "", "", "", ""
		e.CareCoordinator, e.SocialWorker, e.Advocate, e.Team, e.RiskReason = "", "", "", "", ""
		e.Mitigations = nil
		c.Entry = &e
	}
	return c
}

// ReadDecisionLog reads a decision log JSON Lines file, strictly, line by
// line (blank lines skipped). A bad line is a *dsr.ValidationError naming
// it.
func ReadDecisionLog(r io.Reader) ([]DecisionRecord, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), dsr.MaxInputBytes)
	var out []DecisionRecord
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var rec DecisionRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, &dsr.ValidationError{Field: fmt.Sprintf("line %d", n), Problem: "not a decision record: " + err.Error()}
		}
		if err := rec.Input.Validate(); err != nil {
			return nil, fmt.Errorf("line %d: input: %w", n, err)
		}
		out = append(out, rec)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, &dsr.ValidationError{Field: fmt.Sprintf("line %d", len(out)+1), Problem: fmt.Sprintf("longer than %d bytes", dsr.MaxInputBytes)}
		}
		return nil, err
	}
	return out, nil
}
