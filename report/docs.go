package report

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// The C(E)TR summary and the Blue Light minute as HTML: the content of
// cetr.Review.WriteMarkdown and bluelight.Meeting.Minute, section for
// section, for the page and for print.

// reviewView is what the review template reads, worked out here as
// WriteMarkdown works it out.
type reviewView struct {
	R           *cetr.Review
	Type        string
	Rating      string
	Consent     string
	Papers      []cetr.Paper
	PapersSent  string
	KLOEs       []kloeView
	Recs        []recView
	ReportRule  string
	ReportDue   string
	Warnings    []string
	HeldNotYet  bool
	RatingLater bool
}

type kloeView struct{ Title, Finding string }

type recView struct {
	ID                 int
	Who, What, Due     string
	Status, Escalation string
}

func newReviewView(r *cetr.Review) reviewView {
	v := reviewView{R: r, Type: r.Type().Title(), Papers: r.PanelPapers(), HeldNotYet: !r.IsHeld()}
	if a := r.Rating; a != nil {
		v.Rating = fmt.Sprintf("%s on %s by %s", strings.ToUpper(a.Rating.String()), a.Date, a.By)
		if a.Reason != "" {
			v.Rating += " (" + a.Reason + ")"
		}
	} else if r.IsHeld() {
		v.RatingLater = true
	}
	c := r.Consent
	switch {
	case c.Holds() && c.GivenBy == dsr.ByBestInterests:
		v.Consent = fmt.Sprintf("Best-interests decision recorded on %s. The panel may read all papers.", c.Given)
	case c.Holds():
		v.Consent = fmt.Sprintf("Consent given by %s on %s. The panel may read all papers.", c.GivenBy, c.Given)
	case !c.Withdrawn.IsZero():
		v.Consent = fmt.Sprintf("Consent withdrawn on %s. The panel may read the planner only.", c.Withdrawn)
	default:
		v.Consent = "No consent or best-interests decision for this review. The panel may read the planner only."
	}
	if !r.PapersSent.IsZero() {
		v.PapersSent = "Papers sent " + r.PapersSent.In(calendar.London).Format("2006-01-02 15:04")
		if due := r.PapersDue(); !due.IsZero() {
			v.PapersSent += ", due by " + due.Format("2006-01-02 15:04") + " (R-CETR-DOCS)"
		}
		v.PapersSent += "."
	}
	for _, l := range cetr.KLOEs {
		v.KLOEs = append(v.KLOEs, kloeView{l.Title(), strings.TrimSpace(r.Findings[l])})
	}
	for _, rec := range r.Recommendations {
		rv := recView{ID: rec.ID, Who: rec.Who, What: rec.What, Due: rec.Due.String(), Status: "Open"}
		switch rec.Status {
		case cetr.Done:
			rv.Status = "Done " + rec.Closed.String()
		case cetr.Dropped:
			rv.Status = "Dropped " + rec.Closed.String() + ": " + rec.Reason
		}
		if !rec.Escalated.IsZero() {
			rv.Escalation = "Escalated to the ICB oversight panel " + rec.Escalated.String()
		}
		v.Recs = append(v.Recs, rv)
	}
	dl := r.Params.ReportDeadline
	v.ReportRule = "R-CETR-REPORT"
	if r.Kind == cetr.Statutory {
		v.ReportRule, dl = "R-CETR-STAT", r.Params.StatutoryReportDeadline
	}
	if due, ok := r.ReportDue(); ok {
		v.ReportDue = fmt.Sprintf("%s (%s)", due, dl)
	}
	for _, w := range r.Warnings() {
		v.Warnings = append(v.Warnings, w.String())
	}
	return v
}

