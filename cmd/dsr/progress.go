package main

import (
	"flag"
	"io"
	"time"

	"github.com/dsrkit/dsrkit/internal/progress"
)

// progressUsageText documents the flags progressFlags defines.
const progressUsageText = `  --quiet            no progress on standard error
  --progress-every D a progress line every D when standard error is not a
                     terminal (default 5s; on a terminal one line is redrawn
                     with the count, rate and ETA)
`

// progressFlags are --quiet and --progress-every of a long command (policy
// diff, demo, and the imports, exports and reports).
type progressFlags struct {
	quiet bool
	every time.Duration
}

// addProgressFlags defines --quiet and --progress-every on fset.
func addProgressFlags(fset *flag.FlagSet) *progressFlags {
	p := &progressFlags{}
	fset.BoolVar(&p.quiet, "quiet", false, "no progress on standard error")
	fset.DurationVar(&p.every, "progress-every", 5*time.Second, "a progress line every `D` when standard error is not a terminal")
	return p
}

// start returns a started reporter of label's work to stderr over total
// items (0: unknown) called unit; nil (a no-op reporter) with --quiet.
// The caller calls Finish.
func (p *progressFlags) start(stderr io.Writer, label, unit string, total int) *progress.Reporter {
	return progress.New(stderr, label, progress.Options{Total: total, Unit: unit, Interval: p.every, Quiet: p.quiet}).Start()
}
