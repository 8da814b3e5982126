// Package web is the register's pages for the people who run it: a
// worklist, a page for each person with the forms of the daily writes, and
// the rule reference, rendered on the server with html/template (no
// front-end build, no script). The service (package server) mounts the
// pages beside its API, so they share its API tokens, OpenID Connect and
// roles: a member of staff signs in with a token once and then holds a
// server-side session.
//
// What it guards:
//
//   - Sessions are 32 random bytes in a cookie (HttpOnly, SameSite=Strict,
//     Secure and __Host- prefixed over TLS), with an idle timeout and an
//     absolute lifetime, ended by logging out.
//   - Every form carries the session's synchronizer token, checked on every
//     POST, and a POST must come from the site itself (Sec-Fetch-Site,
//     else Origin, else Referer).
//   - Every answer has a strict Content-Security-Policy (no inline script
//     or style), frame-ancestors 'none', Referrer-Policy no-referrer,
//     X-Content-Type-Options nosniff, and every page Cache-Control no-store.
//   - Roles are the API's: a viewer sees the worklist by pseudonym only;
//     people's pages and forms are for coordinators, and every identifiable
//     read goes through the register's audited reads with the member of
//     staff as the Actor.
//   - A refused write changes nothing: the register checks before it
//     appends, and the form is shown again with the message beside the
//     field it names. A write that succeeds redirects (POST-redirect-GET).
package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

//go:embed templates/*.html static/*
var files embed.FS

// Config is what a Site serves.
type Config struct {
	// Register is the register shown; Engine its policy bundle. Both are
	// required.
	Register *register.Register
	Engine   *policies.Engine
	// Authenticate says who an API token (or an OpenID Connect JWT) names;
	// an unknown token is an error. Required: the server gives its own.
	Authenticate func(ctx context.Context, token string) (register.Actor, error)
	// Documents makes the review and Blue Light meeting records of the
	// forms (the server's helpers). Without it those forms are not shown.
	Documents Documents
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger gets a line for each failure, by route only (default:
	// discard).
	Logger *slog.Logger
	// IdleTimeout ends a session unused this long (default 30 minutes);
	// SessionLifetime ends any session this long after login (default 12
	// hours).
	IdleTimeout, SessionLifetime time.Duration
	// Frontend, when set, is a directory holding nhsuk-frontend's
	// stylesheet (the npm package's folder, or node_modules): the pages
	// link it before their own. Missing, the pages use their own
	// stylesheet alone.
	Frontend string
	// PageSize is how many worklist rows a page shows (default 50).
	PageSize int
}

// Documents writes the review and Blue Light meeting records the forms
// make, with the same functions as the API (the server implements it with
// PlanReview, HoldReview, OpenMeeting and CompleteSteps). Each returns
// the register's error unchanged: a *dsr.ValidationError names the field.
type Documents interface {
	PlanReview(ctx context.Context, in ReviewPlan, by register.Actor) error
	HoldReview(ctx context.Context, id string, in ReviewHold, by register.Actor) error
	OpenMeeting(ctx context.Context, in MeetingOpening, by register.Actor) error
	CloseMeeting(ctx context.Context, id string, in MeetingClose, by register.Actor) error
}

// ReviewPlan is the review planning form: a new review of a person.
type ReviewPlan struct {
	ID, PersonID string
	Kind         cetr.Kind
	Planned      calendar.Date
	Commissioner string
}

// ReviewHold is the form of a review held: the panel that sat, the
// finding under each key line of enquiry (by its word), the day, the
// outcome and a note.
type ReviewHold struct {
	Panel    []cetr.Member
	Findings map[string]string
	Held     calendar.Date
	Outcome  cetr.Outcome
	Note     string
}

// MeetingOpening is the form calling a Blue Light meeting for a person.
type MeetingOpening struct {
	ID, PersonID                   string
	InvitationsSent, CallAt        time.Time
	PersonInvited                  bool
	UnexpectedCrisis               bool
	CrisisPlanBreakdown            bool
	CannotSupportAtHome            bool
	NoTimeForCETR, KnownToServices bool
}

// MeetingClose is the form closing a meeting: notes for each step not yet
// completed (by the step's word), in order, then the close.
type MeetingClose struct {
	Steps                map[string]string
	ClosedAt             time.Time
	SustainablePlacement bool
	Notes                string
}

// Site is the pages. It is an http.Handler.
type Site struct {
	cfg      Config
	log      *slog.Logger
	mux      *http.ServeMux
	tmpl     *template.Template
	sessions *sessions
	css      []byte
	cssPath  string
	// frontend is nhsuk-frontend's stylesheet, when found.
	frontend     []byte
	frontendPath string
	rules        template.HTML
	dueCache     dueCache
	// extraCSS are the paths of the stylesheets AddStylesheet added.
	extraCSS []string
}

type navLink struct{ Path, Label string }

// New checks cfg and builds the pages.
func New(cfg Config) (*Site, error) {
	if cfg.Register == nil || cfg.Engine == nil {
		return nil, errors.New("web: a register and its policy engine are required")
	}
	if cfg.Authenticate == nil {
		return nil, errors.New("web: a way to authenticate tokens is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 50
	}
	s := &Site{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(),
		sessions: newSessions(cfg.Now, cfg.IdleTimeout, cfg.SessionLifetime)}
	t, err := template.New("").Funcs(funcs).ParseFS(files, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parsing the templates: %w", err)
	}
	s.tmpl = t
	if s.css, err = fs.ReadFile(files, "static/style.css"); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.cssPath = "/assets/style-" + shortHash(s.css) + ".css"
	if cfg.Frontend != "" {
		if b, err := readFrontend(cfg.Frontend); err == nil {
			s.frontend = b
			s.frontendPath = "/assets/nhsuk-frontend-" + shortHash(b) + ".css"
		} else {
			s.log.Warn("nhsuk-frontend's stylesheet not found: the pages use their own", "dir", cfg.Frontend)
		}
	}
	if s.rules, err = renderRules(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// FrontendCSS is where nhsuk-frontend's stylesheet is under its npm
// package's folder.
const FrontendCSS = "dist/nhsuk/nhsuk-frontend.min.css"

// readFrontend finds nhsuk-frontend's stylesheet under dir: the package's
// folder, or a node_modules holding it.
func readFrontend(dir string) ([]byte, error) {
	var last error
	for _, p := range []string{filepath.Join(dir, FrontendCSS), filepath.Join(dir, "nhsuk-frontend", FrontendCSS)} {
		b, err := os.ReadFile(p)
		if err == nil {
			return b, nil
		}
		last = err
	}
	return nil, last
}

func shortHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:6])
}

// Paths lists the paths the site serves (patterns of http.ServeMux,
// without a method), for the server to mount.
func (s *Site) Paths() []string {
	return []string{"/{$}", "/login", "/logout", "/worklist", "/people/", "/referrals/", "/reviews/", "/meetings/", "/rules", "/assets/",
		"/meeting-pack", "/board-report"}
}

// ServeHTTP serves the pages.
func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	s.mux.ServeHTTP(w, r)
}

