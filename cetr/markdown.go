package cetr

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Summary returns the review as Markdown: see WriteMarkdown.
func (r *Review) Summary() string {
	var b strings.Builder
	_ = r.WriteMarkdown(&b) // a strings.Builder does not fail
	return b.String()
}

// oneLine keeps free text on one line of a Markdown list.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// WriteMarkdown writes a printable summary of the review: the review and its
// consent status, the panel, the findings grouped by the key lines of
// enquiry (R-CETR-KLOE), the recommendations, the report and any warnings.
// It names the person by their local id only. It reads no clock, so it does
// not say what is overdue: see Worklist.
func (r *Review) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }

	p("# %s %s: %s review\n\n", r.Type().Title(), oneLine(r.ID), r.Kind.Title())
	p("- Person: %s\n", oneLine(r.Person.ID))
	p("- Type: %s (R-CETR-TYPE)\n", r.Type().Title())
	p("- Planned: %s\n", r.Planned)
	if r.IsHeld() {
		p("- Held: %s\n", r.Held)
	} else {
		p("- Held: not yet\n")
	}
	p("- Responsible commissioner: %s\n", oneLine(r.Commissioner))
	if r.Outcome != "" {
		p("- Outcome: %s", r.Outcome.Title())
		if n := oneLine(r.OutcomeNote); n != "" {
			p(". %s", n)
		}
		p("\n")
	}
	if a := r.Rating; a != nil {
		p("- Rating agreed: %s on %s by %s", strings.ToUpper(a.Rating.String()), a.Date, oneLine(a.By))
		if a.Reason != "" {
			p(" (%s)", oneLine(a.Reason))
		}
		p(" (R-REV-2)\n")
	} else if r.IsHeld() {
		p("- Rating agreed: not yet (R-REV-2)\n")
	}

	p("\n## Consent (R-CETR-CONSENT)\n\n")
	c := r.Consent
	switch {
	case c.Holds() && c.GivenBy == dsr.ByBestInterests:
		p("Best-interests decision recorded on %s. The panel may read all papers.\n", c.Given)
	case c.Holds():
		p("Consent given by %s on %s. The panel may read all papers.\n", c.GivenBy, c.Given)
	case !c.Withdrawn.IsZero():
		p("Consent withdrawn on %s. The panel may read the planner only.\n", c.Withdrawn)
	default:
		p("No consent or best-interests decision for this review. The panel may read the planner only.\n")
	}
	papers := r.PanelPapers()
	if len(papers) > 0 {
		p("\nPapers the panel may read:\n\n")
		for _, pp := range papers {
			p("- %s\n", oneLine(pp.Title))
		}
	}
	if !r.PapersSent.IsZero() {
		p("\nPapers sent %s", r.PapersSent.In(calendar.London).Format("2006-01-02 15:04"))
		if due := r.PapersDue(); !due.IsZero() {
			p(", due by %s (R-CETR-DOCS)", due.Format("2006-01-02 15:04"))
		}
		p(".\n")
	}

	p("\n## Panel (R-CETR-PANEL)\n\n")
	if len(r.Members) == 0 {
		p("No panel recorded.\n")
	}
	for _, m := range r.Members {
		p("- %s: %s", m.Role.Title(), oneLine(m.Name))
		if m.Role == Chair && m.Delegate {
			p(" (delegate of the responsible commissioner)")
		}
		p("\n")
	}

	p("\n## Key lines of enquiry (R-CETR-KLOE)\n")
	for _, l := range KLOEs {
		p("\n### %s\n\n", l.Title())
		if f := strings.TrimSpace(r.Findings[l]); f != "" {
			p("%s\n", f)
		} else {
			p("No finding recorded.\n")
		}
	}

	p("\n## Recommendations (R-CETR-ACT)\n\n")
	if len(r.Recommendations) == 0 {
		p("None.\n")
	}
	for _, rec := range r.Recommendations {
		p("%d. %s: %s, by %s. ", rec.ID, oneLine(rec.Who), oneLine(rec.What), rec.Due)
		switch {
		case rec.Status == Done:
			p("Done %s.", rec.Closed)
		case rec.Status == Dropped:
			p("Dropped %s: %s.", rec.Closed, oneLine(rec.Reason))
		default:
			p("Open.")
		}
		if !rec.Escalated.IsZero() {
			p(" Escalated to the ICB oversight panel %s.", rec.Escalated)
		}
		p("\n")
	}

	p("\n## Report (%s)\n\n", r.reportRule())
	if due, ok := r.ReportDue(); ok {
		p("- Due: %s (%s)\n", due, r.reportDeadline())
	}
	if r.Report.IsSent() {
		p("- Sent: %s\n", r.Report.Sent)
		for _, rc := range r.Report.Recipients {
			p("  - %s (%s)\n", oneLine(rc.Name), rc.Role.Title())
		}
	} else {
		p("- Sent: not yet\n")
	}

	if ws := r.Warnings(); len(ws) > 0 {
		p("\n## Warnings\n\n")
		for _, w := range ws {
			p("- %s\n", w)
		}
	}
	return bw.Flush()
}
