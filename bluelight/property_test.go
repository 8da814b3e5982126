package bluelight_test

import (
	"math"
	"math/big"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/bluelight"
)

// R-BL-FUND: whatever is asked, and whatever cap the area sets, an
// authorised package never runs past the cap in elapsed hours; within the
// cap, a valid request from an accredited provider at the default split is
// authorised.
func TestPropertyFundedHoursNeverExceedCap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := bluelight.DefaultParams()
		p.MaxFundedHours = rapid.IntRange(1, 240).Draw(t, "cap_hours")
		rules, err := bluelight.NewGoRules(p)
		if err != nil {
			t.Fatal(err)
		}
		// Any start within 2020-2030, so spring and autumn clock changes are crossed.
		start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.Int64Range(0, 10*365*24*60).Draw(t, "start_min")) * time.Minute)
		length := time.Duration(rapid.Int64Range(1, 300*3600).Draw(t, "length_s")) * time.Second
		o := opening(start.Add(time.Duration(rapid.IntRange(0, 120).Draw(t, "call_before_start_min")) * -time.Minute))
		m, err := bluelight.Open(ctx, rules, o)
		if err != nil {
			t.Fatal(err)
		}
		req := homePackage(start, 0)
		req.Stop = start.Add(length)
		req.Cost = bluelight.Pence(rapid.Int64Range(0, 10_000_000).Draw(t, "cost"))
		err = m.Fund(ctx, req)
		limit := time.Duration(p.MaxFundedHours) * time.Hour
		f := m.Record().Funding
		if length > limit {
			if err == nil || f != nil {
				t.Fatalf("%v over a cap of %v was authorised", length, limit)
			}
			return
		}
		if err != nil {
			t.Fatalf("%v within a cap of %v refused: %v", length, limit, err)
		}
		if f.Duration() > limit {
			t.Fatalf("funded %v over the cap %v", f.Duration(), limit)
		}
	})
}

// R-BL-FUND: the local authority's and health's shares add up to the
// total, to the penny, for any total and any split; the local authority's
// share is the exact product rounded down.
func TestPropertySharesAddUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		total := bluelight.Pence(rapid.OneOf(
			rapid.Int64Range(0, 1_000_000),
			rapid.Int64Range(0, math.MaxInt64),
			rapid.SampledFrom([]int64{0, 1, math.MaxInt64, math.MaxInt64 - 1}),
		).Draw(t, "total"))
		la := rapid.IntRange(0, bluelight.WholeBP).Draw(t, "la_bp")
		s := bluelight.Split{LocalAuthorityBP: la, HealthBP: bluelight.WholeBP - la}
		if err := s.Validate("split"); err != nil {
			t.Fatal(err)
		}
		a, h := s.Shares(total)
		if a+h != total || a < 0 || h < 0 {
			t.Fatalf("%s %s: la %d + health %d != %d", total, s, a, h, total)
		}
		want := new(big.Int).Mul(big.NewInt(int64(total)), big.NewInt(int64(la)))
		want.Quo(want, big.NewInt(bluelight.WholeBP))
		if want.Int64() != int64(a) {
			t.Fatalf("%s %s: la %d, want %s", total, s, a, want)
		}
	})
}

// R-BL-STEPS: whatever order steps are attempted and closing is tried in, a
// closed meeting has its decision and record steps, the steps recorded are
// the first n in order, and a refused operation changes nothing.
func TestPropertyClosedMeetingHasDecisionAndRecord(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		call := london("2026-10-23 20:00")
		m := open(t, call)
		ops := rapid.IntRange(0, 30).Draw(t, "ops")
		for i := 0; i < ops; i++ {
			before := m.Record()
			var err error
			switch rapid.IntRange(0, 5).Draw(t, "op") {
			case 0, 1, 2:
				s := bluelight.Step(rapid.IntRange(0, 8).Draw(t, "step"))
				notes := rapid.SampledFrom([]string{"", "notes"}).Draw(t, "notes")
				err = m.Complete(s, notes)
			case 3:
				err = m.Close(call.Add(time.Hour), bluelight.Outcome{SustainablePlacement: rapid.Bool().Draw(t, "ok")})
			case 4:
				o := bluelight.Option(rapid.IntRange(0, 5).Draw(t, "option"))
				if rapid.Bool().Draw(t, "reject") {
					err = m.Reject(o, rapid.SampledFrom([]string{"", "no capacity"}).Draw(t, "reason"))
				} else {
					err = m.Choose(bluelight.Choice{Option: o})
				}
			case 5:
				err = m.Attend(bluelight.Attendee{Role: bluelight.Role(rapid.IntRange(0, 20).Draw(t, "role"))})
			}
			if err != nil && !reflect.DeepEqual(before, m.Record()) {
				t.Fatalf("a refused operation changed the record: %v", err)
			}
		}
		rec := m.Record()
		for i, s := range rec.Steps {
			if s.Step != bluelight.Steps[i] {
				t.Fatalf("step %d is %s", i, s.Step)
			}
		}
		if m.Closed() && (!m.Completed(bluelight.StepDecision) || !m.Completed(bluelight.StepRecord)) {
			t.Fatalf("closed with steps %v", rec.Steps)
		}
		if rec.Choice != nil {
			for _, o := range bluelight.Options {
				if o < rec.Choice.Option && !hasRejection(rec, o) {
					t.Fatalf("chose %s without rejecting %s", rec.Choice.Option, o)
				}
			}
		}
	})
}

func hasRejection(rec bluelight.Record, o bluelight.Option) bool {
	for _, r := range rec.Rejections {
		if r.Option == o && r.Reason != "" {
			return true
		}
	}
	return false
}
