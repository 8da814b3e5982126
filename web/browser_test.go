package web_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/testtools"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
	"github.com/dsrkit/dsrkit/server"
)

// The acceptance test of the pages in a real browser: Debian's Chromium,
// driven over the DevTools protocol, against the service on a real
// listener on 127.0.0.1 over a SQLite register of synthetic people (as
// `dsr demo` makes one), with axe-core run in every page.

// browserTools finds Chromium and node_modules with axe-core in it
// (testtools: skipped locally when missing, failed under CI).
func browserTools(t *testing.T) (chromium, nodeModules string) {
	t.Helper()
	chromium = testtools.Chromium(t)
	testtools.NodeModule(t, "axe-core/axe.min.js")
	return chromium, testtools.NodeModulesDir()
}

// artifacts is where the screenshots go: the screenshots folder of the
// files CI keeps.
func artifacts(t *testing.T) string { return testtools.Artifacts(t, "screenshots") }

// demoService is the service on 127.0.0.1 over a SQLite register of n
// synthetic people, on 1 April 2026.
type demoService struct {
	url           string
	reg           *register.Register
	store         *sqlitestore.Store
	token, viewer string
	today         calendar.Date
}

func startDemoService(t *testing.T, n int, frontend string) *demoService {
	t.Helper()
	dir := t.TempDir()
	store, err := sqlitestore.Open(context.Background(), filepath.Join(dir, "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	engine, err := testEngine()
	if err != nil {
		t.Fatal(err)
	}
	noon := func() time.Time { return benchDay.Start().Add(12 * time.Hour) }
	reg, err := register.Open(context.Background(), store, engine, register.WithClock(noon), register.WithKeys(register.MemoryKey()),
		register.WithConsentPolicy(consent.National2023), register.WithDocumentKinds(register.ReviewDocuments{}, register.MeetingDocuments{}))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := reg.Add(context.Background(), benchPerson(i), staff); err != nil {
			t.Fatal(err)
		}
	}
	toks, err := server.OpenTokens(filepath.Join(dir, "demo.tokens"))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := toks.CreateToken("browser-coordinator", register.RoleCoordinator, noon())
	if err != nil {
		t.Fatal(err)
	}
	viewer, err := toks.CreateToken("browser-viewer", register.RoleViewer, noon())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Register: reg, Engine: engine, Tokens: toks, Now: noon, Frontend: frontend})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return &demoService{url: "http://" + ln.Addr().String(), reg: reg, store: store, token: tok, viewer: viewer, today: benchDay}
}

// axeViolation is one violation axe-core reports.
type axeViolation struct {
	ID, Impact, Help string
	Nodes            int
	Targets          []string
}

// checkAxe runs axe-core in the page and fails on a serious or critical
// violation (WCAG 2.2 AA and best practice rules).
func checkAxe(t *testing.T, ctx context.Context, axe, page string) {
	t.Helper()
	for _, v := range runAxe(t, ctx, axe, page) {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("axe on %s: %s violation %s (%s) at %d nodes: %v", page, v.Impact, v.ID, v.Help, v.Nodes, v.Targets)
		} else {
			t.Logf("axe on %s: %s %s (%s)", page, v.Impact, v.ID, v.Help)
		}
	}
}

