package report_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr/cetrtest"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/report"
)

func ExampleParseQuarter() {
	q, err := report.ParseQuarter("2026Q3")
	fmt.Println(q, q.Title(), q.First(), q.Last(), err)
	_, err = report.ParseQuarter("2026Q5")
	fmt.Println(err)
	// Output:
	// 2026Q3 July to September 2026 2026-07-01 2026-09-30 <nil>
	// quarter: "2026Q5" is not a quarter such as 2026Q3
}

// The board report of a register of seven people, all GREEN: 7 is
// published as 5 (R-REPORT-1), and the total is the sum of what is shown.
func ExampleNewBoard() {
	f := newFixture(&testing.T{})
	for i := range 7 {
		f.add(fmt.Sprintf("p-%d", i), calendar.MustParseDate("2026-06-01"), dsr.Circumstances{})
	}
	b, err := report.NewBoard(context.Background(), f.reg, report.Quarter{Year: 2026, Q: 3},
		report.BoardOptions{Today: calendar.MustParseDate("2026-10-15")})
	if err != nil {
		panic(err)
	}
	for _, r := range b.Ratings.Rows {
		fmt.Println(r.Label, r.Cells[0], r.Percent)
	}
	fmt.Println("total", b.Ratings.Total)
	var page strings.Builder
	if err := report.WriteBoardHTML(&page, b); err != nil {
		panic(err)
	}
	fmt.Println(strings.HasPrefix(page.String(), "<!DOCTYPE html>"), strings.Contains(string(report.BoardFragment(b)), "<svg"))
	// Output:
	// Red 0 0%
	// Amber 0 0%
	// Green 5 100%
	// Blue 0 0%
	// Not rated 0 0%
	// Records since erased 0 0%
	// total 5
	// true true
}

func ExampleReviewSummaryHTML() {
	r := cetrtest.HeldReview(&testing.T{})
	var page strings.Builder
	if err := report.ReviewSummaryHTML(&page, r); err != nil {
		panic(err)
	}
	for _, line := range strings.Split(page.String(), "\n") {
		if strings.HasPrefix(line, "<h1>") || strings.HasPrefix(line, "<h2>") {
			fmt.Println(line)
		}
	}
	// Output:
	// <h1>CETR review-1: community review</h1>
	// <h2>Consent (R-CETR-CONSENT)</h2>
	// <h2>Panel (R-CETR-PANEL)</h2>
	// <h2>Key lines of enquiry (R-CETR-KLOE)</h2>
	// <h2>Recommendations (R-CETR-ACT)</h2>
	// <h2>Report (R-CETR-REPORT)</h2>
}
