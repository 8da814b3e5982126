// Package progress reports the progress of long work (a policy diff over a
// million cases, a demo register, an import or a report) on standard error.
//
// On a terminal it redraws one line with the count, the total, the percent
// done, the rate and the time left (ETA); when standard error is not a
// terminal (a CI log, a file) it writes a plain line every few seconds and a
// final line, so a log shows that the work is alive without filling up. With
// an unknown total it shows the count, the rate and the time taken.
//
// Add is cheap and safe from many goroutines at once: one atomic addition,
// no lock and no allocation. Drawing happens on the reporter's own
// goroutine (Start) or when the caller calls Tick. The clock is injectable
// (Options.Now) so tests drive it without waiting. A nil *Reporter is a
// valid reporter that reports nothing.
package progress

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// Options tunes a Reporter. The zero value reports to a terminal every
// 200 ms, and otherwise every 5 s.
type Options struct {
	// Total is how many items the work has; 0 when unknown (SetTotal can
	// give it later).
	Total int
	// Unit names the items in the lines ("cases", "people", "rows"; default
	// "items").
	Unit string
	// Interval between plain lines when the output is not a terminal
	// (default 5 s).
	Interval time.Duration
	// Redraw is how often the terminal line is redrawn (default 200 ms).
	Redraw time.Duration
	// Quiet reports nothing at all (--quiet).
	Quiet bool
	// Terminal, when set, says whether the output is a terminal instead of
	// asking the operating system (IsTerminal).
	Terminal *bool
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Reporter reports the progress of one piece of work. Make one with New,
// call Add as items are done (from any goroutine), and Finish at the end.
type Reporter struct {
	done  atomic.Int64
	total atomic.Int64

	w        io.Writer
	label    string
	unit     string
	tty      bool
	interval time.Duration
	redraw   time.Duration
	now      func() time.Time

	mu       sync.Mutex // guards what follows: drawing
	start    time.Time
	last     time.Time // when the last plain line was written
	width    int       // of the last terminal line, to clear it
	finished bool
	stop     chan struct{}
	stopped  chan struct{}
}

// New returns a reporter for the work named label ("policy diff") writing
// to w, usually os.Stderr. With opts.Quiet, or a nil w, it is a nil
// reporter: every method is a no-op.
func New(w io.Writer, label string, opts Options) *Reporter {
	if opts.Quiet || w == nil {
		return nil
	}
	r := &Reporter{w: w, label: label, unit: opts.Unit, interval: opts.Interval, redraw: opts.Redraw, now: opts.Now}
	if r.unit == "" {
		r.unit = "items"
	}
	if r.interval <= 0 {
		r.interval = 5 * time.Second
	}
	if r.redraw <= 0 {
		r.redraw = 200 * time.Millisecond
	}
	if r.now == nil {
		r.now = time.Now
	}
	if opts.Terminal != nil {
		r.tty = *opts.Terminal
	} else {
		r.tty = IsTerminal(w)
	}
	r.total.Store(int64(max(opts.Total, 0)))
	r.start = r.now()
	r.last = r.start
	return r
}

// IsTerminal reports whether w is a terminal (an *os.File on one).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Add counts n more items done. It is one atomic addition: call it as
// often as you like, from as many goroutines.
func (r *Reporter) Add(n int) {
	if r != nil {
		r.done.Add(int64(n))
	}
}

// SetTotal gives (or corrects) the number of items; 0 means unknown.
func (r *Reporter) SetTotal(n int) {
	if r != nil {
		r.total.Store(int64(max(n, 0)))
	}
}

// Done is the count so far.
func (r *Reporter) Done() int {
	if r == nil {
		return 0
	}
	return int(r.done.Load())
}

// Start draws in the background until Finish: the terminal line every
// Redraw, a plain line every Interval. Without Start, the caller calls
// Tick.
func (r *Reporter) Start() *Reporter {
	if r == nil {
		return r
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stop != nil || r.finished {
		return r
	}
	// The goroutine keeps its own channels: Finish clears the fields.
	stop, stopped := make(chan struct{}), make(chan struct{})
	r.stop, r.stopped = stop, stopped
	every := r.redraw
	if !r.tty {
		every = min(r.redraw*5, r.interval) // a plain line is at most this late
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				r.Tick()
			}
		}
	}()
	return r
}

// Tick draws now if it is time: on a terminal it redraws the line; in plain
// mode it writes a line when Interval has passed since the last one.
func (r *Reporter) Tick() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	now := r.now()
	if r.tty {
		r.drawLine(now)
		return
	}
	if now.Sub(r.last) >= r.interval {
		r.last = now
		fmt.Fprintf(r.w, "%s: %s\n", r.label, r.status(now, true))
	}
}

// Finish stops the background drawing and writes the final line: on a
// terminal the line redrawn a last time and ended; otherwise a plain line
// with the count and the time taken. Later calls do nothing.
func (r *Reporter) Finish() {
	if r == nil {
		return
	}
	r.mu.Lock()
	stop, stopped := r.stop, r.stopped
	r.stop = nil
	r.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.finished {
		return
	}
	r.finished = true
	now := r.now()
	if r.tty {
		r.drawLine(now)
		fmt.Fprintln(r.w)
		return
	}
	fmt.Fprintf(r.w, "%s: %s\n", r.label, r.status(now, false))
}

// drawLine redraws the terminal line (r.mu held).
func (r *Reporter) drawLine(now time.Time) {
	line := r.label + ": " + r.status(now, true)
	pad := r.width - len(line)
	r.width = len(line)
	if pad > 0 {
		line += strings.Repeat(" ", pad)
	}
	fmt.Fprint(r.w, "\r"+line)
}

// status is "520,000/1,000,000 cases (52%), 41,000/s, ETA 12s" while
// running, "1,000,000 cases in 24.4s (41,000/s)" at the end.
func (r *Reporter) status(now time.Time, running bool) string {
	done, total := r.done.Load(), r.total.Load()
	elapsed := max(now.Sub(r.start), 0)
	var b strings.Builder
	if !running {
		fmt.Fprintf(&b, "%s %s in %s", Count(done), r.unit, roundDuration(elapsed))
		if elapsed > 0 {
			fmt.Fprintf(&b, " (%s/s)", Count(int64(math.Round(float64(done)/elapsed.Seconds()))))
		}
		return b.String()
	}
	if total > 0 {
		pct := 100 * float64(done) / float64(total)
		fmt.Fprintf(&b, "%s/%s %s (%.0f%%)", Count(done), Count(total), r.unit, min(pct, 100))
	} else {
		fmt.Fprintf(&b, "%s %s", Count(done), r.unit)
	}
	if elapsed <= 0 || done == 0 {
		return b.String()
	}
	rate := float64(done) / elapsed.Seconds()
	fmt.Fprintf(&b, ", %s/s", Count(int64(math.Round(rate))))
	if total > 0 && done < total {
		left := time.Duration(float64(total-done) / rate * float64(time.Second))
		fmt.Fprintf(&b, ", ETA %s", roundDuration(left))
	} else {
		fmt.Fprintf(&b, ", %s", roundDuration(elapsed))
	}
	return b.String()
}

// roundDuration rounds d for a person: to the second from a minute up, to
// a tenth of a second below.
func roundDuration(d time.Duration) time.Duration {
	if d >= time.Minute {
		return d.Round(time.Second)
	}
	return d.Round(100 * time.Millisecond)
}

// Count writes n with thousands separators: 1234567 → "1,234,567".
func Count(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
