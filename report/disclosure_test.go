package report_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/disclosure"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
)

// tb is what the checks need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// published reports whether s is a count as R-REPORT-1 publishes it: "*"
// or a multiple of 5 (0 included).
func published(s string) bool {
	if s == "*" {
		return true
	}
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0 && n%5 == 0
}

// checkTables checks every table of the model: each cell published, each
// row total the sum of its published cells, each column total the sum of
// its column, the grand total the sum of the column totals.
func checkTables(t tb, b *report.Board) {
	t.Helper()
	for _, tab := range b.Tables() {
		cols := make([][]disclosure.Count, len(tab.Columns))
		for _, r := range tab.Rows {
			for j, c := range r.Cells {
				if !published(c.String()) {
					t.Errorf("%s: %s × %s is %s: not * or a multiple of 5", tab.ID, r.Label, tab.Columns[j], c)
				}
				cols[j] = append(cols[j], c)
			}
			if got, want := r.Total, disclosure.Sum(r.Cells...); got != want {
				t.Errorf("%s: the total of %s is %s, the sum of its published cells %s", tab.ID, r.Label, got, want)
			}
			if !published(r.Total.String()) {
				t.Errorf("%s: the total of %s is %s", tab.ID, r.Label, r.Total)
			}
		}
		for j := range tab.Columns {
			if got, want := tab.Totals[j], disclosure.Sum(cols[j]...); got != want {
				t.Errorf("%s: the total of %s is %s, the sum of its published cells %s", tab.ID, tab.Columns[j], got, want)
			}
		}
		if got, want := tab.Total, disclosure.Sum(tab.Totals...); got != want {
			t.Errorf("%s: the grand total is %s, the sum of the column totals %s", tab.ID, got, want)
		}
	}
}

var (
	tableRE = regexp.MustCompile(`(?s)<table class="dsr-table" id="([a-z-]+)-table">(.*?)</table>`)
	rowRE   = regexp.MustCompile(`(?s)<tr>(.*?)</tr>`)
	numRE   = regexp.MustCompile(`<td class="dsr-num">([^<]*)</td>`)
)

// checkHTML reads the numbers back out of the rendered tables: each is
// published, and each is the model's cell, row total or column total in
// its place.
func checkHTML(t tb, b *report.Board, page string) {
	t.Helper()
	byID := map[string]*report.Table{}
	for _, tab := range b.Tables() {
		byID[tab.ID] = tab
	}
	found := 0
	for _, m := range tableRE.FindAllStringSubmatch(page, -1) {
		tab, ok := byID[m[1]]
		if !ok {
			t.Fatalf("the page has a table %q the model does not", m[1])
		}
		found++
		var want [][]string
		for _, r := range tab.Rows {
			var row []string
			for _, c := range r.Cells {
				row = append(row, c.String())
			}
			if len(tab.Columns) > 1 {
				row = append(row, r.Total.String())
			}
			want = append(want, row)
		}
		var foot []string
		for _, c := range tab.Totals {
			foot = append(foot, c.String())
		}
		if len(tab.Columns) > 1 {
			foot = append(foot, tab.Total.String())
		}
		want = append(want, foot)
		var got [][]string
		for _, r := range rowRE.FindAllStringSubmatch(m[2], -1) {
			nums := numRE.FindAllStringSubmatch(r[1], -1)
			if len(nums) == 0 {
				continue // the header row
			}
			var row []string
			for _, n := range nums {
				if !published(n[1]) {
					t.Errorf("%s: the page shows %q", tab.ID, n[1])
				}
				row = append(row, n[1])
			}
			got = append(got, row)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: the page shows %v, the model %v", tab.ID, got, want)
		}
	}
	if found != len(byID) {
		t.Errorf("the page has %d of the %d tables", found, len(byID))
	}
}

func boardPage(t tb, b *report.Board) string {
	var out bytes.Buffer
	if err := report.WriteBoardHTML(&out, b); err != nil {
		t.Fatalf("%v", err)
	}
	return out.String()
}

