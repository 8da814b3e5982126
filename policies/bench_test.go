package policies

import (
	"context"
	"os"
	"runtime"
	"testing"

	regoeng "github.com/dsrkit/dsrkit/internal/rego"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/benchcases"
)

func benchEngine(b *testing.B) *Engine { return benchEngineOf(b, DefaultBundle) }

func benchEngineOf(b *testing.B, bundle string) *Engine {
	b.Helper()
	fsys, err := Bundle(bundle)
	if err != nil {
		b.Fatal(err)
	}
	e, err := Load(context.Background(), fsys)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func benchCase(b *testing.B, name string) dsr.Case {
	c, err := dsr.UnmarshalCase([]byte(benchcases.JSON[name]))
	if err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkAssess is the full assessment, on the Rego path (national-2023:
// validation, facts, input, two prepared queries, dates) and on the CEL
// path (national-2023-cel: the same with five CEL programs).
func BenchmarkAssess(b *testing.B) {
	ctx := context.Background()
	for _, engine := range []struct{ name, bundle string }{{"rego", DefaultBundle}, {"cel", "national-2023-cel"}} {
		e := benchEngineOf(b, engine.bundle)
		for _, name := range []string{"community_green", "red_with_consent", "child_inpatient_8_events"} {
			c := benchCase(b, name)
			b.Run(engine.name+"/"+name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := e.Assess(ctx, c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkAssessGoFloor is the Go-only part of an assessment: validating,
// deriving facts from the history, building the policy input and dating
// the deadlines. No policy is evaluated: the floor under BenchmarkAssess.
func BenchmarkAssessGoFloor(b *testing.B) {
	cal := calendar.Default()
	for _, name := range []string{"community_green", "red_with_consent", "child_inpatient_8_events"} {
		c := benchCase(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			var f dsr.Facts
			for b.Loop() {
				if err := c.Validate(); err != nil {
					b.Fatal(err)
				}
				dsr.DeriveInto(&c, &f)
				_ = regoeng.BuildInput(&c, &f)
				for _, dl := range []calendar.Deadline{{N: 14, Unit: calendar.Days}, {N: 5, Unit: calendar.WorkingDays}, {N: 3, Unit: calendar.Months}, {N: 6, Unit: calendar.Weeks}} {
					if _, err := cal.Due(c.AsOf, dl); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkLoad is reading, checking and compiling a bundle: the national
// one in Rego, and in CEL.
func BenchmarkLoad(b *testing.B) {
	for _, bundle := range []string{DefaultBundle, "national-2023-cel"} {
		fsys, err := Bundle(bundle)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bundle, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Load(context.Background(), fsys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLoadCompile is loading national-2023-cel with every point
// compiled in Load (eager, as dsr policy test and build load) and with the
// optional points compiled at their first use (lazy, the default), side by
// side. Load compiles the points on every core (GOMAXPROCS): ns/op is the
// wall time, cpu-ns/op the process's CPU time (the compiling goroutines
// and the garbage collector), which a shared machine disturbs less.
func BenchmarkLoadCompile(b *testing.B) {
	fsys, err := Bundle("national-2023-cel")
	if err != nil {
		b.Fatal(err)
	}
	for _, eager := range []bool{true, false} {
		b.Run(map[bool]string{true: "eager", false: "lazy"}[eager], func(b *testing.B) {
			b.ReportAllocs()
			start := processCPU()
			for b.Loop() {
				if _, err := Load(context.Background(), fsys, WithEagerCompile(eager)); err != nil {
					b.Fatal(err)
				}
			}
			if start >= 0 {
				b.ReportMetric(float64(processCPU()-start)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// BenchmarkOptimiser is BenchmarkAssess with the load-time optimiser on
// and off (WithOptimize(false): plain OPA prepared queries, plain cel-go
// programs), side by side: what the optimiser buys, in time and
// allocations.
func BenchmarkOptimiser(b *testing.B) {
	ctx := context.Background()
	for _, engine := range []struct{ name, bundle string }{{"rego", DefaultBundle}, {"cel", "national-2023-cel"}} {
		fsys, err := Bundle(engine.bundle)
		if err != nil {
			b.Fatal(err)
		}
		for _, on := range []bool{true, false} {
			e, err := Load(ctx, fsys, WithOptimize(on))
			if err != nil {
				b.Fatal(err)
			}
			mode := map[bool]string{true: "optimised", false: "plain"}[on]
			for _, name := range benchcases.Names {
				c := benchCase(b, name)
				b.Run(engine.name+"/"+name+"/"+mode, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						if _, err := e.Assess(ctx, c); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// inputs10 are values for the 10 inputs testdata/inputs10 and
// testdata/inputs10-cel declare (4 bool, 4 int, 2 enum).
var inputs10 = map[string]dsr.InputValue{
	"local_flag_1": dsr.BoolInput(true), "local_flag_2": dsr.BoolInput(false), "local_flag_3": dsr.BoolInput(true), "local_flag_4": dsr.BoolInput(false),
	"item_1": dsr.IntInput(0), "item_2": dsr.IntInput(1), "item_3": dsr.IntInput(2), "item_4": dsr.IntInput(3),
	"choice_1": dsr.WordInput("one"), "choice_2": dsr.WordInput("three"),
}

// BenchmarkAssessDeclaredInputs is BenchmarkAssess for the national case
// and for the same case with 10 declared inputs (R-INPUT-1) under an
// overlay that declares them and changes nothing else, side by side, in
// each engine: the cost of checking the inputs and passing them to the
// rules.
// declaredInputsPairs calls fn for each engine and bench case with the
// national engine and case, and the overlay declaring 10 inputs with the
// same case giving them.
func declaredInputsPairs(b *testing.B, fn func(label string, national, declared *Engine, c, with dsr.Case)) {
	for _, engine := range []struct{ name, national, overlay string }{
		{"rego", DefaultBundle, "testdata/inputs10"},
		{"cel", "national-2023-cel", "testdata/inputs10-cel"},
	} {
		national := benchEngineOf(b, engine.national)
		declared, err := Load(context.Background(), os.DirFS(engine.overlay))
		if err != nil {
			b.Fatal(err)
		}
		for _, name := range benchcases.Names {
			c := benchCase(b, name)
			with := c
			with.Inputs = inputs10
			fn(engine.name+"/"+name, national, declared, c, with)
		}
	}
}

func BenchmarkAssessDeclaredInputs(b *testing.B) {
	ctx := context.Background()
	declaredInputsPairs(b, func(label string, national, declared *Engine, c, with dsr.Case) {
		for _, run := range []struct {
			label string
			e     *Engine
			c     dsr.Case
		}{{"national", national, c}, {"inputs10", declared, with}} {
			b.Run(label+"/"+run.label, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := run.e.Assess(ctx, run.c); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}

// BenchmarkAssessDeclaredInputsPaired is BenchmarkAssessDeclaredInputs
// measured so that a shared machine disturbs both sides alike: each
// iteration assesses a batch of the national case and a batch of the same
// case with 10 declared inputs, alternately, on one locked thread, and
// counts each side's thread CPU time. It reports the two sides' CPU time
// per assessment and their ratio (inputs10 over national).
func BenchmarkAssessDeclaredInputsPaired(b *testing.B) {
	ctx := context.Background()
	declaredInputsPairs(b, func(label string, national, declared *Engine, c, with dsr.Case) {
		b.Run(label, func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			const batch = 16
			var cpu [2]int64
			sides := [2]struct {
				e *Engine
				c dsr.Case
			}{{national, c}, {declared, with}}
			n := 0
			for b.Loop() {
				for i, s := range sides {
					start := threadCPU()
					for range batch {
						if _, err := s.e.Assess(ctx, s.c); err != nil {
							b.Fatal(err)
						}
					}
					cpu[i] += threadCPU() - start
				}
				n += batch
			}
			if threadCPU() >= 0 && cpu[0] > 0 {
				b.ReportMetric(float64(cpu[0])/float64(n), "national-cpu-ns/op")
				b.ReportMetric(float64(cpu[1])/float64(n), "inputs10-cpu-ns/op")
				b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "ratio")
			}
		})
	})
}
