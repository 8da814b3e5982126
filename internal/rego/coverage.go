package rego

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"

	"github.com/dsrkit/dsrkit/internal/eval"
)

// newCover is an OPA coverage tracer that reports to cov over mods (the
// modules as parsed, before compilation, so lines are the files' own).
func newCover(cov *eval.Coverage, mods []*ast.Module) *cover.Cover {
	c := cover.New()
	byFile := make(map[string]*ast.Module, len(mods))
	for _, m := range mods {
		byFile[m.Package.Location.File] = m
	}
	cov.Register(func() []eval.FileCoverage { return fileCoverage(c.Report(byFile)) })
	return c
}

// fileCoverage turns OPA's report (ranges of rows) into lines per file.
func fileCoverage(r cover.Report) []eval.FileCoverage {
	out := make([]eval.FileCoverage, 0, len(r.Files))
	for file, fr := range r.Files {
		fc := eval.FileCoverage{File: file}
		for _, rg := range fr.Covered {
			for l := rg.Start.Row; l <= rg.End.Row; l++ {
				fc.Covered = append(fc.Covered, l)
			}
		}
		for _, rg := range fr.NotCovered {
			for l := rg.Start.Row; l <= rg.End.Row; l++ {
				fc.NotCovered = append(fc.NotCovered, l)
			}
		}
		out = append(out, fc)
	}
	return out
}
