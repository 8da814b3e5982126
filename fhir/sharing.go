package fhir

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
)

// ErrNoSharingConsent is the refusal to export someone who does not hold
// consent to share on the export's date: a shared care record is
// information sharing, so a person is exported only with a consent_given
// covering the scope sharing, or a best-interests decision for it, that
// holds then (R-CONS-1 on sharing; who may give it R-CONS-2, a parent's
// lapsing at 16 R-CONS-3, its withdrawal R-CONS-4). The error returned
// wraps it with the rule that decided; it names nobody.
var ErrNoSharingConsent = errors.New("fhir: no consent to share information holds on the export's date (R-CONS-1): the export needs a consent_given covering scope sharing, or a best-interests decision for it")

// noSharing is a refusal for want of consent to share: the rule that
// decided and what is missing, in words that name nobody.
type noSharing struct {
	rule, why string
}

func (e *noSharing) Error() string {
	return fmt.Sprintf("%v; %s: %s", ErrNoSharingConsent, e.rule, e.why)
}

func (e *noSharing) Is(target error) bool { return target == ErrNoSharingConsent }

// WithConsentParams sets the area's consent parameters (R-CONS-2,
// R-CONS-3) by which the export judges consent to share: give the same
// the register's consent policy uses (register.WithConsentPolicy). The
// default is consent.National2023, which dsr register fhir uses as its
// register does. Whatever the parameters, nobody is exported without a
// consent_given covering scope sharing that holds on the export's date.
func WithConsentParams(p consent.Params) Option {
	return func(o *options) { o.consent = p }
}

// sharingConsent judges, with consent.Params.Evaluate, whether consent to
// share holds for the case on asOf; when not, it returns the refusal.
func sharingConsent(p consent.Params, c *dsr.Case, asOf calendar.Date) error {
	st := p.Evaluate(consent.SubjectOf(c.Person), consent.FromEvents(c.Events), consent.Sharing, asOf)
	if st.Valid {
		return nil
	}
	// Evaluate's reasons speak of inclusion; the refusal says what is
	// missing for sharing, citing the same rule.
	rule, detail := "R-CONS-1", ""
	if len(st.Reasons) > 0 {
		rule, detail = st.Reasons[0].Rule, st.Reasons[0].Message
	}
	why, ok := sharingWords[rule]
	if !ok {
		rule, why = "R-CONS-1", sharingWords["R-CONS-1"]
	}
	if rule == "R-CONS-2" && detail != "" {
		why += ": " + detail
	}
	return &noSharing{rule: rule, why: why}
}

// sharingWords say, by the rule that decided, why consent to share does
// not hold.
var sharingWords = map[string]string{
	"R-CONS-1": "no consent to share is recorded",
	"R-CONS-2": "the latest consent to share was given by someone who could not give it",
	"R-CONS-3": "a parent's consent to share lapsed at the 16th birthday and the young person has not confirmed it",
	"R-CONS-4": "consent to share was withdrawn",
}

// Summary says what BundleAll exported and whom it left out.
type Summary struct {
	// People is how many people the bundle holds.
	People int
	// LeftOut counts the people the register holds that the bundle leaves
	// out for want of consent to share (ErrNoSharingConsent), by the rule
	// that decided, in the order of the rule ids. It never names anyone.
	LeftOut []LeftOut
}

// LeftOut is how many people were left out of an export for one reason.
type LeftOut struct {
	Rule   string // R-CONS-1 (none recorded), R-CONS-2, R-CONS-3 or R-CONS-4
	Reason string // in plain words
	People int
}

// Omitted is how many people were left out in all.
func (s Summary) Omitted() int {
	n := 0
	for _, l := range s.LeftOut {
		n += l.People
	}
	return n
}

// String is the summary in a line, for a log or the terminal: counts and
// rule ids, never identifiers.
func (s Summary) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d people exported, %d left out without consent to share", s.People, s.Omitted())
	for i, l := range s.LeftOut {
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%d %s (%s)", sep, l.People, l.Reason, l.Rule)
	}
	return b.String()
}

// leave counts a person left out by the refusal err.
func (s *Summary) leave(err *noSharing) {
	for i := range s.LeftOut {
		if s.LeftOut[i].Rule == err.rule {
			s.LeftOut[i].People++
			return
		}
	}
	s.LeftOut = append(s.LeftOut, LeftOut{Rule: err.rule, Reason: sharingWords[err.rule], People: 1})
	slices.SortFunc(s.LeftOut, func(a, b LeftOut) int { return strings.Compare(a.Rule, b.Rule) })
}
