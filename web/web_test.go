package web_test

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

func TestLoginRefusesAWrongToken(t *testing.T) {
	s := newSite(t, false)
	b := s.browser()
	for _, tok := range []string{"dsr_not-a-token", "not-even-the-shape", ""} {
		p := b.do("POST", "/login", url.Values{"token": {tok}})
		assert.Equal(t, http.StatusUnauthorized, p.status, "token %q", tok)
		assert.Empty(t, p.header.Values("Set-Cookie"), "no session for token %q", tok)
		assert.Contains(t, p.body, `id="login-token-error"`, "the message is beside the field")
		assert.Contains(t, p.body, `aria-describedby="login-token-hint login-token-error"`)
		assert.Contains(t, p.body, `href="#login-token"`, "the error summary links to the field")
	}
	// Signed out, a page sends to the login page, and a form is refused.
	p := b.get("/worklist?rating=red")
	assert.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/login?next="+url.QueryEscape("/worklist?rating=red"), p.header.Get("Location"))
	p = b.do("POST", "/people/x/rating", url.Values{"rating": {"red"}})
	assert.Equal(t, http.StatusUnauthorized, p.status)
}

func TestLoginOpensASessionAndLogoutEndsIt(t *testing.T) {
	s := newSite(t, false)
	b := s.browser()
	p := b.do("POST", "/login", url.Values{"token": {s.tokens["coordinator"]}, "next": {"//elsewhere.example/x"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/worklist", p.header.Get("Location"), "next never leaves the site")
	c := p.header.Get("Set-Cookie")
	assert.Contains(t, c, "dsr_session=")
	assert.Contains(t, c, "HttpOnly")
	assert.Contains(t, c, "SameSite=Strict")
	assert.NotContains(t, c, "__Host-", "no __Host- prefix without TLS (it needs Secure)")
	value := regexp.MustCompile(`dsr_session=([^;]+)`).FindStringSubmatch(c)[1]
	assert.Len(t, value, 43, "32 random bytes, base64url")
	assert.NotContains(t, c, s.tokens["coordinator"], "the token is not the cookie")

	p = b.get("/worklist")
	require.Equal(t, 200, p.status)
	assert.Contains(t, p.body, "Signed in as staff-coordinator (coordinator)")
	p = b.post("/logout", url.Values{})
	assert.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/login", p.header.Get("Location"))
	p = b.get("/worklist")
	assert.Equal(t, http.StatusSeeOther, p.status, "the session has ended")

	// The old cookie is dead on the server, not only in this browser.
	old := s.browser()
	old.c.Jar.SetCookies(mustURL(t, s.ts.URL), []*http.Cookie{{Name: "dsr_session", Value: value}})
	assert.Equal(t, http.StatusSeeOther, old.get("/worklist").status)
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

func TestSessionCookieOverTLS(t *testing.T) {
	s := newSite(t, true)
	b := s.browser()
	p := b.do("POST", "/login", url.Values{"token": {s.tokens["viewer"]}})
	require.Equal(t, http.StatusSeeOther, p.status)
	c := p.header.Get("Set-Cookie")
	assert.True(t, strings.HasPrefix(c, "__Host-dsr_session="), c)
	assert.Contains(t, c, "Secure")
	assert.Contains(t, c, "Path=/")
	assert.NotContains(t, c, "Domain=")
	assert.Equal(t, 200, b.get("/worklist").status)

	// Behind a TLS-terminating proxy that says so, the same.
	plain := newSite(t, false)
	b = plain.browser()
	p = b.do("POST", "/login", url.Values{"token": {plain.tokens["viewer"]}}, "X-Forwarded-Proto", "https", "Origin", "https://"+strings.TrimPrefix(plain.ts.URL, "http://"))
	require.Equal(t, http.StatusSeeOther, p.status)
	c = p.header.Get("Set-Cookie")
	assert.True(t, strings.HasPrefix(c, "__Host-dsr_session="), c)
	assert.Contains(t, c, "Secure")
}

func TestSessionsExpire(t *testing.T) {
	s := newSite(t, false)
	s.add(1, crisis)
	b := s.browser()
	b.login("coordinator")
	// Used every 20 minutes, the session lives...
	for range 3 {
		s.clock.advance(20 * time.Minute)
		require.Equal(t, 200, b.get("/worklist").status)
	}
	// ...but not 30 minutes idle.
	s.clock.advance(30 * time.Minute)
	p := b.get("/worklist")
	assert.Equal(t, http.StatusSeeOther, p.status, "idle timeout")
	assert.True(t, strings.HasPrefix(p.header.Get("Location"), "/login"))

	// However busy, a session ends 12 hours after login.
	b = s.browser()
	b.login("coordinator")
	for range 12*3 - 1 {
		s.clock.advance(20 * time.Minute)
		require.Equal(t, 200, b.get("/rules").status)
	}
	s.clock.advance(20 * time.Minute)
	assert.Equal(t, http.StatusSeeOther, b.get("/rules").status, "absolute lifetime")
}

func TestFormsRefusedWithoutTheSynchronizerToken(t *testing.T) {
	s := newSite(t, false)
	np := s.add(1, crisis)
	b := s.browser()
	b.login("coordinator")
	path := "/people/" + np.Person.ID + "/rating"
	require.Equal(t, 200, b.get(path).status)
	before := s.records()
	v0, err := s.reg.Version(context.Background(), np.Person.ID)
	require.NoError(t, err)
	for name, form := range map[string]url.Values{
		"no token":    {"rating": {"amber"}, "reason": {"x"}},
		"wrong token": {"rating": {"amber"}, "reason": {"x"}, "csrf_token": {strings.Repeat("A", 43)}},
		"empty token": {"rating": {"amber"}, "reason": {"x"}, "csrf_token": {""}},
	} {
		p := b.do("POST", path, form)
		assert.Equal(t, http.StatusForbidden, p.status, name)
		assert.Contains(t, p.body, "security token", name)
	}
	// Another session's token is no good either.
	other := s.browser()
	other.login("coordinator")
	p := b.do("POST", path, url.Values{"rating": {"amber"}, "reason": {"x"}, "csrf_token": {other.csrf}})
	assert.Equal(t, http.StatusForbidden, p.status, "another session's token")

	// With the right token, but from another site, or with no origin at all.
	for name, hdr := range map[string][]string{
		"another origin":         {"Origin", "http://evil.example"},
		"cross-site fetch":       {"Sec-Fetch-Site", "cross-site"},
		"another referer":        {"Origin", "", "Referer", "http://evil.example/form"},
		"no origin, no referrer": {"Origin", ""},
	} {
		form := url.Values{"rating": {"amber"}, "reason": {"x"}, "csrf_token": {b.csrf}}
		p := b.do("POST", path, form, hdr...)
		assert.Equal(t, http.StatusForbidden, p.status, name)
	}
	assert.Equal(t, before, s.records(), "nothing written")
	v1, err := s.reg.Version(context.Background(), np.Person.ID)
	require.NoError(t, err)
	assert.Equal(t, v0, v1)

	// The same form with the token, from the site (as a browser's
	// Sec-Fetch-Site says), is taken.
	form := url.Values{"rating": {"amber"}, "reason": {"agreed at the meeting"}, "csrf_token": {b.csrf}}
	p = b.do("POST", path, form, "Origin", "", "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusSeeOther, p.status)
}

func TestSecurityHeaders(t *testing.T) {
	s := newSite(t, false)
	np := s.add(1, crisis)
	b := s.browser()
	check := func(name string, p page, people bool) {
		t.Helper()
		h := p.header
		csp := h.Get("Content-Security-Policy")
		assert.Contains(t, csp, "default-src 'none'", name)
		assert.Contains(t, csp, "frame-ancestors 'none'", name)
		assert.Contains(t, csp, "script-src 'self'", name)
		assert.NotContains(t, csp, "unsafe-inline", name)
		assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"), name)
		assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), name)
		if people {
			assert.Equal(t, "no-store", h.Get("Cache-Control"), name)
		}
	}
	check("login", b.get("/login"), true)
	b.login("coordinator")
	for _, path := range []string{"/worklist", "/people/" + np.Person.ID, "/people/" + np.Person.ID + "/events", "/rules", "/no-such-page"} {
		check(path, b.get(path), true)
	}
	p := b.get("/login")
	css := regexp.MustCompile(`href="(/assets/style-[0-9a-f]{12}\.css)"`).FindStringSubmatch(p.body)
	require.NotNil(t, css, "the stylesheet is at a hashed path")
	a := b.get(css[1])
	assert.Equal(t, 200, a.status)
	assert.Contains(t, a.header.Get("Content-Type"), "text/css")
	assert.Contains(t, a.header.Get("Cache-Control"), "immutable")
	check("stylesheet", a, false)
	// No inline script or style anywhere.
	for _, path := range []string{"/worklist", "/people/" + np.Person.ID, "/rules"} {
		body := b.get(path).body
		assert.NotContains(t, body, "<script", path)
		assert.NotContains(t, body, "<style", path)
		assert.NotContains(t, body, " style=", path)
	}
	// The API keeps its problem answers.
	resp, err := http.Get(s.ts.URL + "/v1/nothing-here")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 404, resp.StatusCode)
	assert.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"))
}

func TestViewerSeesPseudonymsOnly(t *testing.T) {
	s := newSite(t, false)
	for i := range 4 {
		s.add(i, crisis)
	}
	require.NoError(t, s.reg.Refer(context.Background(), register.Referral{ID: "req-web-1", Source: "family", Received: s.clock.daysAgo(3)}, staff))
	viewer := s.browser()
	viewer.login("viewer")
	p := viewer.get("/worklist")
	require.Equal(t, 200, p.status)
	for _, np := range s.people {
		assert.NotContains(t, p.body, np.Name)
		assert.NotContains(t, p.body, string(np.Person.NHSNumber))
		assert.NotContains(t, p.body, np.Person.ID, "no local id")
		assert.Contains(t, p.body, strings.TrimPrefix(s.reg.PersonStream(np.Person.ID), "person/"), "the pseudonym")
	}
	assert.NotContains(t, p.body, "req-web-1", "no request id")
	assert.NotContains(t, p.body, `href="/people/`, "no link to a person's page")
	assert.Contains(t, p.body, `<strong id="count-people">4</strong>`)
	for _, np := range s.people {
		p := viewer.get("/people/" + np.Person.ID)
		assert.Equal(t, http.StatusForbidden, p.status)
		assert.NotContains(t, p.body, np.Name)
	}
	// The viewer's worklist read nobody's details: no audited read.
	for _, np := range s.people {
		audit, err := s.reg.Audit(context.Background(), np.Person.ID, register.Actor{ID: "t", Role: register.RoleAdmin})
		require.NoError(t, err)
		for _, a := range audit {
			assert.NotEqual(t, "staff-viewer", a.By.ID, "the viewer read %v", a)
		}
	}

	// A coordinator sees the names, each read audited.
	coord := s.browser()
	coord.login("coordinator")
	p = coord.get("/worklist")
	require.Equal(t, 200, p.status)
	for _, np := range s.people {
		assert.Contains(t, p.body, np.Name)
		audit, err := s.reg.Audit(context.Background(), np.Person.ID, register.Actor{ID: "t", Role: register.RoleAdmin})
		require.NoError(t, err)
		found := false
		for _, a := range audit {
			found = found || (a.By.ID == "staff-coordinator" && a.Type == register.AuditRead)
		}
		assert.True(t, found, "the coordinator's read of %s is audited", np.Person.ID)
	}
	assert.Contains(t, p.body, `href="/referrals/req-web-1/decision"`)

	// An analyst has no worklist.
	an := s.browser()
	an.login("analyst")
	assert.Equal(t, http.StatusForbidden, an.get("/worklist").status)
}

func TestWorklistFiltersAndCounts(t *testing.T) {
	s := newSite(t, false)
	for i := range 6 {
		s.add(i, crisis)
	}
	ctx := context.Background()
	// Two agreed AMBER: their rating of record follows (R-RAG-AGREED-2).
	for _, i := range []int{1, 3} {
		require.NoError(t, s.reg.Agree(ctx, s.people[i].Person.ID, dsr.Amber, "the meeting agreed", staff))
	}
	items, err := s.reg.Due(ctx, s.clock.date())
	require.NoError(t, err)
	byRating := map[dsr.Rating]map[string]bool{}
	nRed := 0
	for _, it := range items {
		if byRating[it.RatingOfRecord] == nil {
			byRating[it.RatingOfRecord] = map[string]bool{}
		}
		byRating[it.RatingOfRecord][it.PersonID] = true
		if it.RatingOfRecord == dsr.Red {
			nRed++
		}
	}
	require.NotZero(t, nRed, "the fixture has RED items")
	b := s.browser()
	b.login("coordinator")
	p := b.get("/worklist")
	require.Equal(t, 200, p.status)
	assert.Contains(t, p.body, `<strong id="count-items">`+itoa(len(items))+`</strong>`)
	assert.Contains(t, p.body, `<span id="count-red">`+itoa(len(byRating[dsr.Red]))+`</span>`)
	assert.Contains(t, p.body, `<span id="count-amber">`+itoa(len(byRating[dsr.Amber]))+`</span>`)
	assert.Equal(t, len(items), strings.Count(p.body, `<tr class="dsr-row">`))

	p = b.get("/worklist?rating=red")
	require.Equal(t, 200, p.status)
	assert.Equal(t, nRed, strings.Count(p.body, `<tr class="dsr-row">`))
	assert.Contains(t, p.body, `<strong id="count-items">`+itoa(nRed)+`</strong>`)
	for _, i := range []int{1, 3} {
		assert.NotContains(t, p.body, s.people[i].Name, "agreed AMBER is not RED")
	}
	p = b.get("/worklist?coordinator=Coordinator+Beta")
	assert.Contains(t, p.body, `<strong id="count-people">3</strong>`)
	for i, np := range s.people {
		assert.Equal(t, i%2 == 1, strings.Contains(p.body, np.Name), np.Name)
	}
	p = b.get("/worklist?due_before=2026-13-01")
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, `id="filter-due_before-error"`)
	p = b.get("/worklist?overdue=yes&due_before=2000-01-01")
	assert.Contains(t, p.body, "Nothing is due that matches these filters.")
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestAFormRefusedShowsTheMessageBesideTheFieldAndWritesNothing(t *testing.T) {
	s := newSite(t, false)
	np := s.add(1, crisis)
	b := s.browser()
	b.login("coordinator")
	path := "/people/" + np.Person.ID + "/events"
	require.Equal(t, 200, b.get(path).status)
	before := s.records()
	for name, form := range map[string]url.Values{
		"not a date":     {"type": {"discharged"}, "date": {"2026-13-45"}},
		"in the future":  {"type": {"admitted"}, "date": {"2027-01-01"}, "security": {"low"}, "legal_status": {"s3"}},
		"no date at all": {"type": {"admitted"}, "date": {""}},
	} {
		p := b.post(path, form)
		assert.Equal(t, http.StatusBadRequest, p.status, name)
		assert.Contains(t, p.body, `<title>Error: Record an event`, name)
		assert.Contains(t, p.body, `id="event-date-error"`, name)
		assert.Regexp(t, `id="event-date"[^>]*aria-describedby="event-date-hint event-date-error"`, p.body, name)
		assert.Contains(t, p.body, `<a href="#event-date">Date: `, name)
		assert.Contains(t, p.body, "Nothing was recorded.", name)
		assert.Contains(t, p.body, `value="`+form.Get("date")+`"`, "the answer is kept: %s", name)
	}
	p := b.post(path, url.Values{"type": {"nonsense"}, "date": {"2026-03-01"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, `id="event-type-error"`)
	assert.Equal(t, before, s.records(), "a refused write leaves the store unchanged")
}

func TestAWriteRedirectsAndShows(t *testing.T) {
	s := newSite(t, false)
	np := s.add(1, crisis)
	id := np.Person.ID
	ctx := context.Background()
	b := s.browser()
	b.login("coordinator")
	require.Equal(t, 200, b.get("/people/"+id+"/rating").status)
	p := b.post("/people/"+id+"/rating", url.Values{"rating": {"green"}, "reason": {"settled at home with support"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, "/people/"+id, p.header.Get("Location"))
	p = b.get("/people/" + id)
	require.Equal(t, 200, p.status)
	assert.Regexp(t, `id="rating-agreed">[^<]*<strong class="nhsuk-tag dsr-rating dsr-rating--green">GREEN`, p.body)
	assert.Contains(t, p.body, "Differs from the rating agreed")
	h, err := s.reg.History(ctx, id, staff)
	require.NoError(t, err)
	last := h[len(h)-1]
	assert.Equal(t, string(dsr.EventRatingAgreed), last.Type)
	assert.Equal(t, dsr.Green, last.AgreedRating)
	assert.Equal(t, "staff-coordinator", last.By.ID, "written as the member of staff signed in")

	// A discharge recorded through the form.
	p = b.post("/people/"+id+"/events", url.Values{"type": {"register_reviewed"}, "date": {s.clock.date().String()}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	h, err = s.reg.History(ctx, id, staff)
	require.NoError(t, err)
	assert.Equal(t, string(dsr.EventRegisterReviewed), h[len(h)-1].Type)
}

func TestPersonPageLinksEveryReasonToTheRuleReference(t *testing.T) {
	s := newSite(t, false)
	np := s.add(1, crisis)
	b := s.browser()
	b.login("coordinator")
	p := b.get("/people/" + np.Person.ID)
	require.Equal(t, 200, p.status)
	assert.Contains(t, p.body, np.Name)
	assert.Contains(t, p.body, "999", "the NHS number, to a coordinator")
	a, err := s.reg.Assess(context.Background(), np.Person.ID, s.clock.date())
	require.NoError(t, err)
	require.NotEmpty(t, a.Reasons)
	rules := b.get("/rules").body
	for _, r := range a.Reasons {
		assert.Contains(t, p.body, template.HTMLEscapeString(r.Message), "the reason in words")
		anchor := strings.ToLower(r.Rule)
		assert.Contains(t, p.body, `href="/rules#`+anchor+`"`, r.Rule)
		assert.Contains(t, rules, `id="`+anchor+`"`, "the rule reference has %s", r.Rule)
	}
	// The page read the details and the history: both audited.
	audit, err := s.reg.Audit(context.Background(), np.Person.ID, register.Actor{ID: "t", Role: register.RoleAdmin})
	require.NoError(t, err)
	var reads []string
	for _, e := range audit {
		if e.By.ID == "staff-coordinator" {
			reads = append(reads, e.What)
		}
	}
	assert.Contains(t, reads, "details")
	assert.Contains(t, reads, "history")
}

func TestReviewAndMeetingForms(t *testing.T) {
	s := newSite(t, false)
	np := s.add(1, crisis)
	id := np.Person.ID
	b := s.browser()
	b.login("coordinator")
	require.Equal(t, 200, b.get("/people/"+id+"/reviews").status)
	p := b.post("/people/"+id+"/reviews", url.Values{"id": {"rev-web-1"}, "kind": {"community"}, "planned": {"2026-04-20"}, "commissioner": {"Test ICB"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = b.get("/people/" + id)
	assert.Contains(t, p.body, "rev-web-1")
	assert.Contains(t, p.body, `href="/reviews/rev-web-1/hold"`)
	// The same id again is refused, on the form.
	p = b.post("/people/"+id+"/reviews", url.Values{"id": {"rev-web-1"}, "kind": {"community"}, "planned": {"2026-04-20"}, "commissioner": {"Test ICB"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, "already recorded")

	require.Equal(t, 200, b.get("/people/"+id+"/meetings").status)
	p = b.post("/people/"+id+"/meetings", url.Values{"id": {"bl-web-1"}, "invitations_sent": {"2026-04-01 08:00"}, "call_at": {"2026-04-01 09:30"},
		"unexpected_crisis": {"yes"}, "no_time_for_cetr": {"yes"}, "known_to_services": {"yes"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = b.get("/people/" + id)
	assert.Contains(t, p.body, "bl-web-1")
	assert.Contains(t, p.body, `href="/meetings/bl-web-1/close"`)

	require.Equal(t, 200, b.get("/meetings/bl-web-1/close").status)
	before := s.records()
	p = b.post("/meetings/bl-web-1/close", url.Values{"closed_at": {"2026-04-01 10:30"}, "sustainable_placement": {"yes"}})
	assert.Equal(t, http.StatusBadRequest, p.status, "steps missing")
	assert.Contains(t, p.body, "R-BL-STEPS")
	assert.Equal(t, before, s.records())
	form := url.Values{"closed_at": {"2026-04-01 10:30"}, "sustainable_placement": {"yes"}}
	for _, st := range []string{"introduction", "understanding", "risks", "options", "resources", "decision", "record"} {
		form.Set("step_"+st, "notes of "+st)
	}
	p = b.post("/meetings/bl-web-1/close", form)
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = b.get("/people/" + id)
	assert.Contains(t, p.body, "Closed 2026-04-01 10:30")

	require.Equal(t, 200, b.get("/reviews/rev-web-1/hold").status)
	hold := url.Values{"held": {"2026-04-20"}, "outcome": {"stay_in_community"}, "chair": {"Test ICB"},
		"clinical_expert": {"Dr Synthetic Expert"}, "clinical_expert_training": {"2025-01-01"},
		"expert_by_experience": {"Synthetic Ebe"}, "expert_by_experience_training": {"2027-01-01"}}
	before = s.records()
	p = b.post("/reviews/rev-web-1/hold", hold)
	assert.Equal(t, http.StatusBadRequest, p.status, "training lapsed")
	assert.Contains(t, p.body, `id="hold-clinical_expert_training-error"`, "the lapsed training is named beside its field")
	assert.NotContains(t, p.body, `id="hold-expert_by_experience_training-error"`)
	hold.Set("clinical_expert_training", "2027-01-01")
	hold.Del("expert_by_experience")
	p = b.post("/reviews/rev-web-1/hold", hold)
	assert.Equal(t, http.StatusBadRequest, p.status, "no expert by experience, no findings")
	assert.Contains(t, p.body, `id="hold-expert_by_experience-error"`, "the empty seat is named beside its field")
	hold.Set("expert_by_experience", "Synthetic Ebe")
	p = b.post("/reviews/rev-web-1/hold", hold)
	assert.Equal(t, http.StatusBadRequest, p.status, "no findings")
	assert.Contains(t, p.body, `id="hold-am_i_safe-error"`, "a missing finding is named beside its field")
	assert.Equal(t, before, s.records(), "nothing written")
	for _, l := range []string{"am_i_safe", "good_care_and_treatment", "plans_for_future", "care_in_community", "physical_health", "meaningful_activity", "quality_of_life"} {
		hold.Set(l, "synthetic finding under "+l)
	}
	s.clock.set(calendar.MustParseDate("2026-04-20").Start().Add(15 * time.Hour))
	b = s.browser() // the day of the review: a new session
	b.login("coordinator")
	require.Equal(t, 200, b.get("/reviews/rev-web-1/hold").status)
	p = b.post("/reviews/rev-web-1/hold", hold)
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = b.get("/people/" + id)
	assert.Contains(t, p.body, "<td>20 April 2026</td>", "held")
	assert.NotContains(t, p.body, `href="/reviews/rev-web-1/hold"`)
}

func TestReferralForms(t *testing.T) {
	s := newSite(t, false)
	b := s.browser()
	b.login("coordinator")
	require.Equal(t, 200, b.get("/referrals/new").status)
	p := b.post("/referrals/new", url.Values{"id": {"req-w1"}, "source": {"nobody"}, "received": {"2026-03-30"}})
	assert.Equal(t, http.StatusBadRequest, p.status)
	assert.Contains(t, p.body, `id="referral-source-error"`)
	p = b.post("/referrals/new", url.Values{"id": {"req-w1"}, "source": {"family"}, "received": {"2026-03-30"}, "summary": {"asks to join"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = b.get("/worklist")
	assert.Contains(t, p.body, "Request req-w1")
	require.Equal(t, 200, b.get("/referrals/req-w1/decision").status)
	p = b.post("/referrals/req-w1/decision", url.Values{"outcome": {"accept"}, "reasons": {"at risk"}, "next_steps": {"add with consent"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = b.get("/worklist")
	assert.NotContains(t, p.body, "Request req-w1", "decided: off the worklist")
}

func TestRuleReferencePage(t *testing.T) {
	s := newSite(t, false)
	b := s.browser()
	b.login("analyst")
	p := b.get("/rules")
	require.Equal(t, 200, p.status)
	for _, id := range []string{"r-rag-red", "r-rag-agreed-2", "r-cons-1", "r-req-1", "vocabulary", "time"} {
		assert.Contains(t, p.body, `id="`+id+`"`)
	}
	assert.Contains(t, p.body, `<table class="nhsuk-table">`)
	assert.NotContains(t, p.body, "**", "bold is rendered")
	assert.Equal(t, 1, strings.Count(p.body, "<h1"), "one h1")
}

// TestWorklistSeesWritesMadeElsewhere: the worklist is kept between pages
// only while nothing is written; a write made outside the pages (the CLI,
// the API) shows on the next page, and so does a new day.
func TestWorklistSeesWritesMadeElsewhere(t *testing.T) {
	s := newSite(t, false)
	for i := range 3 {
		s.add(i, crisis)
	}
	b := s.browser()
	b.login("coordinator")
	p := b.get("/worklist?rating=amber")
	require.Equal(t, 200, p.status)
	assert.Contains(t, p.body, `<span id="count-amber">0</span>`)
	b.get("/worklist") // reads (audited) are not writes: the worklist is kept
	require.NoError(t, s.reg.Agree(context.Background(), s.people[2].Person.ID, dsr.Amber, "agreed by the meeting", staff))
	p = b.get("/worklist?rating=amber")
	assert.Contains(t, p.body, `<span id="count-amber">1</span>`)
	assert.Contains(t, p.body, s.people[2].Name)
	p = b.get("/worklist?coordinator=Coordinator+Gamma")
	assert.Contains(t, p.body, `<strong id="count-people">0</strong>`)
	var items []register.WorkItem
	_, _, err := s.reg.ChangeDetails(context.Background(), s.people[0].Person.ID, []byte(`{"entry":{"care_coordinator":"Coordinator Gamma"}}`), staff)
	require.NoError(t, err)
	p = b.get("/worklist?coordinator=Coordinator+Gamma")
	assert.Contains(t, p.body, `<strong id="count-people">1</strong>`, "a new care coordinator is seen")
	assert.Contains(t, p.body, s.people[0].Name)

	items, err = s.reg.Due(context.Background(), s.clock.date().AddDays(60))
	require.NoError(t, err)
	s.clock.advance(60 * 24 * time.Hour)
	b2 := s.browser() // the first session has long expired
	b2.login("coordinator")
	p = b2.get("/worklist")
	assert.Contains(t, p.body, `<strong id="count-items">`+itoa(len(items))+`</strong>`, "a new day, a new worklist")
}

// TestARevokedTokenEndsItsSessions: the token that opened a session is
// checked again every minute; once revoked, the session is over.
func TestARevokedTokenEndsItsSessions(t *testing.T) {
	s := newSite(t, false)
	b := s.browser()
	b.login("coordinator")
	list, err := s.toks.Tokens()
	require.NoError(t, err)
	for _, e := range list {
		if e.Role == register.RoleCoordinator {
			require.NoError(t, s.toks.Revoke(e.ID))
		}
	}
	assert.Equal(t, 200, b.get("/rules").status, "checked again only after a minute")
	s.clock.advance(61 * time.Second)
	p := b.get("/rules")
	assert.Equal(t, http.StatusSeeOther, p.status, "the revoked token's session has ended")
	// Another role's session goes on.
	v := s.browser()
	v.login("viewer")
	s.clock.advance(61 * time.Second)
	assert.Equal(t, 200, v.get("/worklist").status)
}