var reviewTmpl = template.Must(template.New("review").Funcs(funcs).Parse(`
<div class="dsr-report dsr-review">
<h1>{{.Type}} {{.R.ID}}: {{.R.Kind.Title}} review</h1>
<dl class="dsr-summary-list">
<dt>Person</dt><dd>{{.R.Person.ID}}</dd>
<dt>Type</dt><dd>{{.Type}} (R-CETR-TYPE)</dd>
<dt>Planned</dt><dd>{{.R.Planned}}</dd>
<dt>Held</dt><dd>{{if .HeldNotYet}}not yet{{else}}{{.R.Held}}{{end}}</dd>
<dt>Responsible commissioner</dt><dd>{{.R.Commissioner}}</dd>
{{if .R.Outcome}}<dt>Outcome</dt><dd>{{.R.Outcome.Title}}{{if .R.OutcomeNote}}. {{.R.OutcomeNote}}{{end}}</dd>{{end}}
{{if .Rating}}<dt>Rating agreed</dt><dd>{{.Rating}} (R-REV-2)</dd>{{else if .RatingLater}}<dt>Rating agreed</dt><dd>not yet (R-REV-2)</dd>{{end}}
</dl>
<h2>Consent (R-CETR-CONSENT)</h2>
<p>{{.Consent}}</p>
{{if .Papers}}<p>Papers the panel may read:</p><ul>{{range .Papers}}<li>{{.Title}}</li>{{end}}</ul>{{end}}
{{if .PapersSent}}<p>{{.PapersSent}}</p>{{end}}
<h2>Panel (R-CETR-PANEL)</h2>
{{if .R.Members}}<ul>{{range .R.Members}}<li>{{.Role.Title}}: {{.Name}}{{if and (eq (print .Role) "chair") .Delegate}} (delegate of the responsible commissioner){{end}}</li>{{end}}</ul>{{else}}<p>No panel recorded.</p>{{end}}
<h2>Key lines of enquiry (R-CETR-KLOE)</h2>
{{range .KLOEs}}<h3>{{.Title}}</h3><p>{{if .Finding}}{{.Finding}}{{else}}No finding recorded.{{end}}</p>
{{end}}
<h2>Recommendations (R-CETR-ACT)</h2>
{{if .Recs}}<table class="dsr-table"><thead><tr><th scope="col">No.</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">By</th><th scope="col">Status</th></tr></thead><tbody>
{{range .Recs}}<tr><td>{{.ID}}</td><td>{{.Who}}</td><td>{{.What}}</td><td>{{.Due}}</td><td>{{.Status}}{{if .Escalation}}. {{.Escalation}}{{end}}</td></tr>
{{end}}</tbody></table>{{else}}<p>None.</p>{{end}}
<h2>Report ({{.ReportRule}})</h2>
<dl class="dsr-summary-list">
{{if .ReportDue}}<dt>Due</dt><dd>{{.ReportDue}}</dd>{{end}}
<dt>Sent</dt><dd>{{if .R.Report.IsSent}}{{.R.Report.Sent}}{{else}}not yet{{end}}</dd>
</dl>
{{if .R.Report.IsSent}}<ul>{{range .R.Report.Recipients}}<li>{{.Name}} ({{.Role.Title}})</li>{{end}}</ul>{{end}}
{{if .Warnings}}<div class="dsr-inset dsr-warning"><h2>Warnings</h2><ul>{{range .Warnings}}<li>{{.}}</li>{{end}}</ul></div>{{end}}
</div>`))

// ReviewSummaryFragment is the C(E)TR summary (cetr.Review.WriteMarkdown's
// content) as HTML to put inside a host page. It names the person by
// local id only.
func ReviewSummaryFragment(r *cetr.Review) template.HTML {
	return fragment(reviewTmpl, newReviewView(r))
}

// ReviewSummaryHTML writes the C(E)TR summary as a standalone, printable
// page.
func ReviewSummaryHTML(w io.Writer, r *cetr.Review) error {
	return writePage(w, r.Type().Title()+" "+r.ID+": Dynamic Support Register", ReviewSummaryFragment(r))
}

// minuteView is what the minute template reads.
type minuteView struct {
	R                       bluelight.Record
	Call, Sent, Closed      string
	Notice                  string
	LateNotice              string
	Attendance              []attendRow
	Missing                 string
	Steps                   []stepRow
	Decision                string
	Funding                 *fundingView
	Outcome                 string
	Unsatisfactory          bool
	ChosenTitle, ChosenNote string
}

type attendRow struct{ Role, Required, Attended string }

