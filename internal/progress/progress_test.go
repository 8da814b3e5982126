package progress_test

import (
	"bytes"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/internal/progress"
)

// clock is a fake clock moved by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 12, 4, 9, 0, 0, 0, time.UTC)} }
func ptr[T any](v T) *T                  { return &v }
func lines(s string) []string            { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

// Not on a terminal: a plain line once Interval has passed, none between,
// and a final line with the count and the time taken.
func TestPlainLines(t *testing.T) {
	c := newClock()
	var buf bytes.Buffer
	r := progress.New(&buf, "policy diff", progress.Options{Total: 1_000_000, Unit: "cases", Interval: 5 * time.Second, Terminal: ptr(false), Now: c.now})
	r.Add(100_000)
	c.advance(2 * time.Second)
	r.Tick()
	if buf.Len() != 0 {
		t.Fatalf("a line before the interval: %q", buf.String())
	}
	c.advance(3 * time.Second)
	r.Tick()
	want := "policy diff: 100,000/1,000,000 cases (10%), 20,000/s, ETA 45s\n"
	if buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
	r.Add(400_000)
	c.advance(4 * time.Second)
	r.Tick() // 4 s since the last line: nothing
	if n := len(lines(buf.String())); n != 1 {
		t.Fatalf("%d lines after 4 s, want 1: %q", n, buf.String())
	}
	c.advance(1 * time.Second)
	r.Tick()
	r.Add(500_000)
	c.advance(10 * time.Second)
	r.Finish()
	r.Finish() // once only
	r.Tick()   // nothing after Finish
	got := lines(buf.String())
	wantLines := []string{
		"policy diff: 100,000/1,000,000 cases (10%), 20,000/s, ETA 45s",
		"policy diff: 500,000/1,000,000 cases (50%), 50,000/s, ETA 10s",
		"policy diff: 1,000,000 cases in 20s (50,000/s)",
	}
	if strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantLines, "\n"))
	}
}

// On a terminal: one line redrawn with a carriage return, padded over a
// longer earlier line, ended with a newline by Finish.
func TestTerminalLine(t *testing.T) {
	c := newClock()
	var buf bytes.Buffer
	r := progress.New(&buf, "demo", progress.Options{Total: 240, Unit: "people", Terminal: ptr(true), Now: c.now})
	r.Add(24)
	c.advance(time.Second)
	r.Tick()
	first := "\rdemo: 24/240 people (10%), 24/s, ETA 9s"
	if buf.String() != first {
		t.Fatalf("got %q, want %q", buf.String(), first)
	}
	r.Add(216)
	c.advance(time.Second)
	r.Tick()
	second := "\rdemo: 240/240 people (100%), 120/s, 2s"
	pad := strings.Repeat(" ", max(len(first)-1-(len(second)-1), 0))
	if got := buf.String()[len(first):]; got != second+pad {
		t.Fatalf("second draw %q, want %q", got, second+pad)
	}
	r.Finish()
	if !strings.HasSuffix(buf.String(), "\n") || strings.Count(buf.String(), "\n") != 1 {
		t.Fatalf("Finish should end the one line: %q", buf.String())
	}
	if strings.Count(buf.String(), "\r") != 3 {
		t.Fatalf("want 3 redraws: %q", buf.String())
	}
}

// An unknown total shows the count, the rate and the time so far, and no
// percent or ETA; SetTotal gives the total later.
func TestUnknownTotal(t *testing.T) {
	c := newClock()
	var buf bytes.Buffer
	r := progress.New(&buf, "import", progress.Options{Unit: "rows", Interval: time.Second, Terminal: ptr(false), Now: c.now})
	r.Add(1500)
	c.advance(1500 * time.Millisecond)
	r.Tick()
	if want := "import: 1,500 rows, 1,000/s, 1.5s\n"; buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
	r.SetTotal(3000)
	c.advance(time.Second)
	r.Tick()
	if want := "import: 1,500/3,000 rows (50%), 600/s, ETA 2.5s\n"; lines(buf.String())[1]+"\n" != want {
		t.Fatalf("got %q, want %q", lines(buf.String())[1], want)
	}
}

// Nothing is counted or drawn before the first item: no rate, no ETA.
func TestNothingDoneYet(t *testing.T) {
	c := newClock()
	var buf bytes.Buffer
	r := progress.New(&buf, "x", progress.Options{Total: 10, Terminal: ptr(false), Interval: time.Second, Now: c.now})
	c.advance(time.Second)
	r.Tick()
	if want := "x: 0/10 items (0%)\n"; buf.String() != want {
		t.Fatalf("got %q, want %q", buf.String(), want)
	}
}

// Quiet, or a nil writer, is a nil reporter: every method is a no-op and
// nothing is written.
func TestQuiet(t *testing.T) {
	var buf bytes.Buffer
	r := progress.New(&buf, "x", progress.Options{Quiet: true, Total: 3})
	if r != nil {
		t.Fatal("a quiet reporter should be nil")
	}
	r.Start()
	r.Add(3)
	r.SetTotal(4)
	r.Tick()
	r.Finish()
	if buf.Len() != 0 || r.Done() != 0 {
		t.Fatalf("a quiet reporter wrote %q", buf.String())
	}
	if progress.New(nil, "x", progress.Options{}) != nil {
		t.Fatal("a nil writer should give a nil reporter")
	}
}

// Add from many goroutines loses nothing, while the background drawing
// runs; Finish stops it and the last line has the full count.
func TestConcurrentAdd(t *testing.T) {
	var mu sync.Mutex
	var buf bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return buf.Write(p) })
	r := progress.New(w, "x", progress.Options{Total: 64 * 10_000, Redraw: time.Millisecond, Interval: time.Millisecond, Terminal: ptr(false)}).Start()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 10_000 {
				r.Add(1)
			}
		})
	}
	wg.Wait()
	r.Finish()
	if r.Done() != 640_000 {
		t.Fatalf("counted %d, want 640000", r.Done())
	}
	mu.Lock()
	defer mu.Unlock()
	last := lines(buf.String())
	if !strings.HasPrefix(last[len(last)-1], "x: 640,000 items in ") {
		t.Fatalf("last line %q", last[len(last)-1])
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// Add allocates nothing.
func TestAddAllocatesNothing(t *testing.T) {
	r := progress.New(&bytes.Buffer{}, "x", progress.Options{Terminal: ptr(false)})
	if n := testing.AllocsPerRun(1000, func() { r.Add(1) }); n != 0 {
		t.Fatalf("Add allocates %v times", n)
	}
}

// A buffer is not a terminal; neither is a regular file.
func TestIsTerminal(t *testing.T) {
	if progress.IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if progress.IsTerminal(f) {
		t.Error("a regular file is not a terminal")
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 123456: "123,456", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := progress.Count(n); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	r := progress.New(&bytes.Buffer{}, "x", progress.Options{Terminal: ptr(false)})
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Add(1)
		}
	})
}
