package server

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/schema"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/web"
)

// Config is what a Server serves.
type Config struct {
	// Register is the register served; Engine its policy bundle, also
	// the default bundle of POST /v1/assess. Both are required.
	Register *register.Register
	Engine   *policies.Engine
	// Bundle names the register's bundle (for /v1/assess without
	// ?policy= and the metrics).
	Bundle string
	// Tokens are the API tokens; OIDC, when set, verifies bearer JWTs
	// too. At least one is required.
	Tokens *TokenFile
	OIDC   *OIDC
	// Outbox, when set, receives the domain events of writes.
	Outbox *Outbox
	// Logger writes one line per request: method, route pattern, status,
	// duration and role, never a path, query or body (they hold ids).
	// Default: discard.
	Logger *slog.Logger
	// Ready, when set, is asked by /readyz (the store answers, say).
	Ready func(context.Context) error
	// Now is the clock of "today" (default time.Now).
	Now func() time.Time
	// Area names the area in the board report's title (optional).
	Area string
	// RequestTimeout bounds one request's work (default 30s).
	RequestTimeout time.Duration
	// Frontend, when set, is a folder holding nhsuk-frontend (its npm
	// package, or a node_modules with it): the pages link its stylesheet
	// before their own. Without it, or when it is not there, the pages use
	// their own stylesheet alone.
	Frontend string
	// TLS, when set, makes Serve speak HTTPS only (with HTTP/2), with at
	// least TLS 1.2, and every answer carries Strict-Transport-Security.
	// Its certificates are the caller's (see LoadTLS).
	TLS *tls.Config
}

