package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Quarter is a calendar quarter: 2026Q3 is July to September 2026. Its
// days are civil dates in Europe/London.
type Quarter struct {
	Year int `json:"year"`
	// Q is 1 to 4.
	Q int `json:"q"`
}

// ParseQuarter parses "2026Q3" (or "2026-Q3", any case). Anything else is
// an error wrapping dsr.ErrInvalid naming the field "quarter".
func ParseQuarter(s string) (Quarter, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	y, q, ok := strings.Cut(strings.Replace(t, "-Q", "Q", 1), "Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || n < 1 || n > 4 || year < 1900 {
		return Quarter{}, &dsr.ValidationError{Field: "quarter", Problem: fmt.Sprintf("%q is not a quarter such as 2026Q3", s)}
	}
	return Quarter{Year: year, Q: n}, nil
}

// QuarterOf is the quarter d falls in.
func QuarterOf(d calendar.Date) Quarter {
	return Quarter{Year: d.Year(), Q: (int(d.Month())-1)/3 + 1}
}

// First is the quarter's first day.
func (q Quarter) First() calendar.Date {
	return calendar.NewDate(q.Year, time.Month(3*(q.Q-1)+1), 1)
}

// Last is the quarter's last day.
func (q Quarter) Last() calendar.Date { return q.First().AddMonths(3).AddDays(-1) }

// Contains reports whether d is one of the quarter's days.
func (q Quarter) Contains(d calendar.Date) bool {
	return !d.Before(q.First()) && !d.After(q.Last())
}

// String is "2026Q3".
func (q Quarter) String() string { return fmt.Sprintf("%04dQ%d", q.Year, q.Q) }

// Title is "July to September 2026".
func (q Quarter) Title() string {
	f, l := q.First(), q.Last()
	return fmt.Sprintf("%s to %s %d", f.Month(), l.Month(), q.Year)
}

// MarshalText writes "2026Q3".
func (q Quarter) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText reads what ParseQuarter reads.
func (q *Quarter) UnmarshalText(b []byte) error {
	v, err := ParseQuarter(string(b))
	if err != nil {
		return err
	}
	*q = v
	return nil
}
