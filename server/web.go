package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/web"
)

// The service's pages (package web) are mounted beside the API: the same
// tokens and OpenID Connect sign people in, the same roles decide what
// they see, and the forms make reviews and Blue Light meetings with the
// same helpers as the API (webDocuments).

// newSite builds the pages over the service's register.
func (s *Server) newSite() (*web.Site, error) {
	return web.New(web.Config{
		Register:     s.cfg.Register,
		Engine:       s.cfg.Engine,
		Authenticate: s.authenticateToken,
		Documents:    webDocuments{s},
		Now:          s.cfg.Now,
		Logger:       s.log,
		Frontend:     s.cfg.Frontend,
	})
}

// Site returns the service's pages, for a host to add pages of its own
// (Site.Handle) before it serves.
func (s *Server) Site() *web.Site { return s.site }

// authenticateToken says who a token names, for the login form: an API
// token, or else an OpenID Connect JWT.
func (s *Server) authenticateToken(ctx context.Context, token string) (register.Actor, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
	if err != nil {
		return register.Actor{}, err
	}
	r.Header.Set("Authorization", "Bearer "+token)
	by, p := s.authenticate(r)
	if p != nil {
		return register.Actor{}, fmt.Errorf("server: %s: %w", p.Title, ErrBadToken)
	}
	return by, nil
}

// mountSite serves the pages' paths through the site, with the request
// log, metrics and timeout of the API's routes.
func (s *Server) mountSite() {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if s.cfg.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("page panicked")
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			d := time.Since(start)
			s.metrics.observe("web", sw.status, d)
			s.log.Info("request", "route", "web "+r.Method, "status", sw.status, "duration_ms", float64(d.Microseconds())/1000)
		}()
		base := r.Context()
		if r.Method == http.MethodPost {
			// A write runs to its end even if the browser goes.
			base = context.WithoutCancel(base)
		}
		ctx, cancel := context.WithTimeout(base, s.cfg.RequestTimeout)
		defer cancel()
		s.site.ServeHTTP(sw, r.WithContext(ctx))
		if r.Method == http.MethodPost && sw.status == http.StatusSeeOther {
			s.relay(ctx) // a form that wrote: its events go out as the API's do
		}
	})
	for _, p := range s.site.Paths() {
		s.mux.Handle(p, h)
	}
}

// webDocuments makes the forms' reviews and meetings with the API's
// helpers, and saves them.
type webDocuments struct{ s *Server }

func (d webDocuments) PlanReview(ctx context.Context, in web.ReviewPlan, by register.Actor) error {
	reg := d.s.cfg.Register
	if _, err := reg.FindReview(ctx, in.ID); err == nil {
		return fmt.Errorf("review %q is already recorded: %w", in.ID, register.ErrConflict)
	} else if !errors.Is(err, register.ErrNotFound) {
		return err
	}
	prm, err := policies.CETRParams(ctx, d.s.cfg.Engine)
	if err != nil {
		return err
	}
	rev, err := PlanReview(ctx, reg, prm, &ReviewPlan{ID: in.ID, PersonID: in.PersonID, Kind: string(in.Kind), Planned: in.Planned,
		Commissioner: in.Commissioner}, by)
	if err != nil {
		return err
	}
	return reg.SaveReview(ctx, rev, by)
}

func (d webDocuments) HoldReview(ctx context.Context, id string, in web.ReviewHold, by register.Actor) error {
	reg := d.s.cfg.Register
	rev, err := reg.FindReview(ctx, id)
	if err != nil {
		return err
	}
	if err := HoldReview(rev, &ReviewHold{Held: in.Held, Outcome: string(in.Outcome), Note: in.Note, Panel: in.Panel, Findings: in.Findings}); err != nil {
		return err
	}
	return reg.SaveReview(ctx, rev, by)
}

func (d webDocuments) OpenMeeting(ctx context.Context, in web.MeetingOpening, by register.Actor) error {
	reg := d.s.cfg.Register
	rules := policies.BlueLightRules(d.s.cfg.Engine)
	m, err := OpenMeeting(ctx, reg, rules, &MeetingOpening{Opening: bluelight.Opening{
		ID: in.ID, PersonID: in.PersonID, PersonInvited: in.PersonInvited, InvitationsSent: in.InvitationsSent, CallAt: in.CallAt,
		Criteria: bluelight.CriteriaInput{UnexpectedCrisis: in.UnexpectedCrisis, CrisisPlanBreakdown: in.CrisisPlanBreakdown,
			CannotSupportAtHome: in.CannotSupportAtHome, NoTimeForCETR: in.NoTimeForCETR, KnownToServices: in.KnownToServices},
	}}, by)
	if err != nil {
		return err
	}
	return reg.SaveMeeting(ctx, m, by, nil)
}

func (d webDocuments) CloseMeeting(ctx context.Context, id string, in web.MeetingClose, by register.Actor) error {
	reg := d.s.cfg.Register
	m, err := reg.FindMeeting(ctx, id, policies.BlueLightRules(d.s.cfg.Engine))
	if err != nil {
		return err
	}
	var steps []bluelight.StepNote
	for _, st := range bluelight.Steps {
		if n, ok := in.Steps[st.String()]; ok && !m.Completed(st) {
			steps = append(steps, bluelight.StepNote{Step: st, Notes: n})
		}
	}
	if err := CompleteSteps(m, steps); err != nil {
		return err
	}
	if err := m.Close(in.ClosedAt, bluelight.Outcome{SustainablePlacement: in.SustainablePlacement, Notes: in.Notes}); err != nil {
		return err
	}
	return reg.SaveMeeting(ctx, m, by, nil)
}