// LoadTLS reads a PEM certificate chain and its private key for
// Config.TLS, and sets TLS 1.2 as the least version.
func LoadTLS(certFile, keyFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("server: TLS certificate: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// Server is the HTTP/JSON service over a register. Handler serves it;
// Serve runs it on a listener with timeouts and graceful shutdown.
type Server struct {
	cfg     Config
	log     *slog.Logger
	mux     *http.ServeMux
	metrics *metrics
	routes  []*route
	// openapi is the OpenAPI document, built once.
	openapi []byte
	// engines caches the embedded bundles /v1/assess?policy= loads.
	engines sync.Map // name → *engineOnce
	// boards keeps the last board report the pages built.
	boards   boardCache
	shutting atomic.Bool
	// site is the pages (package web), mounted beside the API.
	site *web.Site
}

type engineOnce struct {
	once sync.Once
	e    *policies.Engine
	err  error
}

// New checks cfg and builds the service.
func New(cfg Config) (*Server, error) {
	if cfg.Register == nil || cfg.Engine == nil {
		return nil, errors.New("server: a register and its policy engine are required")
	}
	if cfg.Tokens == nil && cfg.OIDC == nil {
		return nil, errors.New("server: no way to authenticate: give API tokens, OpenID Connect or both")
	}
	if cfg.Bundle == "" {
		cfg.Bundle = cfg.Engine.Policy().Name
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	s := &Server{cfg: cfg, log: cfg.Logger, mux: http.NewServeMux(), metrics: newMetrics()}
	s.routes = s.table()
	for _, rt := range s.routes {
		s.mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	site, err := s.newSite()
	if err != nil {
		return nil, err
	}
	s.site = site
	s.reportPages()
	s.mountSite()
	s.mux.HandleFunc("/", s.noRoute)
	doc, err := s.buildOpenAPI()
	if err != nil {
		return nil, err
	}
	s.openapi = doc
	if cfg.Outbox != nil {
		cfg.Outbox.metrics = s.metrics
		if err := cfg.Outbox.Follow(context.Background(), cfg.Register); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// noRoute answers a request no route takes: 405 with Allow when the path
// is a route's under another method, else 404: a problem under /v1/, the
// pages' HTML elsewhere.
func (s *Server) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "/" && pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeProblem(w, &Problem{Type: ProblemBadMethod, Title: "method not allowed", Status: http.StatusMethodNotAllowed,
			Detail: "this route takes " + strings.Join(allow, ", ")})
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/v1/") && r.URL.Path != "/v1" {
		// Not the API's: the pages' own "not found", in HTML.
		if s.cfg.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		s.site.ServeHTTP(w, r)
		return
	}
	writeProblem(w, &Problem{Type: ProblemNoRoute, Title: "no such route", Status: http.StatusNotFound})
}

// personError is an error of a write to a person's record made through
// another record (a review, a meeting): a conflict reports their version.
type personError struct {
	id  string
	err error
}

func (e *personError) Error() string { return e.err.Error() }
func (e *personError) Unwrap() error { return e.err }

// Handler returns the service's handler.
func (s *Server) Handler() http.Handler { return s.mux }

// Timeouts of Serve's http.Server.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 60 * time.Second
	WriteTimeout      = 90 * time.Second
	IdleTimeout       = 120 * time.Second
	// ShutdownTimeout bounds how long Serve waits for requests in flight
	// once ctx is done.
	ShutdownTimeout = 30 * time.Second
)

// Serve serves on ln until ctx is done, then shuts down gracefully: /readyz
// answers 503 at once, the listener closes, and the requests in flight
// (writes among them) run to their end, up to ShutdownTimeout. Their
// contexts are not cancelled by ctx: a write that has begun finishes.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	if s.cfg.TLS != nil {
		tc := s.cfg.TLS.Clone()
		if tc.MinVersion < tls.VersionTLS12 {
			tc.MinVersion = tls.VersionTLS12
		}
		hs.TLSConfig = tc
		go func() { errc <- hs.ServeTLS(ln, "", "") }()
	} else {
		go func() { errc <- hs.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.shutting.Store(true)
	s.log.Info("shutting down: finishing the requests in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ShutdownTimeout)
	defer cancel()
	// Shutdown waits for every handler running to return.
	err := hs.Shutdown(sctx)
	if err != nil {
		return fmt.Errorf("server: shutting down: %w", err)
	}
	s.log.Info("shut down")
	return nil
}

// handlerFunc serves one route for the actor by (the zero Actor on a
// public route). It returns the status and the body to send as JSON, or an
// error to send as a problem.
type handlerFunc func(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error)

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// wrap adds to a route's handler what every route has: authentication
// and the role check, the request timeout, problem answers, metrics and
// the request log.
func (s *Server) wrap(rt *route) http.Handler {
	label := rt.method + " " + rt.path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if s.cfg.TLS != nil {
			w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		}
		sw := &statusWriter{ResponseWriter: w}
		by, role := register.Actor{}, "-"
		defer func() {
			// A panic's value may name people: it is answered 500 and
			// logged by route only.
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panicked", "route", label)
				if sw.status == 0 {
					writeProblem(sw, &Problem{Type: ProblemInternal, Title: "internal error", Status: http.StatusInternalServerError})
				}
			}
			d := time.Since(start)
			s.metrics.observe(label, sw.status, d)
			s.log.Info("request", "route", label, "status", sw.status, "duration_ms", float64(d.Microseconds())/1000, "role", role)
		}()
		if rt.roles != nil {
			var p *Problem
			if by, p = s.authenticate(r); p != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dsr"`)
				writeProblem(sw, p)
				return
			}
			role = by.Role
			if !slices.Contains(rt.roles, by.Role) {
				writeProblem(sw, &Problem{Type: ProblemForbidden, Title: "forbidden", Status: http.StatusForbidden,
					Detail: fmt.Sprintf("the role %s may not %s; it takes %s", by.Role, rt.summary, strings.Join(rt.roles, " or "))})
				return
			}
		}
		if rt.write {
			if s.shutting.Load() {
				writeProblem(sw, &Problem{Type: ProblemNotReady, Title: "shutting down", Status: http.StatusServiceUnavailable})
				return
			}
		}
		// A write runs to its end even if the client goes: it may be more
		// than one append (an NHS number's claim, then the person).
		base := r.Context()
		if rt.write {
			base = context.WithoutCancel(base)
		}
		ctx, cancel := context.WithTimeout(base, s.cfg.RequestTimeout)
		defer cancel()
		r = r.WithContext(ctx)
		status, body, err := rt.handle(sw, r, by)
		if errors.Is(err, errHandled) {
			return
		}
		if err != nil {
			p := problemOf(err)
			if p.Status == http.StatusConflict && p.Type == ProblemConflict {
				s.metrics.conflicts.WithLabelValues(label).Inc()
				id := ""
				if rt.person {
					id = r.PathValue("id")
				}
				var pe *personError
				if errors.As(err, &pe) {
					id = pe.id
				}
				if id != "" {
					if v, verr := s.cfg.Register.Version(context.WithoutCancel(ctx), id); verr == nil {
						p.CurrentVersion = &v
						sw.Header().Set("ETag", etag(v))
					}
				}
			}
			if p.Status >= 500 {
				// The error's text may name people: only its kind is logged.
				s.log.Error("request failed", "route", label, "error_type", fmt.Sprintf("%T", errors.Unwrap(err)))
			}
			writeProblem(sw, p)
			return
		}
		if rt.write {
			s.relay(ctx)
		}
		if raw, ok := body.(rawJSON); ok {
			sw.Header().Set("Content-Type", raw.contentType)
			sw.WriteHeader(status)
			sw.Write(raw.b)
			return
		}
		writeJSON(sw, status, body)
	})
}

// errHandled says a handler wrote its answer itself.
var errHandled = errors.New("server: answered")

