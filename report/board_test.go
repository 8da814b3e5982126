package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/bluelight/bluelighttest"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
)

var q3 = report.Quarter{Year: 2026, Q: 3}

// handBuilt is a register where every pattern of person is repeated five
// times, so each figure of the board report is a multiple of 5 and
// published exactly (R-REPORT-1 rounds only what is not).
func handBuilt(t *testing.T) *fixture { return handBuiltWith(t, testRules{}) }

func handBuiltWith(t *testing.T, rules dsr.Rules) *fixture {
	f := newFixtureWith(t, rules)
	for i := range 5 {
		id := func(p string) string { return fmt.Sprintf("%s-%d", p, i) }
		// Green throughout.
		f.add(id("green"), day("2026-06-01"), green)
		// Red, admitted 10 July, post-admission review on time (20 July,
		// due 24 July), discharged 20 August (a stay of 41 days): red again.
		f.add(id("red"), day("2026-06-01"), crisis)
		f.admit(id("red"), day("2026-07-10"))
		f.review(id("red"), day("2026-07-20"), dsr.ReviewPostAdmission)
		f.discharge(id("red"), day("2026-08-20"))
		// Joins 5 July, admitted 1 August, review late (25 August, due 15
		// August), still in hospital on 30 September (60 days).
		f.add(id("joiner"), day("2026-07-05"), green)
		f.admit(id("joiner"), day("2026-08-01"))
		f.review(id("joiner"), day("2026-08-25"), dsr.ReviewPostAdmission)
		// Leaves: moved away on 10 August.
		f.add(id("mover"), day("2026-06-01"), green)
		f.remove(id("mover"), day("2026-08-10"), register.RemovedMovedArea)
		// Withdraws consent on 1 September: records erased.
		f.add(id("withdrawer"), day("2026-06-01"), green)
		f.record(id("withdrawer"), dsr.Event{Type: dsr.EventConsentWithdrawn, Date: day("2026-09-01"), By: dsr.BySelf})
		// In crisis from 1 June with no community review: due 15 June, so
		// overdue before the quarter (not counted); another from 1 July
		// reviewed on 10 July (on time) and a Blue Light meeting on 5 August.
		f.add(id("crisis"), day("2026-07-01"), crisis)
		f.review(id("crisis"), day("2026-07-10"), dsr.ReviewCommunity)
		f.meeting(id("crisis"), id("bl"), bluelighttest.London("2026-08-05 18:00"), i%5 < 3)
		// Red from 1 September, no review by 30 September: due 15 September
		// and not held.
		f.add(id("waiting"), day("2026-09-01"), crisis)
		// On the register all quarter, withdraws consent on 5 October:
		// counted at the end without a rating.
		f.add(id("late"), day("2026-06-01"), green)
		f.record(id("late"), dsr.Event{Type: dsr.EventConsentWithdrawn, Date: day("2026-10-05"), By: dsr.BySelf})
	}
	for i := range 5 {
		f.refer(fmt.Sprintf("ref-a-%d", i), day("2026-07-01"), day("2026-07-05"), register.Accept)
		f.refer(fmt.Sprintf("ref-d-%d", i), day("2026-07-01"), day("2026-07-20"), register.Decline)
		f.refer(fmt.Sprintf("ref-u-%d", i), day("2026-09-20"), calendar.Date{}, "")
	}
	f.on(day("2026-10-15"))
	return f
}

// cell is a table's published cell as printed, by row and column label.
func cell(t *testing.T, tb *report.Table, row, col string) string {
	t.Helper()
	for _, r := range tb.Rows {
		if r.Label != row {
			continue
		}
		for j, c := range tb.Columns {
			if c == col {
				return r.Cells[j].String()
			}
		}
	}
	t.Fatalf("%s has no cell %q × %q", tb.ID, row, col)
	return ""
}

