package server

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
)

// pageClient signs in to the service's pages with role's token and returns
// a client holding the session.
func pageClient(t *testing.T, f *fixture, role string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("POST", f.ts.URL+"/login", strings.NewReader(url.Values{"token": {f.tokens[role]}, "next": {"/worklist"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", f.ts.URL)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in as %s: %d", role, resp.StatusCode)
	}
	return c
}

func mustQuarter(t *testing.T, s string) report.Quarter {
	t.Helper()
	q, err := report.ParseQuarter(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func getPage(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestReportPages: the board report (every role; published figures only),
// the meeting pack, a C(E)TR's summary and a Blue Light meeting's minute
// (coordinators; each read audited) inside the site.
func TestReportPages(t *testing.T) {
	f := newFixture(t, nil)
	rev := f.review(true)
	meeting := f.meeting(false)
	coord := pageClient(t, f, register.RoleCoordinator)

	s, page := getPage(t, coord, f.ts.URL+"/reviews/"+rev)
	if s != 200 || !strings.Contains(page, rev) || !strings.Contains(page, "dsr-report") {
		t.Errorf("review summary: %d %.300s", s, page)
	}
	s, page = getPage(t, coord, f.ts.URL+"/meetings/"+meeting)
	if s != 200 || !strings.Contains(page, meeting) || !strings.Contains(page, "dsr-report") {
		t.Errorf("meeting minute: %d %.300s", s, page)
	}
	s, page = getPage(t, coord, f.ts.URL+"/meeting-pack?date=2026-04-01")
	if s != 200 || !strings.Contains(page, "something due by 2026-04-01") {
		t.Errorf("meeting pack: %d %.300s", s, page)
	}
	if s, _ = getPage(t, coord, f.ts.URL+"/meeting-pack?date=2026-02-30"); s != 400 {
		t.Errorf("meeting pack on a bad date: %d", s)
	}

	viewer := pageClient(t, f, register.RoleViewer)
	s, page = getPage(t, viewer, f.ts.URL+"/board-report?quarter=2026Q2")
	if s != 200 || !strings.Contains(page, `id="ratings"`) {
		t.Fatalf("board report for a viewer: %d %.300s", s, page)
	}
	cells := regexp.MustCompile(`<td class="dsr-num">([^<]*)</td>`).FindAllStringSubmatch(page, -1)
	if len(cells) < 10 {
		t.Fatalf("board report: %d figures", len(cells))
	}
	for _, c := range cells {
		if n, err := strconv.Atoi(c[1]); c[1] != "*" && (err != nil || n%5 != 0) {
			t.Errorf("board report: published %q", c[1])
		}
	}
	if s, _ = getPage(t, viewer, f.ts.URL+"/board-report?quarter=2027Q1"); s != 400 {
		t.Errorf("board report of a quarter not begun: %d", s)
	}
	if s, _ = getPage(t, viewer, f.ts.URL+"/meeting-pack"); s != 403 {
		t.Errorf("a viewer's meeting pack: %d, want 403", s)
	}
	if s, _ = getPage(t, viewer, f.ts.URL+"/reviews/"+rev); s != 403 {
		t.Errorf("a viewer's review summary: %d, want 403", s)
	}
}

// TestBoardKeptUntilAWrite: the board the pages built is kept while only
// reads are recorded, and built again after a write.
func TestBoardKeptUntilAWrite(t *testing.T) {
	f := newFixture(t, nil)
	f.added()
	q := mustQuarter(t, "2026Q2")
	b1, err := f.srv.board(t0, q, "2026-04-01")
	if err != nil {
		t.Fatal(err)
	}
	np := f.added()
	b2, _ := f.srv.board(t0, q, "2026-04-01")
	if b2 == b1 {
		t.Fatal("the board was kept after a person was added")
	}
	// A read's audit moves the log on, but changes no figure.
	if _, err := f.reg.History(t0, np.Person.ID, fixtureActor); err != nil {
		t.Fatal(err)
	}
	if b3, _ := f.srv.board(t0, q, "2026-04-01"); b3 != b2 {
		t.Error("the board was built again after a read only")
	}
	if b4, _ := f.srv.board(t0, q, "2026-04-02"); b4 == b2 {
		t.Error("the board was kept into another day")
	}
}
