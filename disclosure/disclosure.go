// Package disclosure applies R-REPORT-1 to counts that leave the team: a
// board report, a national return, an export marked for sharing.
//
// A count from 1 to 4 is published as "*"; every other count is rounded
// to the nearest 5. Totals are worked out from the published cells, never
// from the exact figures, so a reader cannot subtract one published
// figure from another to recover a small number; percentages are worked
// out from published figures or suppressed with them. The team's own
// worklist shows exact figures and does not use this package.
package disclosure

import (
	"encoding/json"
	"strconv"
)

// Count is a count as published: suppressed, or a multiple of 5. The zero
// Count is a published 0.
type Count struct {
	n          int
	suppressed bool
}

// Of publishes the exact count n: 0 stays 0, 1 to 4 is suppressed, and
// anything else is rounded to the nearest multiple of 5 (an integer is
// never half-way between two). A negative n is treated as 0: counts of
// people are never negative, and publishing one would be a bug's output.
func Of(n int) Count {
	switch {
	case n <= 0:
		return Count{}
	case n < 5:
		return Count{suppressed: true}
	}
	return Count{n: (n + 2) / 5 * 5}
}

// Suppressed reports whether the count is published as "*".
func (c Count) Suppressed() bool { return c.suppressed }

// Value returns the published figure and true, or 0 and false when the
// count is suppressed.
func (c Count) Value() (int, bool) { return c.n, !c.suppressed }

// String is the count as printed: "*" or the rounded figure.
func (c Count) String() string {
	if c.suppressed {
		return "*"
	}
	return strconv.Itoa(c.n)
}

// MarshalJSON writes the published figure as a number, or "*" as a string.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.suppressed {
		return []byte(`"*"`), nil
	}
	return json.Marshal(c.n)
}

// Sum is the total of a row or column of published cells: the sum of the
// published figures, suppressed cells adding nothing. A total of 0 over
// cells some of which are suppressed is itself suppressed: the people are
// there, and "0" would say they are not. Sum of nothing is 0.
func Sum(cells ...Count) Count {
	total, hidden := 0, false
	for _, c := range cells {
		if c.suppressed {
			hidden = true
			continue
		}
		total += c.n
	}
	if total == 0 && hidden {
		return Count{suppressed: true}
	}
	return Count{n: total}
}

// Percent is part as a percentage of whole, both published counts, to
// whole percent: "*" when either is suppressed, "-" when whole is 0.
func Percent(part, whole Count) string {
	if part.suppressed || whole.suppressed {
		return "*"
	}
	if whole.n == 0 {
		return "-"
	}
	return strconv.Itoa((part.n*100+whole.n/2)/whole.n) + "%"
}
