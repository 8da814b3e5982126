package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/register"
)

// Cookie names: over TLS the __Host- prefix binds the cookie to this host
// and path / with Secure set.
const (
	cookieName    = "dsr_session"
	cookieNameTLS = "__Host-dsr_session"
	// csrfField is the form field of the synchronizer token.
	csrfField = "csrf_token"
)

// session is a signed-in member of staff.
type session struct {
	key     [32]byte // SHA-256 of the cookie's value
	csrf    string
	actor   register.Actor
	created time.Time
	seen    time.Time
	// token is what signed them in, held in memory only, checked again
	// every recheckEvery (checked: when last): a revoked API token or an
	// expired JWT ends the session.
	token   string
	checked time.Time
}

// recheckEvery is how often a session's token is checked again.
const recheckEvery = time.Minute

// sessions are the sessions held in memory, by the hash of their cookie.
type sessions struct {
	mu         sync.Mutex
	m          map[[32]byte]*session
	now        func() time.Time
	idle, life time.Duration
}

func newSessions(now func() time.Time, idle, life time.Duration) *sessions {
	return &sessions{m: map[[32]byte]*session{}, now: now, idle: idle, life: life}
}

// randomToken is 32 random bytes, base64url.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// start opens a session for by, signed in with token, and returns the
// cookie's value.
func (ss *sessions) start(by register.Actor, token string) (string, *session) {
	v := randomToken()
	now := ss.now()
	s := &session{key: sha256.Sum256([]byte(v)), csrf: randomToken(), actor: by, created: now, seen: now, token: token, checked: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	ss.m[s.key] = s
	return v, s
}

// get returns the live session of the cookie's value and marks it used; an
// expired one is ended.
func (ss *sessions) get(v string) (*session, bool) {
	key := sha256.Sum256([]byte(v))
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[key]
	if !ok {
		return nil, false
	}
	if ss.expired(s, now) {
		delete(ss.m, key)
		return nil, false
	}
	s.seen = now
	return s, true
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) >= ss.idle || now.Sub(s.created) >= ss.life
}

// recheck says whether the session's token must be checked again now,
// and marks it checked.
func (ss *sessions) recheck(s *session) bool {
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if now.Sub(s.checked) < recheckEvery {
		return false
	}
	s.checked = now
	return true
}

// end ends the session of the cookie's value.
func (ss *sessions) end(v string) {
	key := sha256.Sum256([]byte(v))
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, key)
}

// sweep drops expired sessions (called with mu held).
func (ss *sessions) sweep(now time.Time) {
	for k, s := range ss.m {
		if ss.expired(s, now) {
			delete(ss.m, k)
		}
	}
}

type sessionKey struct{}

func sessionOf(ctx context.Context) (*session, bool) {
	s, ok := ctx.Value(sessionKey{}).(*session)
	return s, ok
}

// isTLS reports whether the browser reached the service over TLS: the
// connection is TLS, or a TLS-terminating proxy in front says so
// (X-Forwarded-Proto: https; the proxy must set or strip it). It only ever
// makes the checks stricter: a Secure, __Host- cookie and an https origin.
func isTLS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func cookieFor(r *http.Request) string {
	if isTLS(r) {
		return cookieNameTLS
	}
	return cookieName
}

// current is the request's live session, if any. Every recheckEvery the
// token that opened it is checked again: one no longer accepted (revoked,
// expired, or naming another role) ends it.
func (s *Site) current(r *http.Request) (*session, bool) {
	c, err := r.Cookie(cookieFor(r))
	if err != nil || c.Value == "" {
		return nil, false
	}
	sess, ok := s.sessions.get(c.Value)
	if !ok {
		return nil, false
	}
	if s.sessions.recheck(sess) {
		by, err := s.cfg.Authenticate(r.Context(), sess.token)
		if err != nil || by != sess.actor {
			s.sessions.end(c.Value)
			return nil, false
		}
	}
	return sess, true
}

func (s *Site) setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: cookieFor(r), Value: value, Path: "/", HttpOnly: true, Secure: isTLS(r),
		SameSite: http.SameSiteStrictMode, MaxAge: maxAge})
}