func TestBoardFiguresOfAHandBuiltRegister(t *testing.T) {
	f := handBuilt(t)
	b, err := report.NewBoard(ctx, f.reg, q3, report.BoardOptions{Today: day("2026-10-15")})
	require.NoError(t, err)
	assert.False(t, b.Partial)

	// At the end: 5 green, 5 red (discharged), 5 blue (the joiners), 5 red
	// in crisis (reviewed), 5 red waiting.
	assert.Equal(t, "5", cell(t, &b.Ratings, "Green", "People"))
	assert.Equal(t, "15", cell(t, &b.Ratings, "Red", "People"))
	assert.Equal(t, "5", cell(t, &b.Ratings, "Blue", "People"))
	assert.Equal(t, "5", cell(t, &b.Ratings, "Records since erased", "People"), "the late withdrawers")
	assert.Equal(t, "30", b.Ratings.Total.String())
	assert.Equal(t, "50%", b.Ratings.Rows[0].Percent, "red: 15 of 30")

	assert.Equal(t, "5", cell(t, &b.Movement, "Green", "Green"))
	assert.Equal(t, "5", cell(t, &b.Movement, "Red", "Red"))
	assert.Equal(t, "5", cell(t, &b.Movement, "Green", "Left the register"), "the movers")
	assert.Equal(t, "5", cell(t, &b.Movement, "On the register, records since erased", "Left the register"))
	assert.Equal(t, "5", cell(t, &b.Movement, "On the register, records since erased", "Records since erased"), "the late withdrawers")
	assert.Equal(t, "5", cell(t, &b.Movement, "Not on the register", "Blue"))
	assert.Equal(t, "10", cell(t, &b.Movement, "Not on the register", "Red"))

	assert.Equal(t, "5", cell(t, &b.Admissions, "Admissions", "July"))
	assert.Equal(t, "5", cell(t, &b.Admissions, "Admissions", "August"))
	assert.Equal(t, "0", cell(t, &b.Admissions, "Admissions", "September"))
	assert.Equal(t, "5", cell(t, &b.Admissions, "Discharges", "August"))
	assert.Equal(t, "15", b.Admissions.Total.String())

	assert.Equal(t, "5", cell(t, &b.LengthOfStay, "4 weeks to 3 months", "Completed spells"))
	assert.Equal(t, "5", cell(t, &b.LengthOfStay, "4 weeks to 3 months", "Current inpatients"))
	assert.Equal(t, "0", cell(t, &b.LengthOfStay, "Under 4 weeks", "Completed spells"))

	assert.Equal(t, "5", cell(t, &b.Reviews, "Post-admission", "Held on time"))
	assert.Equal(t, "5", cell(t, &b.Reviews, "Post-admission", "Held late"))
	assert.Equal(t, "50%", b.Reviews.Rows[1].Percent)
	assert.Equal(t, "5", cell(t, &b.Reviews, "Community (before admission)", "Held on time"))
	assert.Equal(t, "10", cell(t, &b.Reviews, "Community (before admission)", "Due, not held"),
		"the waiting, and the C(E)TR due 72 hours after each Blue Light meeting (R-BL-FOLLOW), none held")

	assert.Equal(t, "*", cell(t, &b.BlueLight, "Support at home with a package", "Sustainable, funded"), "3 of the 5")
	assert.Equal(t, "*", cell(t, &b.BlueLight, "Support at home with a package", "Unsatisfactory"), "2 of the 5")
	assert.Equal(t, "*", b.BlueLight.Rows[0].Total.String(), "a total of the published cells: * and * add to nothing shown")

	assert.Equal(t, "5", cell(t, &b.Consent, "Consent to be on the register withdrawn (records erased)", "People"))

	assert.Equal(t, "5", cell(t, &b.Referrals, "Accepted", "0 to 7 days"))
	assert.Equal(t, "5", cell(t, &b.Referrals, "Declined", "15 to 28 days"))
	assert.Equal(t, "5", cell(t, &b.Referrals, "Not yet decided", "8 to 14 days"))

	var out bytes.Buffer
	require.NoError(t, report.WriteBoardHTML(&out, b))
	saveArtifact(t, "board-handbuilt.html", out.Bytes())
}

// By default the board asks rules that can rate (dsr.Rater) for the
// ratings alone on the day before the quarter, and assesses no one that
// day; with AssessStart it assesses them. The board is the same either
// way, and with rules that cannot rate (testRules), which are assessed.
func TestBoardRatesTheQuarterStartUnlessAskedToAssessIt(t *testing.T) {
	rules := ratingRules{rates: new(atomic.Int64), assessments: new(atomic.Int64)}
	f := handBuiltWith(t, rules)
	plain := handBuilt(t)
	boards := map[string][]byte{}
	counts := map[string][2]int64{}
	for name, run := range map[string]struct {
		reg  *register.Register
		opts report.BoardOptions
	}{
		"rated":           {f.reg, report.BoardOptions{Today: day("2026-10-15")}},
		"assessed":        {f.reg, report.BoardOptions{Today: day("2026-10-15"), AssessStart: true}},
		"no rater":        {plain.reg, report.BoardOptions{Today: day("2026-10-15")}},
		"no rater, whole": {plain.reg, report.BoardOptions{Today: day("2026-10-15"), AssessStart: true}},
	} {
		rules.rates.Store(0)
		rules.assessments.Store(0)
		b, err := report.NewBoard(ctx, run.reg, q3, run.opts)
		require.NoError(t, err, name)
		boards[name], err = json.Marshal(b)
		require.NoError(t, err)
		counts[name] = [2]int64{rules.rates.Load(), rules.assessments.Load()}
	}
	for name, b := range boards {
		assert.JSONEq(t, string(boards["assessed"]), string(b), name)
	}
	// 15 people on the register on 30 June whose records are kept (the
	// green, the red and the movers; those erased since are counted from
	// the audit trail, unassessed).
	assert.Equal(t, int64(15), counts["rated"][0], "rated on the day before the quarter")
	assert.Equal(t, int64(0), counts["assessed"][0], "rated with AssessStart")
	assert.Equal(t, int64(15), counts["assessed"][1]-counts["rated"][1], "assessments saved")
}
