package progress_test

import (
	"os"
	"time"

	"github.com/dsrkit/dsrkit/internal/progress"
)

// A reporter over 3 rows, not on a terminal, with a clock that moves a
// second a reading: a plain line when the interval has passed, and the
// final line.
func Example() {
	t := time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { t = t.Add(time.Second); return t }
	no := false
	r := progress.New(os.Stdout, "import", progress.Options{Total: 3, Unit: "rows", Interval: time.Second, Terminal: &no, Now: clock})
	r.Add(1)
	r.Tick()
	r.Add(2)
	r.Finish()
	// Output:
	// import: 1/3 rows (33%), 1/s, ETA 2s
	// import: 3 rows in 2s (2/s)
}