// authed serves h to a signed-in member of staff of one of roles: anyone
// else is sent to the login page (a GET) or refused (a POST). A POST must
// pass the same-origin and synchronizer token checks first.
func (s *Site) authed(roles []string, h func(http.ResponseWriter, *http.Request, register.Actor)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.current(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, http.StatusUnauthorized, "You are signed out", "Your session has ended. Sign in again.")
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess))
		if r.Method == http.MethodPost {
			if err := sameOrigin(r); err != nil {
				s.errorPage(w, r, http.StatusForbidden, "This form could not be sent", err.Error())
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.errorPage(w, r, http.StatusBadRequest, "This form could not be read", "The form is too large or malformed.")
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostForm.Get(csrfField)), []byte(sess.csrf)) != 1 {
				s.errorPage(w, r, http.StatusForbidden, "This form could not be sent",
					"The form's security token is missing or out of date. Go back, reload the page and try again.")
				return
			}
		}
		if !slices.Contains(roles, sess.actor.Role) {
			s.errorPage(w, r, http.StatusForbidden, "You cannot see this page",
				"Your role ("+sess.actor.Role+") does not allow it; it is for "+strings.Join(roles, " or ")+".")
			return
		}
		h(w, r, sess.actor)
	})
}

// maxFormBytes bounds a form's body.
const maxFormBytes = 64 << 10

// sameOrigin checks a POST comes from a page of this site: the browser's
// Sec-Fetch-Site says so, or else Origin, or else Referer, names this
// scheme and host. A request with none of them is refused.
func sameOrigin(r *http.Request) error {
	refused := errors.New("it did not come from a page of this service")
	if v := r.Header.Get("Sec-Fetch-Site"); v != "" {
		if v != "same-origin" {
			return refused
		}
		return nil
	}
	scheme := "http"
	if isTLS(r) {
		scheme = "https"
	}
	self := scheme + "://" + r.Host
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		if o != self {
			return refused
		}
		return nil
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		if err != nil || u.Scheme+"://"+u.Host != self {
			return refused
		}
		return nil
	}
	return refused
}

type loginData struct {
	Next   string
	Errors formErrors
}

func (s *Site) loginPage(w http.ResponseWriter, r *http.Request) {
	s.show(w, r, http.StatusOK, "Sign in", "login", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// safeNext keeps a local path to go to after login, else the worklist.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/worklist"
	}
	return next
}

// login checks the token and opens a session. The token is never kept:
// the session's cookie stands for it.
func (s *Site) login(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		s.errorPage(w, r, http.StatusForbidden, "This form could not be sent", err.Error())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "This form could not be read", "The form is too large or malformed.")
		return
	}
	next := safeNext(r.PostForm.Get("next"))
	token := strings.TrimSpace(r.PostForm.Get("token"))
	fail := func(msg string) {
		s.show(w, r, http.StatusUnauthorized, "Sign in", "login", loginData{Next: next, Errors: formErrors{{Field: "token", Message: msg}}})
	}
	if token == "" {
		fail("Enter your API token")
		return
	}
	by, err := s.cfg.Authenticate(r.Context(), token)
	if err != nil {
		fail("The token is not known or has expired: check it and try again")
		return
	}
	if old, err := r.Cookie(cookieFor(r)); err == nil {
		s.sessions.end(old.Value) // a new session on every login (no fixation)
	}
	v, _ := s.sessions.start(by, token)
	s.setCookie(w, r, v, int(s.cfg.SessionLifetime/time.Second))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Site) logout(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.current(r)
	if ok {
		if err := sameOrigin(r); err != nil {
			s.errorPage(w, r, http.StatusForbidden, "This form could not be sent", err.Error())
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		if err := r.ParseForm(); err != nil || subtle.ConstantTimeCompare([]byte(r.PostForm.Get(csrfField)), []byte(sess.csrf)) != 1 {
			s.errorPage(w, r, http.StatusForbidden, "This form could not be sent", "The form's security token is missing or out of date.")
			return
		}
		c, _ := r.Cookie(cookieFor(r))
		s.sessions.end(c.Value)
	}
	s.setCookie(w, r, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
