package register

import (
	"time"

	"github.com/dsrkit/dsrkit/calendar"
)

// At marks a write as entered after the fact: what it records happened at
// t (a meeting's outcomes entered the next morning, say). The write is
// dated t's day in Europe/London instead of today; it is refused if t is in
// the future or before the person's previous record. The log keeps both:
// each record's time is when it was entered, and t is sealed with it as
// when it happened (AuditEntry.Occurred). A date alone is t at the start of
// its day (calendar.Date.Start).
func At(t time.Time) WriteOption {
	return func(o *writeOpts) { o.at = t }
}

// when is the day and instant a write records: today and now, or At's.
type when struct {
	day calendar.Date
	// at is At's instant, zero for a write made as it happens.
	at time.Time
}

func writeOptions(opts []WriteOption) writeOpts {
	var o writeOpts
	for _, f := range opts {
		f(&o)
	}
	return o
}

// whenOf checks At against the clock and against after, the day of the
// stream's latest record (zero for none), and returns the write's day.
func (r *Register) whenOf(opts []WriteOption, after calendar.Date) (when, error) {
	o := writeOptions(opts)
	if o.at.IsZero() {
		return when{day: r.today()}, nil
	}
	now := r.clock()
	if o.at.After(now) {
		return when{}, invalid("at", "", "%s is in the future: an entry after the fact records what has happened", o.at.UTC().Format(time.RFC3339))
	}
	day := calendar.DateOf(o.at)
	if !after.IsZero() && day.Before(after) {
		return when{}, invalid("at", "", "%s is before the person's previous record, dated %s", day, after)
	}
	return when{day: day, at: o.at.UTC()}, nil
}

// lastDay is the day of the person's latest dated record: when they were
// added, their latest event, report of circumstances or removal.
func (st *personState) lastDay() calendar.Date {
	last := st.added
	later := func(d calendar.Date) {
		if d.After(last) {
			last = d
		}
	}
	for i := range st.events {
		later(st.events[i].Day())
	}
	for i := range st.reports {
		later(st.reports[i].date)
	}
	if st.removal != nil {
		later(st.removal.Date)
	}
	return last
}
