package report

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/disclosure"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// Board is the quarterly report to the joint commissioning board
// (R-REPORT-2), every count published under R-REPORT-1 (a count from 1 to
// 4 is "*", others are rounded to the nearest 5, totals are sums of the
// published cells). It marshals to JSON as the page shows it.
type Board struct {
	Quarter Quarter `json:"quarter"`
	// Area names the register's area, when the caller gives one.
	Area string `json:"area,omitempty"`
	// From and To are the quarter's first and last days; AsOf is the day
	// the figures are as of: To, or today for the quarter in progress.
	From    calendar.Date `json:"from"`
	To      calendar.Date `json:"to"`
	AsOf    calendar.Date `json:"as_of"`
	Partial bool          `json:"partial,omitempty"`
	// Ratings: people on the register at AsOf by rating of record.
	Ratings Table `json:"ratings"`
	// Movement: people by rating of record at the start of the quarter
	// (the day before From), rows, and at AsOf, columns; joining and
	// leaving the register included.
	Movement Table `json:"movement"`
	// Admissions and discharges in the quarter, by month.
	Admissions Table `json:"admissions"`
	// LengthOfStay: completed spells (discharged in the quarter) and
	// current inpatients at AsOf, by length of stay.
	LengthOfStay Table `json:"length_of_stay"`
	// Reviews: C(E)TRs by kind, held on time or late against the due date
	// the rules gave, held with none due, or due in the quarter and not
	// held by AsOf; each row's Percent is on time as a share of on time
	// and late.
	Reviews Table `json:"reviews"`
	// BlueLight: Blue Light meetings called in the quarter by the option
	// chosen and outcome.
	BlueLight Table `json:"blue_light"`
	// Consent: people who refused or withdrew consent in the quarter.
	Consent Table `json:"consent"`
	// Referrals: requests to join decided in the quarter, by outcome and
	// time to decision; and those undecided at AsOf, by time waiting.
	Referrals Table `json:"referrals"`
}

// Tables lists the board's tables in page order.
func (b *Board) Tables() []*Table {
	return []*Table{&b.Ratings, &b.Movement, &b.Admissions, &b.LengthOfStay, &b.Reviews, &b.BlueLight, &b.Consent, &b.Referrals}
}

// The states of the movement table.
const (
	stateOff  = "Not on the register"
	stateLeft = "Left the register"
	stateGone = "On the register, records since erased"
	// stateErased is someone on the register at the end whose records
	// have been erased since (consent withdrawn after the quarter): their
	// rating is not kept.
	stateErased = "Records since erased"
	stateNoRat  = "Not rated"
)

// ratingRows are the ratings in the order the board reads them.
var ratingRows = []dsr.Rating{dsr.Red, dsr.Amber, dsr.Green, dsr.Blue, dsr.Unrated}

func ratingLabel(r dsr.Rating) string {
	if r == dsr.Unrated {
		return stateNoRat
	}
	s := r.String()
	return string(s[0]-'a'+'A') + s[1:]
}

func ratingIndex(r dsr.Rating) int { return slices.Index(ratingRows, r) }

// Length-of-stay bands, in days: a stay of d days is in the first band
// whose bound is above d.
var (
	stayBounds = []int{28, 91, 183, 365, 730}
	stayBands  = []string{"Under 4 weeks", "4 weeks to 3 months", "3 to 6 months", "6 to 12 months", "1 to 2 years", "2 years or more"}
	// Referral decision-time bands, in days from received.
	decisionBounds = []int{8, 15, 29}
	decisionBands  = []string{"0 to 7 days", "8 to 14 days", "15 to 28 days", "Over 28 days"}
)

func band(bounds []int, d int) int {
	for i, b := range bounds {
		if d < b {
			return i
		}
	}
	return len(bounds)
}

// reviewKinds are the C(E)TRs the board counts, with the actions the
// rules give for each: a review_held of the kind answers them.
type reviewKind struct {
	kind    string
	label   string
	actions []dsr.ActionKind
}

var reviewKinds = []reviewKind{
	{dsr.ReviewCommunity, "Community (before admission)", []dsr.ActionKind{dsr.ActionCommunityReview, dsr.ActionReviewAfterBlueLight}},
	{dsr.ReviewPostAdmission, "Post-admission", []dsr.ActionKind{dsr.ActionPostAdmissionReview}},
	{dsr.ReviewInpatient, "Inpatient", []dsr.ActionKind{dsr.ActionInpatientReview, dsr.ActionSixWeekReview}},
}

func reviewKindOfAction(k dsr.ActionKind) int {
	return slices.IndexFunc(reviewKinds, func(rk reviewKind) bool {
		return slices.Contains(rk.actions, k)
	})
}

const (
	revOnTime = iota
	revLate
	revNoneDue
	revNotHeld
)