// runAxe runs axe-core in the page and returns its violations.
func runAxe(t *testing.T, ctx context.Context, axe, page string) []axeViolation {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";\ntrue"))
	if err != nil {
		t.Fatalf("axe into %s: %v", page, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}})
			.then(r => JSON.stringify(r.violations.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.length,
				Targets: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(res), &vs); err != nil {
		t.Fatalf("axe on %s: %v", page, err)
	}
	return vs
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// service is what the browser's steps run against, and what they check
// the pages by.
type service interface {
	// URL is the service's base URL; Token a coordinator's API token,
	// ViewerToken a viewer's.
	URL() string
	Token() string
	ViewerToken() string
	// Due is the register's worklist today, as the register (not the
	// pages) gives it.
	Due(t *testing.T) []register.WorkItem
	// History is a person's timeline in the register.
	History(t *testing.T, id string) []register.HistoryEntry
}

func (d *demoService) URL() string         { return d.url }
func (d *demoService) Token() string       { return d.token }
func (d *demoService) ViewerToken() string { return d.viewer }
func (d *demoService) Due(t *testing.T) []register.WorkItem {
	t.Helper()
	items, err := d.reg.Due(context.Background(), d.today)
	if err != nil {
		t.Fatal(err)
	}
	return items
}
func (d *demoService) History(t *testing.T, id string) []register.HistoryEntry {
	t.Helper()
	h, err := d.reg.History(context.Background(), id, staff)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestInTheBrowser runs the steps against the service in this process
// (its clock fixed), with the pages' own stylesheet, then with
// nhsuk-frontend's before it (dsr serve --frontend, or DSR_NODE_MODULES):
// both must pass axe-core. TestDsrServeInTheBrowser runs them against the
// dsr binary.
func TestInTheBrowser(t *testing.T) {
	chromium, nodeModules := browserTools(t)
	for _, c := range []struct{ name, frontend, suffix string }{
		{"own stylesheet", "", ""},
		{"nhsuk-frontend", nodeModules, "-nhsuk-frontend"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := startDemoService(t, 60, c.frontend)
			browserSteps(t, chromium, nodeModules, d, c.suffix)
		})
	}
}

func browserSteps(t *testing.T, chromium, nodeModules string, svc service, suffix string) {
	axeJS, err := os.ReadFile(filepath.Join(nodeModules, "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	axe := string(axeJS)
	shots := artifacts(t)
	bg := context.Background()
	items := svc.Due(t)
	var red, redPeople = 0, map[string]bool{}
	for _, it := range items {
		if it.RatingOfRecord == dsr.Red {
			red++
			redPeople[it.PersonID] = true
		}
	}
	if red == 0 || len(items) <= red {
		t.Fatalf("the demo register's worklist: %d items, %d RED: want some of each", len(items), red)
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 900)}
	actx, cancelA := chromedp.NewExecAllocator(bg, opts...)
	defer cancelA()
	ctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	run := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("%s: timed out", step)
			}
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
		if err != nil {
			t.Fatalf("counting %s: %v", sel, err)
		}
		return n
	}

	// axe-core finds what it should: a field with no label is critical.
	run("a page with a fault", chromedp.Navigate(`data:text/html,<!DOCTYPE html><html lang="en"><title>x</title><main><input type="text"></main></html>`))
	found := false
	for _, v := range runAxe(t, ctx, axe, "a page with a fault") {
		found = found || (v.ID == "label" && (v.Impact == "critical" || v.Impact == "serious"))
	}
	if !found {
		t.Fatal("axe-core did not report an unlabelled field: the accessibility checks cannot fail")
	}

	// Sign in with a token.
	run("the login page", chromedp.Navigate(svc.URL()+"/"), chromedp.WaitVisible(chromedp.ID("login-token")))
	checkAxe(t, ctx, axe, "login")
	run("a wrong token", chromedp.SendKeys(chromedp.ID("login-token"), "dsr_wrong"), chromedp.Submit(chromedp.ID("login-token")),
		chromedp.WaitVisible(chromedp.ID("login-token-error")))
	checkAxe(t, ctx, axe, "login with an error")
	run("signing in", chromedp.SendKeys(chromedp.ID("login-token"), svc.Token()), chromedp.Submit(chromedp.ID("login-token")),
		chromedp.WaitVisible(chromedp.ID("counts")))

	// The worklist: the register's figures, and its first page of rows.
	if got := text("#count-items"); got != strconv.Itoa(len(items)) {
		t.Errorf("worklist: %s items shown, the register has %d", got, len(items))
	}
	if got, want := count("tr.dsr-row"), min(50, len(items)); got != want {
		t.Errorf("worklist: %d rows, want %d", got, want)
	}
	register.SortWorklist(items) // the page's default order
	firstLink, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("tr.dsr-row a"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "/people/" + items[0].PersonID; firstLink.Value != want {
		t.Errorf("worklist: the first row links to %q, the register's first item is %s's", firstLink.Value, items[0].PersonID)
	}
	checkAxe(t, ctx, axe, "worklist")
	screenshot(t, ctx, shots, "worklist"+suffix+".png")

	// Filter to RED.
	run("filtering to RED", chromedp.SetValue(chromedp.ID("filter-rating"), "red"), chromedp.Submit(chromedp.ID("filter-rating")),
		chromedp.WaitReady(chromedp.CSS(`#filter-rating option[value="red"][selected]`)))
	if got := text("#count-items"); got != strconv.Itoa(red) {
		t.Errorf("RED worklist: %s items, the register has %d", got, red)
	}
	if got := text("#count-people"); got != strconv.Itoa(len(redPeople)) {
		t.Errorf("RED worklist: %s people, the register has %d", got, len(redPeople))
	}
	if rows, tags := count("tr.dsr-row"), count("tr.dsr-row .dsr-rating--red"); rows != min(50, red) || tags != rows {
		t.Errorf("RED worklist: %d rows, %d with a RED tag; want %d", rows, tags, min(50, red))
	}
	checkAxe(t, ctx, axe, "worklist filtered to RED")

	// Open a person.
	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("tr.dsr-row a"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(link.Value, "/people/")
	name := text("tr.dsr-row a")
	run("opening a person", chromedp.Click(chromedp.CSS("tr.dsr-row a")), chromedp.WaitVisible(chromedp.ID("person-name")))
	if got := text("#person-name"); !strings.HasPrefix(got, name) || !strings.Contains(got, "Local id "+id) {
		t.Errorf("person page: heading %q, want %q (local id %s)", got, name, id)
	}
	if got := text("#rating-of-record"); !strings.Contains(got, "RED") {
		t.Errorf("person page: rating of record %q, want RED", got)
	}
	if n := count("#reasons a.dsr-rule"); n == 0 {
		t.Error("person page: no reason links to the rule reference")
	}
	checkAxe(t, ctx, axe, "person")
	screenshot(t, ctx, shots, "person"+suffix+".png")

	// Agree a different rating through the form.
	want := dsr.Amber
	if strings.Contains(text("#rating-agreed"), "AMBER") {
		want = dsr.Green
	}
	upper := strings.ToUpper(want.String())
	run("the rating form", chromedp.Click(chromedp.CSS(`a[href$="/rating"]`)), chromedp.WaitVisible(chromedp.ID("rating-rating")))
	checkAxe(t, ctx, axe, "rating form")
	run("agreeing "+upper, chromedp.Click(chromedp.ID("rating-rating-"+want.String())),
		chromedp.SendKeys(chromedp.ID("rating-reason"), "risks now managed with the intensive support package"),
		chromedp.Submit(chromedp.ID("rating-reason")), chromedp.WaitVisible(chromedp.ID("person-name")))
	if got := text("#rating-agreed"); !strings.Contains(got, upper) {
		t.Errorf("after agreeing: rating agreed %q, want %s", got, upper)
	}
	if got := text("#history"); !strings.Contains(got, "browser-coordinator") {
		t.Errorf("after agreeing: the timeline does not show who agreed: %q", got)
	}
	h := svc.History(t, id)
	last := h[len(h)-1]
	if last.Type != string(dsr.EventRatingAgreed) || last.AgreedRating != want || last.By.ID != "browser-coordinator" {
		t.Errorf("the register's history ends %+v, want %s agreed by browser-coordinator", last, upper)
	}

	// A bad date: the field named, nothing written.
	run("the event form", chromedp.Navigate(svc.URL()+"/people/"+id+"/events"), chromedp.WaitVisible(chromedp.ID("event-date")))
	before := len(svc.History(t, id))
	run("a bad date", chromedp.SetValue(chromedp.ID("event-type"), "discharged"), chromedp.SetValue(chromedp.ID("event-date"), "2026-02-30"),
		chromedp.Submit(chromedp.ID("event-date")), chromedp.WaitVisible(chromedp.ID("event-date-error")))
	if got := text("#event-date-error"); !strings.Contains(got, "Date") || !strings.Contains(got, "2026-02-30") {
		t.Errorf("bad date: the message beside the field is %q", got)
	}
	if got := text(".nhsuk-error-summary"); !strings.Contains(got, "Nothing was recorded") {
		t.Errorf("bad date: error summary %q", got)
	}
	described, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.ID("event-date"), "aria-describedby"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(described.Value, "event-date-error") {
		t.Errorf("bad date: the field is described by %q, not its message", described.Value)
	}
	if after := len(svc.History(t, id)); after != before {
		t.Errorf("bad date: the person's history went from %d records to %d", before, after)
	}
	checkAxe(t, ctx, axe, "event form with an error")

	// The other forms, and one refused with every message shown.
	for _, path := range []string{"/people/" + id + "/reviews", "/people/" + id + "/meetings", "/referrals/new"} {
		run("the form "+path, chromedp.Navigate(svc.URL()+path), chromedp.WaitVisible(chromedp.CSS("form button.nhsuk-button")))
		checkAxe(t, ctx, axe, path)
	}
	run("a refused request to join", chromedp.SetValue(chromedp.ID("referral-received"), "yesterday"),
		chromedp.Submit(chromedp.ID("referral-received")), chromedp.WaitVisible(chromedp.ID("referral-received-error")))
	checkAxe(t, ctx, axe, "request to join with an error")

	// The rule reference.
	run("the rule reference", chromedp.Navigate(svc.URL()+"/rules#r-rag-red"), chromedp.WaitVisible(chromedp.ID("r-rag-red")))
	checkAxe(t, ctx, axe, "rule reference")

	// The meeting pack: everyone with something due by the meeting's date
	// (today, the page's default), one section each.
	run("the meeting pack", chromedp.Navigate(svc.URL()+"/meeting-pack"), chromedp.WaitVisible(chromedp.CSS(".dsr-pack")))
	lede := text(".dsr-pack .dsr-lede")
	m := regexp.MustCompile(`^(\d+) (?:person has|people have) something due by (\d{4}-\d{2}-\d{2});`).FindStringSubmatch(lede)
	if m == nil {
		t.Fatalf("meeting pack: %q", lede)
	}
	packDate := calendar.MustParseDate(m[2])
	dueBy := map[string]bool{}
	for _, it := range svc.Due(t) {
		if it.PersonID != "" && !it.DueDate().After(packDate) {
			dueBy[it.PersonID] = true
		}
	}
	if len(dueBy) == 0 {
		t.Fatal("meeting pack: nobody is due on the demo register: the step shows nothing")
	}
	if m[1] != strconv.Itoa(len(dueBy)) || count("section.dsr-person") != len(dueBy) {
		t.Errorf("meeting pack: %s people and %d sections, the register has %d due by %s", m[1], count("section.dsr-person"), len(dueBy), packDate)
	}
	for pid := range dueBy {
		if count("#person-"+pid) != 1 {
			t.Errorf("meeting pack: no section for %s", pid)
			break
		}
	}
	checkAxe(t, ctx, axe, "meeting pack")
	screenshot(t, ctx, shots, "meeting-pack"+suffix+".png")

	// The board report for this quarter: every published count is * or a
	// multiple of 5 (R-REPORT-1), and the table of ratings adds up from
	// its published cells.
	quarter := fmt.Sprintf("%dQ%d", packDate.Year(), (int(packDate.Month())+2)/3)
	run("the board report", chromedp.Navigate(svc.URL()+"/board-report?quarter="+quarter), chromedp.WaitVisible(chromedp.ID("ratings")))
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll("td.dsr-num")).map(td => td.textContent.trim())`))
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) < 10 {
		t.Fatalf("board report: %d figures", len(cells))
	}
	for _, c := range cells {
		if n, err := strconv.Atoi(c); c != "*" && (err != nil || n%5 != 0) {
			t.Errorf("board report: a published count %q is neither * nor a multiple of 5", c)
		}
	}
	sums, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const t = document.querySelector("#ratings table");
		const body = Array.from(t.querySelectorAll("tbody td.dsr-num")).map(td => td.textContent.trim());
		const foot = Array.from(t.querySelectorAll("tfoot td.dsr-num")).map(td => td.textContent.trim());
		return [body.join(","), foot.join(",")];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range strings.Split(sums[0], ",") {
		if n, err := strconv.Atoi(c); err == nil {
			total += n
		}
	}
	if foot := strings.Split(sums[1], ","); total > 0 && foot[len(foot)-1] != strconv.Itoa(total) {
		t.Errorf("board report: the ratings' total is %s, its published cells add up to %d", foot[len(foot)-1], total)
	}
	if n := count("svg.dsr-chart"); n < 2 {
		t.Errorf("board report: %d charts", n)
	}
	checkAxe(t, ctx, axe, "board report")
	screenshot(t, ctx, shots, "board-report"+suffix+".png")

	// Sign out; a viewer's worklist has the same figures, by pseudonym,
	// with no name and no link to a person.
	run("signing out", chromedp.Click(chromedp.CSS(".dsr-link-button")), chromedp.WaitVisible(chromedp.ID("login-token")))
	run("signing in as a viewer", chromedp.SendKeys(chromedp.ID("login-token"), svc.ViewerToken()), chromedp.Submit(chromedp.ID("login-token")),
		chromedp.WaitVisible(chromedp.ID("counts")))
	now := svc.Due(t)
	if got := text("#count-items"); got != strconv.Itoa(len(now)) {
		t.Errorf("viewer's worklist: %s items, the register has %d", got, len(now))
	}
	if n := count(`tr.dsr-row a[href^="/people/"], tr.dsr-row a[href^="/referrals/"]`); n != 0 {
		t.Errorf("viewer's worklist: %d links to people", n)
	}
	if n := count("tr.dsr-row code.dsr-pseudonym"); n != min(50, len(now)-requests(now)) {
		t.Errorf("viewer's worklist: %d pseudonyms", n)
	}
	page := text("#worklist")
	if strings.Contains(page, name) || strings.Contains(page, id) {
		t.Errorf("viewer's worklist names %s (%s)", name, id)
	}
	checkAxe(t, ctx, axe, "viewer's worklist")
	screenshot(t, ctx, shots, "worklist-viewer"+suffix+".png")
}

// requests counts the requests to join among the first page's items.
func requests(items []register.WorkItem) int {
	n := 0
	for _, it := range items[:min(50, len(items))] {
		if it.PersonID == "" {
			n++
		}
	}
	return n
}

// dsrServe is the dsr binary, built from this checkout: `dsr demo` makes
// the register, `dsr serve token create` a coordinator's token, `dsr
// serve` serves it on 127.0.0.1, and `dsr register due` and `dsr register
// history` say what the register holds.
type dsrServe struct {
	bin, db string
	env     []string
	url     string
	token   string
	viewer  string
}

func (d *dsrServe) URL() string         { return d.url }
func (d *dsrServe) Token() string       { return d.token }
func (d *dsrServe) ViewerToken() string { return d.viewer }

// dsr runs the binary with args and returns its standard output.
func (d *dsrServe) dsr(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(d.bin, args...)
	cmd.Env = d.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dsr %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out
}

func (d *dsrServe) Due(t *testing.T) []register.WorkItem {
	t.Helper()
	var items []register.WorkItem
	if err := json.Unmarshal(d.dsr(t, "register", "due", "--db", d.db, "--json"), &items); err != nil {
		t.Fatal(err)
	}
	return items
}

func (d *dsrServe) History(t *testing.T, id string) []register.HistoryEntry {
	t.Helper()
	var h []register.HistoryEntry
	if err := json.Unmarshal(d.dsr(t, "register", "history", id, "--db", d.db, "--json"), &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func startDsrServe(t *testing.T, people int, frontend string) *dsrServe {
	t.Helper()
	dir := t.TempDir()
	d := &dsrServe{bin: filepath.Join(dir, "dsr"), db: filepath.Join(dir, "demo.db")}
	build := exec.Command("go", "build", "-o", d.bin, "./cmd/dsr")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building dsr: %v\n%s", err, out)
	}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DSR_") {
			d.env = append(d.env, kv)
		}
	}
	d.env = append(d.env, "DSR_KEY_FILE="+filepath.Join(dir, "demo.key"), "DSR_BY=browser-test", "DSR_ROLE=coordinator")
	// The population as of yesterday (its records are written at noon
	// then), the service on today's clock.
	yesterday := calendar.DateOf(time.Now()).AddDays(-1)
	d.dsr(t, "demo", "--db", d.db, "--people", strconv.Itoa(people), "--as-of", yesterday.String())
	d.token = strings.TrimSpace(string(d.dsr(t, "serve", "token", "create", "--db", d.db, "--role", "coordinator", "--name", "browser-coordinator")))
	d.viewer = strings.TrimSpace(string(d.dsr(t, "serve", "token", "create", "--db", d.db, "--role", "viewer", "--name", "browser-viewer")))
	cmd := exec.Command(d.bin, "serve", "--db", d.db, "--addr", "127.0.0.1:0", "--frontend", frontend)
	cmd.Env = d.env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("dsr serve: %v", err)
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Error("dsr serve did not stop on SIGINT")
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, " on http://"); i >= 0 {
				rest := line[i+len(" on "):]
				if j := strings.IndexByte(rest, ' '); j >= 0 {
					rest = rest[:j]
				}
				select {
				case found <- rest:
				default:
				}
			}
		}
		exited <- cmd.Wait()
	}()
	select {
	case d.url = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("dsr serve did not say where it listens")
	}
	return d
}

