package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// Problem is an error answer: an RFC 9457 problem details object, sent as
// application/problem+json. Errors names each field at fault (its JSON
// path, as dsr.ValidationError does) with the rule it breaks; a version
// conflict carries the person's current version, so the client can read
// again and retry with If-Match.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors are the fields at fault, for a request refused as invalid.
	Errors []FieldError `json:"errors,omitempty"`
	// CurrentVersion is the person's version now, for a version conflict.
	CurrentVersion *int64 `json:"current_version,omitempty"`
	// Reasons say why consent does not hold, for a refusal without it.
	Reasons []dsr.Reason `json:"reasons,omitempty"`
}

// FieldError is one field at fault in a refused request.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
	Rule    string `json:"rule,omitempty"`
}

// Problem types: the "type" of each kind of problem the service answers.
const (
	problemBase      = "urn:dsrkit:problem:"
	ProblemInvalid   = problemBase + "invalid"
	ProblemConflict  = problemBase + "conflict"
	ProblemNotFound  = problemBase + "not-found"
	ProblemErased    = problemBase + "erased"
	ProblemRemoved   = problemBase + "removed"
	ProblemConsent   = problemBase + "consent-required"
	ProblemTooLarge  = problemBase + "too-large"
	ProblemAuth      = problemBase + "unauthenticated"
	ProblemForbidden = problemBase + "forbidden"
	ProblemInternal  = problemBase + "internal"
	ProblemNoRoute   = problemBase + "no-route"
	ProblemBadMethod = problemBase + "method-not-allowed"
	ProblemNotReady  = problemBase + "not-ready"
	ProblemTimeout   = problemBase + "timeout"
)

// writeProblem writes p with its status.
func writeProblem(w http.ResponseWriter, p *Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(p)
}

// problemOf maps an error of the register, the policy engine or the
// request to the problem answered. The error's text is never sent whole
// (it may name people the client did not name): only the fields at fault
// and their problems, which describe what the client sent.
func problemOf(err error) *Problem {
	var mbe *http.MaxBytesError
	var ce *register.ConsentError
	switch {
	case errors.As(err, &mbe):
		return &Problem{Type: ProblemTooLarge, Title: "request body too large", Status: http.StatusRequestEntityTooLarge,
			Detail: fmt.Sprintf("the body is larger than the limit of %d bytes", mbe.Limit)}
	case errors.As(err, &ce):
		return &Problem{Type: ProblemConsent, Title: "consent for inclusion does not hold (R-CONS-1)", Status: http.StatusUnprocessableEntity, Reasons: ce.Reasons}
	case errors.Is(err, register.ErrConflict):
		return &Problem{Type: ProblemConflict, Title: "version conflict: read again and retry", Status: http.StatusConflict}
	case errors.Is(err, register.ErrRemoved):
		return &Problem{Type: ProblemRemoved, Title: "removed from the register", Status: http.StatusConflict}
	case errors.Is(err, register.ErrErased):
		return &Problem{Type: ProblemErased, Title: "erased after consent was withdrawn (R-CONS-4)", Status: http.StatusGone}
	case errors.Is(err, register.ErrNotFound):
		return &Problem{Type: ProblemNotFound, Title: "not found", Status: http.StatusNotFound}
	case errors.Is(err, dsr.ErrInvalid):
		p := &Problem{Type: ProblemInvalid, Title: "invalid request", Status: http.StatusBadRequest}
		for _, e := range leaves(err) {
			var ve *dsr.ValidationError
			if errors.As(e, &ve) {
				p.Errors = append(p.Errors, FieldError{Field: ve.Field, Problem: ve.Problem, Rule: ve.Rule})
			}
		}
		if len(p.Errors) == 1 {
			p.Detail = p.Errors[0].Field + ": " + p.Errors[0].Problem
		}
		return p
	case errors.Is(err, context.DeadlineExceeded):
		return &Problem{Type: ProblemTimeout, Title: "the request took too long", Status: http.StatusServiceUnavailable}
	}
	return &Problem{Type: ProblemInternal, Title: "internal error", Status: http.StatusInternalServerError}
}

// leaves unpacks err into the errors it joins, at any depth, through the
// wrapping that adds context.
func leaves(err error) []error {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		var out []error
		for _, x := range e.Unwrap() {
			out = append(out, leaves(x)...)
		}
		return out
	case *dsr.ValidationError:
		return []error{e}
	case interface{ Unwrap() error }:
		if inner := e.Unwrap(); inner != nil {
			return leaves(inner)
		}
	}
	return []error{err}
}

// invalid is a refused request naming the field.
func invalid(field, format string, args ...any) error {
	return &dsr.ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)}
}