type stepRow struct {
	N            int
	Title, Notes string
	Done         bool
}

type fundingView struct {
	Support, Provider, Cost, Split, LA, Health, AgreedBy, Start, Stop, Funded string
}

func london(t time.Time) string { return t.In(calendar.London).Format("2006-01-02 15:04 MST (-07:00)") }

func hoursMinutes(d time.Duration) string {
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

func newMinuteView(m *bluelight.Meeting) minuteView {
	r := m.Record()
	prm := m.Params()
	v := minuteView{R: r, Call: london(r.Notice.CallAt), Closed: "not yet"}
	v.Notice = fmt.Sprintf("%s (%s before the call)", london(r.Notice.Sent), hoursMinutes(r.Notice.Given))
	if r.Notice.Given < 0 {
		v.Notice = fmt.Sprintf("%s (%s after the call started)", london(r.Notice.Sent), hoursMinutes(-r.Notice.Given))
	}
	if r.Notice.Late {
		v.LateNotice = fmt.Sprintf("Late notice: under the %s required (R-BL-NOTICE)", hoursMinutes(r.Notice.Required))
	}
	if r.Closed {
		v.Closed = london(r.ClosedAt)
	}
	listed := map[bluelight.Role]bool{}
	row := func(role bluelight.Role, required string) {
		listed[role] = true
		var names []string
		for _, a := range r.Attendees {
			if a.Role == role {
				names = append(names, cmpOr(a.Name, "yes"))
			}
		}
		v.Attendance = append(v.Attendance, attendRow{role.Title(), required, cmpOr(strings.Join(names, ", "), "no")})
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
	if miss := m.MissingRoles(); len(miss) > 0 {
		titles := make([]string, len(miss))
		for i, role := range miss {
			titles[i] = role.Title()
		}
		v.Missing = "Missing must-attend roles: " + strings.Join(titles, "; ") + "."
	}
	for i, s := range bluelight.Steps {
		sr := stepRow{N: i + 1, Title: s.Title()}
		if i < len(r.Steps) {
			sr.Notes, sr.Done = r.Steps[i].Notes, true
		}
		v.Steps = append(v.Steps, sr)
	}
	if m.Completed(bluelight.StepDecision) {
		v.Decision = r.Steps[bluelight.StepDecision-1].Notes
	}
	if c := r.Choice; c != nil {
		v.ChosenTitle, v.ChosenNote = c.Option.Title(), c.Detail
	}
	if f := r.Funding; f != nil {
		acc := "not accredited"
		if f.ProviderAccredited {
			acc = "accredited"
		}
		fv := &fundingView{Support: f.Support, Provider: f.Provider + " (" + acc + ")", Cost: f.Cost.String(), Split: f.Split.String(),
			LA: f.LocalAuthority.String(), Health: f.Health.String(), Start: london(f.Start), Stop: london(f.Stop),
			Funded: fmt.Sprintf("%s elapsed (cap %d hours)", hoursMinutes(f.Duration()), prm.MaxFundedHours)}
		if f.SplitAgreedBy != "" && f.Split != prm.DefaultSplit {
			fv.AgreedBy = f.SplitAgreedBy
		}
		v.Funding = fv
	}
	switch bad, why := m.Unsatisfactory(); {
	case !r.Closed:
		v.Outcome = "Meeting not closed."
	case bad:
		v.Outcome, v.Unsatisfactory = fmt.Sprintf("Unsatisfactory (%s): escalated to the directors of commissioning (R-BL-ESC).", strings.Join(why, ", ")), true
	default:
		v.Outcome = "Sustainable placement with funding agreed."
	}
	return v
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

var minuteTmpl = template.Must(template.New("minute").Funcs(funcs).Parse(`
<div class="dsr-report dsr-minute">
<h1>Blue Light meeting {{.R.ID}}</h1>
<dl class="dsr-summary-list">
<dt>Person</dt><dd>{{.R.PersonID}} (aged {{.R.Age}})</dd>
<dt>Call</dt><dd>{{.Call}}</dd>
<dt>Invitations sent</dt><dd>{{.Notice}}</dd>
<dt>Closed</dt><dd>{{.Closed}}</dd>
</dl>
{{if .LateNotice}}<div class="dsr-inset dsr-warning"><p><strong>{{.LateNotice}}</strong></p></div>{{end}}
<p><strong>{{.R.Statement}}</strong> (R-BL-CRIT).</p>
<h2>Criteria (R-BL-CRIT)</h2>
<ul>{{range .R.Criteria.Reasons}}<li>{{.Message}}</li>{{end}}</ul>
<h2>Attendance (R-BL-INVITE)</h2>
<table class="dsr-table"><thead><tr><th scope="col">Role</th><th scope="col">Required</th><th scope="col">Attended</th></tr></thead><tbody>
{{range .Attendance}}<tr><th scope="row">{{.Role}}</th><td>{{.Required}}</td><td>{{if eq .Attended "no"}}<strong>no</strong>{{else}}{{.Attended}}{{end}}</td></tr>
{{end}}</tbody></table>
<p>{{if .Missing}}{{.Missing}}{{else}}Every must-attend role attended.{{end}}</p>
<h2>Call record (R-BL-STEPS)</h2>
<ol>{{range .Steps}}<li><strong>{{.Title}}</strong>: {{if .Done}}{{.Notes}}{{else}}<em>not completed</em>{{end}}</li>{{end}}</ol>
<h2>Options (R-BL-PREF)</h2>
<ul>{{range .R.Rejections}}<li>Rejected: {{.Option.Title}}. Reason: {{.Reason}}</li>{{end}}
{{if .ChosenTitle}}<li>Chosen: {{.ChosenTitle}}{{if .ChosenNote}}: {{.ChosenNote}}{{end}}</li>
{{with .R.Choice}}{{if .ApprovedBy}}<li>Approved by commissioner: {{.ApprovedBy}}</li>{{end}}{{if .ClinicalJustification}}<li>Clinical justification: {{.ClinicalJustification}}</li>{{end}}{{end}}
{{else}}<li>No option chosen.</li>{{end}}</ul>
<h2>Decision and plan</h2>
<p>{{if .Decision}}{{.Decision}}{{else}}<em>No decision recorded.</em>{{end}}</p>
<h2>Funding (R-BL-FUND)</h2>
{{with .Funding}}<dl class="dsr-summary-list">
<dt>Support</dt><dd>{{.Support}}</dd><dt>Provider</dt><dd>{{.Provider}}</dd><dt>Cost</dt><dd>{{.Cost}}</dd>
<dt>Split</dt><dd>{{.Split}}</dd><dt>Local authority</dt><dd>{{.LA}}</dd><dt>Health</dt><dd>{{.Health}}</dd>
{{if .AgreedBy}}<dt>Split agreed by</dt><dd>{{.AgreedBy}}</dd>{{end}}
<dt>Start</dt><dd>{{.Start}}</dd><dt>Stop</dt><dd>{{.Stop}}</dd><dt>Funded</dt><dd>{{.Funded}}</dd>
</dl>{{else}}<p>No funding agreed.</p>{{end}}
<h2>Outcome</h2>
<p{{if .Unsatisfactory}} class="dsr-overdue"{{end}}>{{.Outcome}}</p>
{{if .R.Outcome.Notes}}<p>{{.R.Outcome.Notes}}</p>{{end}}
{{if .R.Warnings}}<div class="dsr-inset dsr-warning"><h2>Warnings</h2><ul>{{range .R.Warnings}}<li>{{.Message}} ({{.Rule}})</li>{{end}}</ul></div>{{end}}
</div>`))

// MinuteFragment is the Blue Light meeting's minute
// (bluelight.Meeting.Minute's content) as HTML to put inside a host page.
// Times are Europe/London with their offsets.
func MinuteFragment(m *bluelight.Meeting) template.HTML {
	return fragment(minuteTmpl, newMinuteView(m))
}

// MinuteHTML writes the minute as a standalone, printable page.
func MinuteHTML(w io.Writer, m *bluelight.Meeting) error {
	return writePage(w, "Blue Light meeting "+m.Record().ID+": Dynamic Support Register", MinuteFragment(m))
}
