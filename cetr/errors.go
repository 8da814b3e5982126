package cetr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
)

// ErrInvalid is dsr.ErrInvalid: every input error in this package matches it
// with errors.Is, so a host tests one sentinel for the case and the review.
var ErrInvalid = dsr.ErrInvalid

// ErrInvalidPanel marks a panel that breaks R-CETR-PANEL. Every *PanelError
// matches it (and ErrInvalid).
var ErrInvalidPanel = errors.New("cetr: invalid panel")

// ErrMissingRecipient marks a statutory review report that leaves out one of
// the recipients R-CETR-STAT names. Every *RecipientError matches it (and
// ErrInvalid).
var ErrMissingRecipient = errors.New("cetr: report recipient missing")

// Field errors on a review are *dsr.ValidationError values: the field by its
// JSON path ("recommendations[0].due"), the problem, and the rule broken.
func bad(field, rule, format string, args ...any) *dsr.ValidationError {
	return &dsr.ValidationError{Field: field, Rule: rule, Problem: fmt.Sprintf(format, args...)}
}

// PanelError is one problem with a panel (R-CETR-PANEL): which member and
// seat, which field, the rule, and what is wrong. Panel.Validate returns every
// PanelError it finds, joined. It matches ErrInvalidPanel and ErrInvalid with
// errors.Is.
type PanelError struct {
	// Index is the member's index in Panel.Members, or -1 when the problem
	// is with the panel as a whole (a seat nobody fills).
	Index int
	// Member is the member's name; empty for a seat nobody fills.
	Member string
	// Role is the seat concerned.
	Role Role
	// Field is the JSON path: "members[2].training_expires", or "members"
	// for the panel as a whole. Within a Review the path starts "panel".
	Field   string
	Rule    string
	Problem string
}

func (e *PanelError) Error() string {
	var b strings.Builder
	b.WriteString("panel: ")
	b.WriteString(e.Field)
	switch {
	case e.Member != "":
		fmt.Fprintf(&b, " (%s, %s)", e.Member, e.Role)
	case e.Role != "":
		fmt.Fprintf(&b, " (%s)", e.Role)
	}
	b.WriteString(": ")
	b.WriteString(e.Problem)
	if e.Rule != "" {
		fmt.Fprintf(&b, " (%s)", e.Rule)
	}
	return b.String()
}

// Is makes a PanelError match ErrInvalidPanel and ErrInvalid.
func (e *PanelError) Is(target error) bool { return target == ErrInvalidPanel || target == ErrInvalid }

// RecipientError is a statutory report recipient left out (R-CETR-STAT). It
// matches ErrMissingRecipient and ErrInvalid with errors.Is.
type RecipientError struct {
	Role  RecipientRole
	Field string // "report.recipients"
	Rule  string
}

func (e *RecipientError) Error() string {
	return fmt.Sprintf("%s: the report of a statutory review goes to the %s, and none is named (%s)",
		e.Field, e.Role.Title(), e.Rule)
}

// Is makes a RecipientError match ErrMissingRecipient and ErrInvalid.
func (e *RecipientError) Is(target error) bool {
	return target == ErrMissingRecipient || target == ErrInvalid
}

// Warning is something a person should look at that does not make the record
// invalid: an advisory rule not met, such as a CETR panel without an
// education or children's social care professional where the area only
// advises one, or papers that reached the panel late.
type Warning struct {
	Rule    string `json:"rule"`
	Field   string `json:"field,omitempty"`
	Member  string `json:"member,omitempty"`
	Problem string `json:"problem"`
}

// String returns "field: problem (rule)".
func (w Warning) String() string {
	var b strings.Builder
	if w.Field != "" {
		b.WriteString(w.Field)
		b.WriteString(": ")
	}
	b.WriteString(w.Problem)
	if w.Rule != "" {
		fmt.Fprintf(&b, " (%s)", w.Rule)
	}
	return b.String()
}
