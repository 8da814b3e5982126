package server

import (
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

func TestUntilNextDay(t *testing.T) {
	for _, c := range []struct {
		now  string
		want time.Duration
	}{
		{"2026-12-04T23:00:00Z", 61 * time.Minute},                            // GMT
		{"2026-07-01T22:30:00Z", 31 * time.Minute},                            // BST: midnight is 23:00Z
		{"2026-03-28T12:00:00Z", 12*time.Hour + time.Minute},                  // the night before the clocks go forward
		{"2026-03-29T00:30:00Z", 22*time.Hour + 30*time.Minute + time.Minute}, // a 23-hour day: 01:30 BST to midnight
	} {
		now, _ := time.Parse(time.RFC3339, c.now)
		if got := untilNextDay(now); got != c.want {
			t.Errorf("%s: %s, want %s", c.now, got, c.want)
		}
		if d := calendar.DateOf(now.Add(untilNextDay(now))); d != calendar.DateOf(now).AddDays(1) {
			t.Errorf("%s: wakes on %s", c.now, d)
		}
	}
}
