package rego

import (
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
)

// BenchmarkBuildInput is building the Rego input alone, for the three
// cases of BenchmarkAssess.
func BenchmarkBuildInput(b *testing.B) {
	for _, name := range []string{"community_green", "red_with_consent", "child_inpatient_8_events"} {
		c := benchCase(b, name)
		f := dsr.Derive(&c)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = buildInput(&c, &f)
			}
		})
	}
}