// Blue Light outcome columns.
const (
	blSatisfactory = iota
	blUnsatisfactory
	blOpen
)

// Consent rows.
const (
	conReviewRefused = iota
	conReviewWithdrawn
	conSharingWithdrawn
	conRegisterWithdrawn
)

// Counter counts work done; Add is called from several goroutines (a
// progress line's counter, such as the CLI's).
type Counter interface{ Add(n int) }

// BoardOptions are the inputs of NewBoard besides the register and the
// quarter.
type BoardOptions struct {
	// Today is the register's today: figures are as of the quarter's last
	// day or Today, whichever is earlier (required).
	Today calendar.Date
	// Area names the area in the title (optional).
	Area string
	// Progress, when set, counts the people read (from several
	// goroutines): a command's progress line.
	Progress Counter
	// AssessStart assesses everyone whole on the day before the quarter,
	// as on its last day, rather than asking the rules for their rating
	// alone (register.Scanned.RatingOn), which is all the board reads of
	// that day. The board is the same either way (a test proves it, with
	// Rego and CEL bundles); off, the default, is faster: about half of
	// the assessments' cost with the Rego bundle.
	AssessStart bool
}

// NewBoard builds the board report for quarter q from the register: one
// pass over every person's records (register.Register.Scan, people in
// parallel), rating each on the day before the quarter (the rating alone,
// where the rules can give it: register.Scanned.RatingOn; see
// BoardOptions.AssessStart) and assessing them on its last day (or
// today), and one over the requests to join. Erased people count
// only where their clear audit trail says enough: joining, and leaving by
// withdrawing consent.
func NewBoard(ctx context.Context, reg *register.Register, q Quarter, opts BoardOptions) (*Board, error) {
	if opts.Today.IsZero() {
		return nil, &dsr.ValidationError{Field: "today", Problem: "required: the board report's figures are as of today at the latest"}
	}
	b := &Board{Quarter: q, Area: opts.Area, From: q.First(), To: q.Last(), AsOf: q.Last()}
	if opts.Today.Before(b.AsOf) {
		b.AsOf, b.Partial = opts.Today, true
	}
	if b.AsOf.Before(b.From) {
		return nil, &dsr.ValidationError{Field: "quarter", Problem: fmt.Sprintf("%s has not started (today is %s)", q, opts.Today)}
	}
	start := b.From.AddDays(-1)
	fromStates := append(append([]string{stateOff}, labels(ratingRows)...), stateGone)
	toStates := append(labels(ratingRows), stateErased, stateLeft)
	erasedCol, leftCol := len(toStates)-2, len(toStates)-1
	ratingStates := append(labels(ratingRows), stateErased)
	flow := newMatrix(len(fromStates), len(toStates))
	ratings := newMatrix(len(ratingStates), 1)
	months := []string{}
	for m := range 3 {
		months = append(months, b.From.AddMonths(m).Month().String())
	}
	adm := newMatrix(2, 3)
	stays := newMatrix(len(stayBands), 2)
	revs := newMatrix(len(reviewKinds), 4)
	blRows := append(optionTitles(), "No option chosen")
	bl := newMatrix(len(blRows), 3)
	cons := newMatrix(4, 1)
	refRows := []string{"Accepted", "Declined", "Not yet decided"}
	refs := newMatrix(len(refRows), len(decisionBands))
	inQuarter := func(d calendar.Date) bool { return !d.Before(b.From) && !d.After(b.AsOf) }

	// One pass over everyone, in parallel: the ratings on the day before
	// the quarter, the assessments on AsOf and the review-day ones,
	// outside the lock; the counting under it.
	var mu sync.Mutex
	err := reg.Scan(ctx, func(s *register.Scanned) error {
		if opts.Progress != nil {
			opts.Progress.Add(1)
		}
		if s.Erased {
			// The clear trail says when they joined and left: on the
			// register at the start or the end, their ratings not kept.
			mu.Lock()
			defer mu.Unlock()
			atStart, atEnd := s.Held(start), s.Held(b.AsOf)
			switch {
			case atStart && atEnd:
				flow[len(fromStates)-1][erasedCol]++
			case atStart:
				flow[len(fromStates)-1][leftCol]++
			case atEnd:
				flow[0][erasedCol]++
			}
			if atEnd {
				ratings[len(ratingStates)-1][0]++
			}
			if inQuarter(s.Left) {
				cons[conRegisterWithdrawn][0]++
			}
			return nil
		}
		var before register.Position
		var err error
		if opts.AssessStart {
			before, err = s.On(ctx, start)
		} else {
			before, err = s.RatingOn(ctx, start)
		}
		if err != nil {
			return err
		}
		after, err := s.On(ctx, b.AsOf)
		if err != nil {
			return err
		}
		events := slices.Clone(s.Events)
		slices.SortStableFunc(events, func(a, b dsr.Event) int { return a.Day().Compare(b.Day()) })
		held := map[int]int{} // review event index → column
		for i := range events {
			e := &events[i]
			k := slices.IndexFunc(reviewKinds, func(rk reviewKind) bool { return rk.kind == e.Kind })
			if e.Type != dsr.EventReviewHeld || !inQuarter(e.Day()) || k < 0 {
				continue
			}
			col, err := onTime(ctx, s, e, reviewKinds[k].actions)
			if err != nil {
				return err
			}
			held[i] = col
		}
		var reviews []*cetr.Review
		var meetings []*bluelight.Meeting
		for _, d := range s.Documents {
			switch d.Kind {
			case register.ReviewKind:
				rv, err := register.ReviewFromDocument(d)
				if err != nil {
					return err
				}
				reviews = append(reviews, rv)
			case register.MeetingKind:
				m, err := register.MeetingFromDocument(d, nil)
				if err != nil {
					return err
				}
				meetings = append(meetings, m)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case before.Held && after.Held:
			flow[1+ratingIndex(before.RatingOfRecord)][ratingIndex(after.RatingOfRecord)]++
		case before.Held:
			flow[1+ratingIndex(before.RatingOfRecord)][leftCol]++
		case after.Held:
			flow[0][ratingIndex(after.RatingOfRecord)]++
		}
		if after.Held {
			ratings[ratingIndex(after.RatingOfRecord)][0]++
		}
		for _, it := range after.Items {
			if k := reviewKindOfAction(it.Kind); k >= 0 && it.Overdue && !it.DueDate().Before(b.From) {
				revs[k][revNotHeld]++
			}
		}
		seen := map[int]bool{}
		person := func(row int) {
			if !seen[row] {
				seen[row] = true
				cons[row][0]++
			}
		}
		var admitted calendar.Date
		for i := range events {
			e := &events[i]
			d := e.Day()
			if d.After(b.AsOf) {
				continue
			}
			switch e.Type {
			case dsr.EventAdmitted:
				if admitted.IsZero() {
					admitted = d
				}
				if inQuarter(d) {
					adm[0][monthIndex(b.From, d)]++
				}
			case dsr.EventDischarged:
				if inQuarter(d) {
					adm[1][monthIndex(b.From, d)]++
					if !admitted.IsZero() {
						stays[band(stayBounds, d.Sub(admitted))][0]++
					}
				}
				admitted = calendar.Date{}
			case dsr.EventConsentWithdrawn:
				if inQuarter(d) && !e.HasScope(dsr.ScopeDSR) {
					if e.HasScope(dsr.ScopeCETR) {
						person(conReviewWithdrawn)
					}
					if e.HasScope(dsr.ScopeSharing) {
						person(conSharingWithdrawn)
					}
				}
			case dsr.EventReviewHeld:
				if col, ok := held[i]; ok {
					k := slices.IndexFunc(reviewKinds, func(rk reviewKind) bool { return rk.kind == e.Kind })
					revs[k][col]++
				}
			}
		}
		if !admitted.IsZero() && s.Held(b.AsOf) {
			stays[band(stayBounds, b.AsOf.Sub(admitted))][1]++
		}
		for _, rv := range reviews {
			switch {
			case inQuarter(rv.Consent.Withdrawn):
				person(conReviewWithdrawn)
			case rv.IsHeld() && inQuarter(rv.Held) && !rv.Consent.Holds() && rv.Consent.Withdrawn.IsZero():
				person(conReviewRefused)
			}
		}
		for _, m := range meetings {
			rec := m.Record()
			if !inQuarter(calendar.DateOf(rec.Notice.CallAt)) {
				continue
			}
			row := len(blRows) - 1
			if rec.Choice != nil {
				row = int(rec.Choice.Option) - 1
			}
			col := blOpen
			if rec.Closed && !calendar.DateOf(rec.ClosedAt).After(b.AsOf) {
				col = blSatisfactory
				if bad, _ := m.Unsatisfactory(); bad {
					col = blUnsatisfactory
				}
			}
			bl[row][col]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = reg.ScanReferrals(ctx, func(r register.ScannedReferral) error {
		rec := r.Referral.Received
		if rec.After(b.AsOf) {
			return nil
		}
		if d := r.Decision; d != nil && !d.Date.After(b.AsOf) {
			if !inQuarter(d.Date) {
				return nil
			}
			row := 0
			if d.Outcome == register.Decline {
				row = 1
			}
			refs[row][band(decisionBounds, d.Date.Sub(rec))]++
			return nil
		}
		refs[2][band(decisionBounds, b.AsOf.Sub(rec))]++
		return nil
	})
	if err != nil {
		return nil, err
	}

	b.Ratings = newTable("ratings", "People on the register by rating of record",
		fmt.Sprintf("Everyone on the register on %s, by the rating the register acts on (the rating agreed by the multi-agency meeting where it stands, otherwise the rules' suggestion). Someone whose consent was withdrawn since then is counted without a rating: their records are erased.", b.AsOf),
		"Rating of record", ratingStates, []string{"People"}, ratings)
	b.Ratings.rowPercents("people on the register")
	b.Movement = newTable("movement", "Movement during the quarter",
		fmt.Sprintf("Rows: rating of record on %s (the day before the quarter), or not on the register then. Columns: rating of record on %s, or left the register.", start, b.AsOf),
		"At the start \\ at the end", fromStates, toStates, flow)
	b.Admissions = newTable("admissions", "Admissions and discharges",
		"Admissions to hospital and discharges from it dated in the quarter, in the histories of people on the register.",
		"", []string{"Admissions", "Discharges"}, months, adm)
	b.LengthOfStay = newTable("length-of-stay", "Length of stay",
		fmt.Sprintf("Completed spells: discharged in the quarter, from admission to discharge. Current inpatients: in hospital on %s, from admission to that day.", b.AsOf),
		"Length of stay", stayBands, []string{"Completed spells", "Current inpatients"}, stays)
	b.Reviews = newTable("reviews", "C(E)TRs held on time",
		fmt.Sprintf("Care (education) and treatment reviews held in the quarter, on time or late against the due date the rules gave before the review; held with none due; and due in the quarter but not held by %s. The percentage is on time out of those held on time or late.", b.AsOf),
		"Kind of review", reviewLabels(), []string{"Held on time", "Held late", "Held, none due", "Due, not held"}, revs)
	for i := range b.Reviews.Rows {
		r := &b.Reviews.Rows[i]
		r.Percent = percent(r.Cells[revOnTime], r.Cells[revOnTime], r.Cells[revLate])
	}
	b.Reviews.PercentOf = "on time"
	b.BlueLight = newTable("blue-light", "Blue Light meetings and their outcomes",
		"Blue Light meetings called in the quarter, by the option chosen and the outcome: a sustainable placement with funding agreed, unsatisfactory (escalated to the directors of commissioning), or not yet closed.",
		"Option chosen", blRows, []string{"Sustainable, funded", "Unsatisfactory", "Not closed"}, bl)
	b.Consent = newTable("consent", "Consent refused and withdrawn",
		"People, each counted once a row. A refusal of consent to be on the register leaves no record (the register holds nothing without consent), so refusals here are of consent to a C(E)TR at a review held in the quarter.",
		"", []string{"Consent to a C(E)TR refused or not given", "Consent to a C(E)TR withdrawn", "Consent to share information withdrawn", "Consent to be on the register withdrawn (records erased)"},
		[]string{"People"}, cons)
	b.Referrals = newTable("referrals", "Requests to join the register",
		fmt.Sprintf("Requests decided in the quarter, by outcome and days from receipt to decision; and requests not decided by %s, by days waiting.", b.AsOf),
		"Outcome", refRows, decisionBands, refs)
	return b, nil
}

// onTime says whether the review e of the scanned person was held on time:
// the rules' due date for the review, from the case as of that day without
// this review, against the day it was held.
func onTime(ctx context.Context, s *register.Scanned, e *dsr.Event, kinds []dsr.ActionKind) (int, error) {
	held := *e
	a, err := s.AssessWithout(ctx, e.Day(), func(x *dsr.Event) bool {
		return x.Type == held.Type && x.Day() == held.Day() && x.Kind == held.Kind && x.At.Equal(held.At)
	})
	if err != nil {
		return 0, err
	}
	var due calendar.Date
	for _, act := range a.Actions {
		if slices.Contains(kinds, act.Kind) && (due.IsZero() || act.DueDate().Before(due)) {
			due = act.DueDate()
		}
	}
	switch {
	case due.IsZero():
		return revNoneDue, nil
	case e.Day().After(due):
		return revLate, nil
	}
	return revOnTime, nil
}

func monthIndex(from, d calendar.Date) int {
	return min(2, max(0, (d.Year()-from.Year())*12+int(d.Month())-int(from.Month())))
}

func labels(rs []dsr.Rating) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = ratingLabel(r)
	}
	return out
}

func reviewLabels() []string {
	out := make([]string, len(reviewKinds))
	for i, k := range reviewKinds {
		out[i] = k.label
	}
	return out
}

func optionTitles() []string {
	out := make([]string, len(bluelight.Options))
	for i, o := range bluelight.Options {
		out[i] = o.Title()
	}
	return out
}

// percent is part as a share of the sum of of, all published.
func percent(part disclosure.Count, of ...disclosure.Count) string {
	return disclosure.Percent(part, disclosure.Sum(of...))
}