// decodeCase checks raw case JSON against the case schema (the schema of
// dsr schema case), then decodes it with the domain checks.
func decodeCase(raw []byte) (dsr.Case, error) {
	if err := schema.ValidateCase(raw); err != nil {
		return dsr.Case{}, err
	}
	return dsr.UnmarshalCase(raw)
}

// isTampered says whether Verify found the log changed.
func isTampered(err error) bool { return errors.Is(err, register.ErrTampered) }

// rawJSON is a body sent as it is.
type rawJSON struct {
	contentType string
	b           []byte
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// authenticate finds who the request's bearer token names: an API token
// (dsr_…), or else an OpenID Connect JWT.
func (s *Server) authenticate(r *http.Request) (register.Actor, *Problem) {
	unauth := func(detail string) (register.Actor, *Problem) {
		return register.Actor{}, &Problem{Type: ProblemAuth, Title: "unauthenticated", Status: http.StatusUnauthorized, Detail: detail}
	}
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return unauth("an Authorization: Bearer token is required")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return unauth("want Authorization: Bearer TOKEN")
	}
	if strings.HasPrefix(token, "dsr_") {
		if s.cfg.Tokens == nil {
			return unauth("API tokens are not accepted here")
		}
		by, err := s.cfg.Tokens.Lookup(token)
		if err != nil {
			if errors.Is(err, ErrBadToken) {
				return unauth("unknown token")
			}
			s.log.Error("reading the token file failed")
			return register.Actor{}, &Problem{Type: ProblemInternal, Title: "internal error", Status: http.StatusInternalServerError}
		}
		return by, nil
	}
	if s.cfg.OIDC == nil {
		return unauth("unknown token")
	}
	by, err := s.cfg.OIDC.Verify(r.Context(), token)
	if err != nil {
		if errors.Is(err, ErrBadJWT) {
			return unauth("the token does not verify: " + strings.TrimPrefix(err.Error(), ErrBadJWT.Error()+": "))
		}
		s.log.Error("fetching the issuer's keys failed")
		return register.Actor{}, &Problem{Type: ProblemNotReady, Title: "the identity provider's keys cannot be fetched", Status: http.StatusServiceUnavailable}
	}
	return by, nil
}

// decode reads the request body into v strictly (dsr.DecodeStrict): JSON
// only, at most dsr.MaxInputBytes.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if err := checkJSONType(r); err != nil {
		return err
	}
	return dsr.DecodeStrict(http.MaxBytesReader(w, r.Body, dsr.MaxInputBytes), dsr.MaxInputBytes, v)
}

// readBody reads the request body whole, within dsr.MaxInputBytes.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if err := checkJSONType(r); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, dsr.MaxInputBytes))
	if err != nil {
		return nil, fmt.Errorf("reading the body: %w", err)
	}
	return b, nil
}

func checkJSONType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return &dsr.ValidationError{Field: "Content-Type", Problem: fmt.Sprintf("%q: want application/json", ct)}
	}
	return nil
}

// ifMatch reads If-Match: the version a write expects ("3" or 3), as a
// write option; none when the header is absent.
func ifMatch(r *http.Request) ([]register.WriteOption, error) {
	h := r.Header.Get("If-Match")
	if h == "" {
		return nil, nil
	}
	v, err := strconv.ParseInt(strings.Trim(strings.TrimPrefix(h, "W/"), `"`), 10, 64)
	if err != nil || v < 0 {
		return nil, invalid("If-Match", "%q is not a version: want the ETag of the person's last read or write (\"3\")", h)
	}
	return []register.WriteOption{register.IfVersion(v)}, nil
}

func etag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// today is the civil date in London now.
func (s *Server) today() calendar.Date { return calendar.DateOf(s.cfg.Now()) }

// pseudonym is the pseudonymous id of person id: their stream's pseudonym
// (an HMAC of the id under the register's pseudonym key), stable for the
// register and meaningless outside it.
func (s *Server) pseudonym(id string) string {
	return strings.TrimPrefix(s.cfg.Register.PersonStream(id), "person/")
}

// engine returns the bundle /v1/assess uses: the register's, or the
// embedded one ?policy= names, loaded once.
func (s *Server) engine(ctx context.Context, name string) (*policies.Engine, string, error) {
	if name == "" || name == s.cfg.Bundle {
		return s.cfg.Engine, s.cfg.Bundle, nil
	}
	if !slices.Contains(policies.BundleNames(), name) {
		return nil, "", invalid("policy", "%q is not an embedded bundle: want one of %s", name, strings.Join(policies.BundleNames(), ", "))
	}
	v, _ := s.engines.LoadOrStore(name, &engineOnce{})
	eo := v.(*engineOnce)
	eo.once.Do(func() {
		fsys, err := policies.Bundle(name)
		if err == nil {
			eo.e, err = policies.Load(context.WithoutCancel(ctx), fsys)
		}
		eo.err = err
	})
	return eo.e, name, eo.err
}
