package policytest

import (
	"math/bits"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies/policycheck"
)

// Case generates valid cases with policycheck.DefaultMix.
func Case() *rapid.Generator[dsr.Case] { return CaseWith(policycheck.DefaultMix) }

// CaseWith generates valid cases drawn from mix, for rapid: the population
// of policycheck.Generator, but a failing case shrinks towards a younger
// person with fewer facts and a shorter history.
func CaseWith(mix policycheck.Mix) *rapid.Generator[dsr.Case] {
	return rapid.Custom(func(t *rapid.T) dsr.Case {
		return policycheck.DrawCase(rapidSource{t}, mix, rapid.IntRange(0, 999_999).Draw(t, "seq"))
	})
}

// History draws a valid, time-ordered history between birth and asOf with
// policycheck.DefaultMix's rates and at most maxEvents events (no bound
// when maxEvents ≤ 0), for rapid properties that build their own person.
func History(t *rapid.T, dob, asOf calendar.Date, maxEvents int) []dsr.Event {
	return policycheck.DrawHistory(rapidSource{t}, dob, asOf, maxEvents)
}

// rapidSource is a policycheck.Source whose choices rapid records, to
// shrink a failing case towards the simplest choices.
type rapidSource struct{ t *rapid.T }

func (rapidSource) Scale() int { return 1 << 10 }

var bit = rapid.Bool()

// IntN draws bits one at a time: rapid's integer generators favour small
// values (good for edge cases, bad for a population mix: a 35% chance
// would come out nearer 10%), while a bit is a fair coin. Shrinking turns
// bits off, towards 0. Out-of-range values are redrawn a few times, then
// clamped.
func (s rapidSource) IntN(label string, n int) int {
	if n <= 1 {
		return 0
	}
	width := bits.Len(uint(n - 1))
	u := 0
	for range 4 {
		u = 0
		for range width {
			u <<= 1
			if bit.Draw(s.t, label) {
				u |= 1
			}
		}
		if u < n {
			return u
		}
	}
	return n - 1
}