// TestBoardPublishesCounts0To12 builds a register for each n from 0 to
// 12 whose cells hold n and 12-n, and checks each published figure (R-REPORT-1:
// 0 is 0, 1 to 4 is *, 5 to 7 is 5, 8 to 12 is 10) in the model and in
// the rendered page, with every total computed from the rounded cells.
func TestBoardPublishesCounts0To12(t *testing.T) {
	for n := 0; n <= 12; n++ {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			f := newFixture(t)
			for i := range n {
				id := fmt.Sprintf("a-%02d", i)
				f.add(id, day("2026-06-01"), green)
				f.admit(id, day("2026-07-10"))
			}
			for i := range 12 - n {
				f.add(fmt.Sprintf("b-%02d", i), day("2026-07-05"), crisis)
			}
			for i := range n {
				f.refer(fmt.Sprintf("ref-%02d", i), day("2026-07-01"), day("2026-07-04"), register.Accept)
			}
			b, err := report.NewBoard(ctx, f.reg, q3, report.BoardOptions{Today: day("2026-10-15")})
			require.NoError(t, err)
			checkTables(t, b)
			page := boardPage(t, b)
			checkHTML(t, b, page)

			pub, rest := disclosure.Of(n).String(), disclosure.Of(12-n).String()
			for _, c := range []struct {
				tab       *report.Table
				row, col  string
				want, why string
			}{
				{&b.Ratings, "Blue", "People", pub, "the admitted"},
				{&b.Ratings, "Red", "People", rest, "the joiners in crisis"},
				{&b.Movement, "Green", "Blue", pub, "green to blue"},
				{&b.Movement, "Not on the register", "Red", rest, "joined, red"},
				{&b.Admissions, "Admissions", "July", pub, "admissions"},
				{&b.LengthOfStay, "4 weeks to 3 months", "Current inpatients", pub, "in since 10 July"},
				{&b.Referrals, "Accepted", "0 to 7 days", pub, "accepted in 3 days"},
			} {
				if got := cell(t, c.tab, c.row, c.col); got != c.want {
					t.Errorf("%s (%s): %s, want %s", c.tab.ID, c.why, got, c.want)
				}
			}
			total := disclosure.Sum(disclosure.Of(n), disclosure.Of(12-n))
			if b.Ratings.Total != total {
				t.Errorf("ratings total %s, want the sum of the published cells %s", b.Ratings.Total, total)
			}
			if !strings.Contains(page, `<td class="dsr-num">`+total.String()+`</td></tr></tfoot>`) {
				t.Errorf("the page does not show the ratings total %s", total)
			}
		})
	}
}

// TestBoardNeverPublishesASmallNumber is the property over random
// registers: no published count is 1 to 4, and the totals of every table
// are the sums of its published cells, in the model and on the page.
func TestBoardNeverPublishesASmallNumber(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		f := newFixture(t)
		people := rapid.IntRange(0, 30).Draw(rt, "people")
		days := func(label string) calendar.Date {
			return day("2026-05-01").AddDays(rapid.IntRange(0, 150).Draw(rt, label))
		}
		type plan struct {
			id         string
			joined     calendar.Date
			circ       dsr.Circumstances
			admit      calendar.Date
			stay       int
			review     int
			leave      int
			reviewKind string
		}
		var plans []plan
		for i := range people {
			p := plan{id: fmt.Sprintf("p-%02d", i), joined: days("joined")}
			if rapid.Bool().Draw(rt, "crisis") {
				p.circ = crisis
			}
			if rapid.Bool().Draw(rt, "admitted") {
				p.admit = p.joined.AddDays(rapid.IntRange(1, 60).Draw(rt, "admit"))
				p.stay = rapid.IntRange(0, 90).Draw(rt, "stay")
			}
			p.review = rapid.IntRange(0, 40).Draw(rt, "review")
			p.reviewKind = rapid.SampledFrom([]string{dsr.ReviewCommunity, dsr.ReviewPostAdmission, dsr.ReviewInpatient}).Draw(rt, "kind")
			p.leave = rapid.IntRange(0, 3).Draw(rt, "leave")
			plans = append(plans, p)
		}
		// Write in date order per person; people are independent streams.
		for _, p := range plans {
			f.add(p.id, p.joined, p.circ)
			last := p.joined
			if p.review > 0 {
				last = p.joined.AddDays(p.review)
				if p.admit.IsZero() || last.Before(p.admit) {
					f.review(p.id, last, dsr.ReviewCommunity)
				}
			}
			if !p.admit.IsZero() && p.admit.After(last) {
				f.admit(p.id, p.admit)
				last = p.admit
				if p.review > 0 {
					last = p.admit.AddDays(p.review % 30)
					f.review(p.id, last, p.reviewKind)
				}
				if p.stay > 0 && p.admit.AddDays(p.stay).After(last) {
					last = p.admit.AddDays(p.stay)
					f.discharge(p.id, last)
				}
			}
			switch p.leave {
			case 1:
				f.remove(p.id, last.AddDays(3), register.RemovedMovedArea)
			case 2:
				f.record(p.id, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: last.AddDays(2), By: dsr.BySelf})
			}
		}
		refs := rapid.IntRange(0, 15).Draw(rt, "referrals")
		for i := range refs {
			rec := days("received")
			var dec calendar.Date
			out := register.Accept
			if rapid.Bool().Draw(rt, "decided") {
				dec = rec.AddDays(rapid.IntRange(0, 40).Draw(rt, "decision days"))
				if rapid.Bool().Draw(rt, "declined") {
					out = register.Decline
				}
			}
			f.refer(fmt.Sprintf("ref-%02d", i), rec, dec, out)
		}
		b, err := report.NewBoard(ctx, f.reg, q3, report.BoardOptions{Today: day("2026-10-15")})
		if err != nil {
			rt.Fatalf("%v", err)
		}
		checkTables(rt, b)
		checkHTML(rt, b, boardPage(rt, b))
	})
}
