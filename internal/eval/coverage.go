package eval

import (
	"maps"
	"slices"
	"sync"
)

// FileCoverage is one rule file's line coverage: the lines of rules and
// expressions that some evaluation reached, and those none did.
type FileCoverage struct {
	File       string `json:"file"`
	Covered    []int  `json:"covered"`
	NotCovered []int  `json:"not_covered"`
}

// Percent is the share of the file's lines that were covered, 0 to 100
// (100 for a file with nothing to cover).
func (f FileCoverage) Percent() float64 {
	n := len(f.Covered) + len(f.NotCovered)
	if n == 0 {
		return 100
	}
	return 100 * float64(len(f.Covered)) / float64(n)
}

// Coverage gathers line coverage from every evaluation that reports to it
// (a back end compiled with it in its Plan, a unit-test run), and merges
// it: a line is covered if any run covered it. Safe for concurrent use.
type Coverage struct {
	mu        sync.Mutex
	reporters []func() []FileCoverage
}

// Register adds a source of coverage; Report calls report.
func (c *Coverage) Register(report func() []FileCoverage) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reporters = append(c.reporters, report)
}

// Report merges what every source covered, by file name.
func (c *Coverage) Report() []FileCoverage {
	c.mu.Lock()
	reporters := slices.Clone(c.reporters)
	c.mu.Unlock()
	covered, seen := map[string]map[int]bool{}, map[string]map[int]bool{}
	for _, r := range reporters {
		for _, f := range r() {
			if covered[f.File] == nil {
				covered[f.File], seen[f.File] = map[int]bool{}, map[int]bool{}
			}
			for _, l := range f.Covered {
				covered[f.File][l], seen[f.File][l] = true, true
			}
			for _, l := range f.NotCovered {
				seen[f.File][l] = true
			}
		}
	}
	out := make([]FileCoverage, 0, len(seen))
	for _, file := range slices.Sorted(maps.Keys(seen)) {
		fc := FileCoverage{File: file}
		for _, l := range slices.Sorted(maps.Keys(seen[file])) {
			if covered[file][l] {
				fc.Covered = append(fc.Covered, l)
			} else {
				fc.NotCovered = append(fc.NotCovered, l)
			}
		}
		out = append(out, fc)
	}
	return out
}
