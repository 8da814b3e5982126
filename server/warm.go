package server

import (
	"context"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// untilNextDay is how long from now until a minute past the next midnight
// in Europe/London (a day of 23 or 25 hours included).
func untilNextDay(now time.Time) time.Duration {
	next := calendar.DateOf(now).AddDays(1).Start().Add(time.Minute)
	return next.Sub(now)
}

// RunWarm assesses the register for today's worklist (Register.Due) at
// once and then just after each midnight in Europe/London, until ctx is
// done. The register keeps each person's items for a day; the first
// worklist of a day assesses everyone again, which on a register of
// 100,000 people takes a couple of minutes. Run by the service, that work
// is done before the first coordinator asks. It is safe to run beside
// requests and on several servers of one register.
func (s *Server) RunWarm(ctx context.Context) {
	for {
		if _, err := s.cfg.Register.Due(ctx, s.today()); err != nil && ctx.Err() == nil {
			s.log.Error("assessing today's worklist in advance failed: the first worklist of the day will")
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(untilNextDay(s.cfg.Now())):
		}
	}
}
