package server

import (
	"errors"
	"net/http"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies/policycheck"
	"github.com/dsrkit/dsrkit/policies/policydiff"
	"github.com/dsrkit/dsrkit/register"
)

// DiffRequest is POST /v1/policies/diff: assess the same cases under two
// embedded bundles and report who changes. Source "register" takes every
// person held on the register today (each read audited, "policy diff"),
// named in the report by pseudonym only; "generated" (the default) takes
// Generate synthetic cases (default 1000, at most 100000) from Seed.
type DiffRequest struct {
	Old      string `json:"old" jsonschema:"required"`
	New      string `json:"new" jsonschema:"required"`
	Source   string `json:"source,omitempty" jsonschema:"enum=generated,enum=register"`
	Generate int    `json:"generate,omitempty"`
	Seed     uint64 `json:"seed,omitempty"`
}

const maxDiffCases = 100_000

func (s *Server) diff(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	var req DiffRequest
	if err := decode(w, r, &req); err != nil {
		return 0, nil, err
	}
	var errs []error
	old, _, err := s.engine(r.Context(), req.Old)
	if err != nil {
		errs = append(errs, relabel(err, "old"))
	}
	nu, _, err := s.engine(r.Context(), req.New)
	if err != nil {
		errs = append(errs, relabel(err, "new"))
	}
	if req.Generate < 0 || req.Generate > maxDiffCases {
		errs = append(errs, invalid("generate", "%d: want 1 to %d", req.Generate, maxDiffCases))
	}
	if req.Source != "" && req.Source != "generated" && req.Source != "register" {
		errs = append(errs, invalid("source", "%q: want generated or register", req.Source))
	}
	if err := errors.Join(errs...); err != nil {
		return 0, nil, err
	}
	var src policydiff.Source
	if req.Source == "register" {
		cases, err := s.registerCases(r, by)
		if err != nil {
			return 0, nil, err
		}
		src = cases
	} else {
		n := req.Generate
		if n == 0 {
			n = 1000
		}
		src = policydiff.Generated{Gen: policycheck.NewGenerator(policycheck.DefaultMix, req.Seed), N: n}
	}
	rep, err := policydiff.Run(r.Context(), old, nu, src, policydiff.Options{})
	if err != nil {
		return 0, nil, err
	}
	if req.Source == "register" {
		// An error's text may name the person: only the count is sent.
		rep.Errors = []policydiff.CaseError{}
	}
	return 200, rep, nil
}

// relabel renames the field of a "policy" problem.
func relabel(err error, field string) error {
	var ve *dsr.ValidationError
	if errors.As(err, &ve) {
		return &dsr.ValidationError{Field: field, Problem: ve.Problem, Rule: ve.Rule}
	}
	return err
}

// registerCases are the cases of everyone held on the register today, each
// read audited, with the person's id replaced by their pseudonym.
func (s *Server) registerCases(r *http.Request, by register.Actor) (policydiff.Cases, error) {
	var out policydiff.Cases
	ids, err := s.cfg.Register.People(r.Context())
	if err != nil {
		return out, err
	}
	today := s.today()
	for _, id := range ids {
		c, err := s.cfg.Register.Case(r.Context(), id, today, by, register.Because("policy diff"))
		if errors.Is(err, register.ErrErased) {
			continue
		}
		if err != nil {
			return out, err
		}
		p := s.pseudonym(id)
		c.Person.ID = p
		c.Person.NHSNumber = ""
		out.List = append(out.List, c)
		out.Labels = append(out.Labels, "register:"+p)
	}
	return out, nil
}
