package bluelight

import (
	"fmt"
	"strings"
)

// Minute returns the meeting's printable minute in Markdown: the statement
// that it is not a community C(E)TR, the notice given (late notice is
// flagged), attendance and missing roles, the call record step by step, the
// options rejected and chosen, the decision, the funding (cost in pounds and
// pence, the split and each side's share, start and stop in Europe/London
// with their offsets, and who agreed another split), the outcome and the
// warnings. Times are Europe/London.
func (m *Meeting) Minute() string {
	r := &m.rec
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }

	line("# Blue Light meeting %s", r.ID)
	line("")
	line("- Person: %s (aged %d)", r.PersonID, r.Age)
	line("- Call: %s", londonTime(r.Notice.CallAt))
	notice := fmt.Sprintf("%s (%s before the call)", londonTime(r.Notice.Sent), formatDuration(r.Notice.Given))
	if r.Notice.Given < 0 {
		notice = fmt.Sprintf("%s (%s after the call started)", londonTime(r.Notice.Sent), formatDuration(-r.Notice.Given))
	}
	line("- Invitations sent: %s", notice)
	if r.Notice.Late {
		line("- **Late notice**: under the %s required (R-BL-NOTICE)", formatDuration(r.Notice.Required))
	}
	if r.Closed {
		line("- Closed: %s", londonTime(r.ClosedAt))
	} else {
		line("- Closed: not yet")
	}
	line("")
	line("**%s** (R-BL-CRIT).", r.Statement)
	line("")

	line("## Criteria (R-BL-CRIT)")
	line("")
	for _, x := range r.Criteria.Reasons {
		line("- %s", x.Message)
	}
	line("")

	line("## Attendance (R-BL-INVITE)")
	line("")
	line("| Role | Required | Attended |")
	line("|---|---|---|")
	listed := map[Role]bool{}
	row := func(role Role, required string) {
		listed[role] = true
		var names []string
		for _, a := range r.Attendees {
			if a.Role == role {
				names = append(names, orDash(a.Name, "yes"))
			}
		}
		line("| %s | %s | %s |", role.Title(), required, orDash(strings.Join(names, ", "), "**no**"))
	}
	for _, role := range r.Invitees.Required {
		row(role, "must attend")
	}
	for _, role := range r.Invitees.Invited {
		if !listed[role] {
			row(role, "invited")
		}
	}
	for _, a := range r.Attendees {
		if !listed[a.Role] {
			row(a.Role, "no")
		}
	}
	line("")
	if miss := m.MissingRoles(); len(miss) > 0 {
		titles := make([]string, len(miss))
		for i, role := range miss {
			titles[i] = role.Title()
		}
		line("Missing must-attend roles: %s.", strings.Join(titles, "; "))
	} else {
		line("Every must-attend role attended.")
	}
	line("")

	line("## Call record (R-BL-STEPS)")
	line("")
	for i, s := range Steps {
		notes := "_not completed_"
		if i < len(r.Steps) {
			notes = oneLine(r.Steps[i].Notes)
		}
		line("%d. **%s**: %s", i+1, s.Title(), notes)
	}
	line("")

	line("## Options (R-BL-PREF)")
	line("")
	for _, x := range r.Rejections {
		line("- Rejected: %s. Reason: %s", x.Option.Title(), oneLine(x.Reason))
	}
	if c := r.Choice; c != nil {
		line("- Chosen: %s%s", c.Option.Title(), suffix(": ", oneLine(c.Detail)))
		if c.ApprovedBy != "" {
			line("- Approved by commissioner: %s", c.ApprovedBy)
		}
		if c.ClinicalJustification != "" {
			line("- Clinical justification: %s", oneLine(c.ClinicalJustification))
		}
	} else {
		line("- No option chosen.")
	}
	line("")

	line("## Decision and plan")
	line("")
	if m.Completed(StepDecision) {
		line("%s", oneLine(r.Steps[StepDecision-1].Notes))
	} else {
		line("_No decision recorded._")
	}
	line("")

	line("## Funding (R-BL-FUND)")
	line("")
	if f := r.Funding; f != nil {
		accredited := "not accredited"
		if f.ProviderAccredited {
			accredited = "accredited"
		}
		line("- Support: %s", oneLine(f.Support))
		line("- Provider: %s (%s)", f.Provider, accredited)
		line("- Cost: %s", f.Cost)
		line("- Split: %s", f.Split)
		line("  - Local authority: %s", f.LocalAuthority)
		line("  - Health: %s", f.Health)
		if f.SplitAgreedBy != "" && f.Split != m.params.DefaultSplit {
			line("- Split agreed by: %s", f.SplitAgreedBy)
		}
		line("- Start: %s", londonTime(f.Start))
		line("- Stop: %s", londonTime(f.Stop))
		line("- Funded: %s elapsed (cap %d hours)", formatDuration(f.Duration()), m.params.MaxFundedHours)
	} else {
		line("No funding agreed.")
	}
	line("")

	line("## Outcome")
	line("")
	switch bad, why := m.Unsatisfactory(); {
	case !r.Closed:
		line("_Meeting not closed._")
	case bad:
		line("Unsatisfactory (%s): escalated to the directors of commissioning (R-BL-ESC).", strings.Join(why, ", "))
	default:
		line("Sustainable placement with funding agreed.")
	}
	if r.Outcome.Notes != "" {
		line("")
		line("%s", oneLine(r.Outcome.Notes))
	}
	if len(r.Warnings) > 0 {
		line("")
		line("## Warnings")
		line("")
		for _, w := range r.Warnings {
			line("- %s (%s)", w.Message, w.Rule)
		}
	}
	return b.String()
}

func orDash(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

func suffix(sep, s string) string {
	if s == "" {
		return ""
	}
	return sep + s
}

// oneLine keeps free text from breaking the Markdown structure: newlines
// become spaces and a pipe is escaped.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