// TestDsrServeInTheBrowser runs the browser's steps against `dsr serve`
// itself, over a register `dsr demo` made, serving nhsuk-frontend's
// stylesheet as CI's does (--frontend). The register's side is read with
// `dsr register due` and `dsr register history`.
func TestDsrServeInTheBrowser(t *testing.T) {
	chromium, nodeModules := browserTools(t)
	d := startDsrServe(t, 80, nodeModules)
	browserSteps(t, chromium, nodeModules, d, "-dsr-serve")

	// The policy diff's report for a board or an analyst, as dsr policy
	// diff writes it: national-2023 against the Wiltshire overlay.
	out := filepath.Join(t.TempDir(), "policy-diff.html")
	d.dsr(t, "policy", "diff", "national-2023", "../examples/policies/wiltshire", "--base", "national-2023", "--generate", "400", "--seed", "7", "--html", out, "--quiet")
	axeJS, err := os.ReadFile(filepath.Join(nodeModules, "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true), chromedp.WindowSize(1280, 900)}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+out), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("opening the policy diff: %v", err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"not eligible", "wiltshire"} {
		if !strings.Contains(strings.ToLower(body), want) {
			t.Errorf("the policy diff's page lacks %q", want)
		}
	}
	checkAxe(t, ctx, string(axeJS), "policy diff")
	screenshot(t, ctx, artifacts(t), "policy-diff.png")
}
