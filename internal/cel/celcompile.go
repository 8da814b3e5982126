package cel

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"

	"cel.dev/cel-go/cel"

	"github.com/dsrkit/dsrkit/internal/eval"
)

// compileJob is one point Compile compiles: a stage's, into dst, or an
// optional one compiled eagerly (opt).
type compileJob struct {
	point string
	dst   *(*celPoint)
	opt   *celOptional
}

// compileAll compiles the jobs on up to GOMAXPROCS goroutines: the points
// are independent, and the environment is safe for concurrent use. The
// error is the first job's in order that failed, as compiling them one by
// one would report: once a job fails, the jobs after it are skipped, those
// before it still run. Each job checks the load's deadline (ctx) before it
// starts.
func compileAll(ctx context.Context, env *cel.Env, plan eval.Plan, params map[string]any, jobs []compileJob) error {
	errs := make([]error, len(jobs))
	var next atomic.Int64
	var failed atomic.Int64 // the first job that failed; len(jobs): none
	failed.Store(int64(len(jobs)))
	work := func() {
		for {
			k := next.Add(1) - 1
			if k >= int64(len(jobs)) {
				return
			}
			if k > failed.Load() {
				continue
			}
			errs[k] = runJob(ctx, env, plan, params, jobs[k])
			if errs[k] != nil {
				for f := failed.Load(); k < f && !failed.CompareAndSwap(f, k); f = failed.Load() {
				}
			}
		}
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func runJob(ctx context.Context, env *cel.Env, plan eval.Plan, params map[string]any, job compileJob) error {
	src := plan.Bundle.PointFiles[job.point]
	if err := loadTimeLeft(ctx, src.Name); err != nil {
		return err
	}
	if job.opt != nil {
		return job.opt.compiled()
	}
	cp, err := compile(env, job.point, src, params, plan.Plain)
	*job.dst = cp
	return err
}