// setSecurityHeaders sets the headers of every answer.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; script-src 'self'; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// Roles of the pages: as the API's.
var (
	worklisters  = []string{register.RoleViewer, register.RoleCoordinator}
	coordinators = []string{register.RoleCoordinator}
	anyone       = register.Roles
)

// PageFunc renders the body of a page for the member of staff by: its
// title and the HTML inside the layout (a fragment, not a document). An
// error is shown as the error page (a *dsr.ValidationError as 400,
// register.ErrNotFound as 404).
type PageFunc func(r *http.Request, by register.Actor) (title string, body template.HTML, err error)

// Handle serves a page of another package inside the site's layout, behind
// its login, for the roles given: pattern is an http.ServeMux pattern such
// as "GET /meeting-pack". Register it before the site serves.
func (s *Site) Handle(pattern string, roles []string, page PageFunc) {
	s.mux.Handle(pattern, s.authed(roles, func(w http.ResponseWriter, r *http.Request, by register.Actor) {
		title, body, err := page(r, by)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.page(w, r, title, body)
	}))
}

// AddStylesheet serves css, another package's stylesheet for the pages it
// puts inside the layout (report.Stylesheet, say), at a hashed path, and
// links it from every page after the site's own. The pages' policy allows
// no inline style, so a fragment's classes are styled this way. Call it
// before the site serves.
func (s *Site) AddStylesheet(css string) {
	b := []byte(css)
	path := "/assets/extra-" + shortHash(b) + ".css"
	if slices.Contains(s.extraCSS, path) {
		return
	}
	s.mux.HandleFunc("GET "+path, s.asset(b))
	s.extraCSS = append(s.extraCSS, path)
}

func (s *Site) routes() {
	m := s.mux
	m.HandleFunc("GET "+s.cssPath, s.asset(s.css))
	if s.frontend != nil {
		m.HandleFunc("GET "+s.frontendPath, s.asset(s.frontend))
	}
	m.HandleFunc("GET /{$}", s.home)
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.logout)
	m.Handle("GET /rules", s.authed(anyone, s.rulesPage))
	m.Handle("GET /worklist", s.authed(worklisters, s.worklist))
	m.Handle("GET /people/{id}", s.authed(coordinators, s.person))
	forms := []struct {
		path string
		h    formHandler
	}{
		{"/people/{id}/events", formHandler{spec: eventForm, facts: s.personFacts, submit: s.recordEvent, defaults: s.todayFor("date")}},
		{"/people/{id}/rating", formHandler{spec: ratingForm, facts: s.personFacts, submit: s.agreeRating}},
		{"/referrals/new", formHandler{spec: referralForm, facts: noFacts, submit: s.refer, defaults: s.todayFor("received")}},
		{"/referrals/{id}/decision", formHandler{spec: decisionForm, facts: s.referralFacts, submit: s.decide}},
	}
	if s.cfg.Documents != nil {
		forms = append(forms, []struct {
			path string
			h    formHandler
		}{
			{"/people/{id}/reviews", formHandler{spec: reviewForm, facts: s.personFacts, submit: s.planReview}},
			{"/people/{id}/meetings", formHandler{spec: meetingForm, facts: s.personFacts, submit: s.openMeeting}},
			{"/reviews/{id}/hold", formHandler{spec: holdForm, facts: s.reviewFacts, submit: s.holdReview, defaults: s.todayFor("held")}},
			{"/meetings/{id}/close", formHandler{spec: closeForm, facts: s.meetingFacts, submit: s.closeMeeting}},
		}...)
	}
	for _, f := range forms {
		h := s.authed(coordinators, s.form(f.h))
		m.Handle("GET "+f.path, h)
		m.Handle("POST "+f.path, h)
	}
	m.HandleFunc("/", s.notFound)
}

func (s *Site) asset(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(b)
	}
}

func (s *Site) home(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.current(r); ok {
		http.Redirect(w, r, "/worklist", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "Page not found", "There is no page at this address.")
}

// layoutData is what the layout shows around a page's body.
type layoutData struct {
	Title, CSS, Frontend string
	ExtraCSS             []string
	Signed               bool
	By                   register.Actor
	CSRF                 string
	Nav                  []navLink
	Current              string
	Body                 template.HTML
}

// page writes a whole page: the layout around body, with the headers of a
// page that may show people (no-store).
func (s *Site) page(w http.ResponseWriter, r *http.Request, title string, body template.HTML) {
	s.pageStatus(w, r, http.StatusOK, title, body)
}

func (s *Site) pageStatus(w http.ResponseWriter, r *http.Request, status int, title string, body template.HTML) {
	d := layoutData{Title: title, CSS: s.cssPath, Frontend: s.frontendPath, ExtraCSS: s.extraCSS, Body: body, Current: r.URL.Path}
	if sess, ok := sessionOf(r.Context()); ok {
		d.Signed, d.By, d.CSRF = true, sess.actor, sess.csrf
		d.Nav = s.nav(sess.actor.Role)
	}
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, "layout", d); err != nil {
		s.log.Error("rendering the layout failed", "page", title)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// nav is the links of the header for role.
func (s *Site) nav(role string) []navLink {
	var out []navLink
	if slices.Contains(worklisters, role) {
		out = append(out, navLink{"/worklist", "Worklist"})
	}
	if role == register.RoleCoordinator {
		out = append(out, navLink{"/referrals/new", "New request to join"})
	}
	out = append(out, navLink{"/meeting-pack", "Meeting pack"}, navLink{"/board-report", "Board report"}, navLink{"/rules", "Rule reference"})
	return out
}

// render executes the named body template into HTML.
func (s *Site) render(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("web: rendering %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil
}

// show renders the named body template inside the layout.
func (s *Site) show(w http.ResponseWriter, r *http.Request, status int, title, name string, data any) {
	body, err := s.render(name, data)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.pageStatus(w, r, status, title, body)
}

type errorData struct{ Heading, Detail string }

func (s *Site) errorPage(w http.ResponseWriter, r *http.Request, status int, heading, detail string) {
	body, err := s.render("error", errorData{heading, detail})
	if err != nil {
		http.Error(w, heading, status)
		return
	}
	s.pageStatus(w, r, status, heading, body)
}

// fail shows an error as a page: the kind of error decides the status; the
// log has the route and the error's type only (its text may name people).
func (s *Site) fail(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, register.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "Not found", "The register holds no such record.")
	case errors.Is(err, register.ErrErased):
		s.errorPage(w, r, http.StatusGone, "Erased", "This person's records were erased: nothing identifiable can be shown.")
	case isInvalid(err):
		s.errorPage(w, r, http.StatusBadRequest, "There is a problem", err.Error())
	default:
		s.log.Error("page failed", "route", r.Pattern, "error_type", fmt.Sprintf("%T", errors.Unwrap(err)))
		s.errorPage(w, r, http.StatusInternalServerError, "Sorry, there is a problem with the service", "Try again later.")
	}
}

// today is the civil date in London now.
func (s *Site) today() calendar.Date { return calendar.DateOf(s.cfg.Now()) }

// pseudonym is the person's pseudonymous id (their stream's), as the API
// gives viewers.
func (s *Site) pseudonym(id string) string {
	return strings.TrimPrefix(s.cfg.Register.PersonStream(id), "person/")
}
