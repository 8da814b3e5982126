package report

import (
	"cmp"
	"context"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// MeetingPack is the register group's pack for a meeting (R-REPORT-2):
// everyone with something due by the meeting date, with their rating of
// record and the rules' suggestion, what changed since their last review,
// their open actions and what is overdue. Its figures are exact: it is the
// team's own. It names people by local id, and by name only when the pack
// was built with names (PackOptions.Names) and the page is asked to show
// them.
type MeetingPack struct {
	// Date is the meeting's date: the pack lists what is due by then.
	Date calendar.Date `json:"date"`
	// People is everyone due, overdue first, then by the earliest due date.
	People []PackPerson `json:"people"`
	// Overdue counts the people with something overdue on Date.
	Overdue int `json:"overdue"`
}

// PackPerson is one person of a meeting pack.
type PackPerson struct {
	PersonID string `json:"person_id"`
	// Name is read (and the read audited) only with PackOptions.Names.
	Name           string     `json:"name,omitempty"`
	RatingOfRecord dsr.Rating `json:"rating_of_record"`
	Rating         dsr.Rating `json:"rating"`
	AgreedRating   dsr.Rating `json:"agreed_rating"`
	Team           string     `json:"team,omitempty"`
	Coordinator    string     `json:"care_coordinator,omitempty"`
	// Since is the day of the last review (a C(E)TR or a register review)
	// the changes are counted from, or the day the person joined; SinceWhat
	// says which.
	Since     calendar.Date `json:"since"`
	SinceWhat string        `json:"since_what"`
	// Changes are the records written since then: events, rating changes,
	// details changed (by name, never value).
	Changes []Change `json:"changes"`
	// Items are everything open for the person on Date (the worklist's),
	// overdue first.
	Items   []register.WorkItem `json:"items"`
	Overdue int                 `json:"overdue"`
}

// Change is one thing that changed in a person's record.
type Change struct {
	Date calendar.Date `json:"date"`
	What string        `json:"what"`
}

// PackOptions are the inputs of NewMeetingPack besides the register and
// the date.
type PackOptions struct {
	// By is who reads the records for the pack (required): each person's
	// history read is audited, with why.
	By register.Actor
	// Names reads each person's name too (audited).
	Names bool
	// Progress, when set, counts the people whose records were read.
	Progress Counter
}

// NewMeetingPack builds the pack for the meeting on date: the register's
// worklist on that day (register.Register.Due), the people with an item
// due by then, and for each their history (audited, because of the
// meeting) for what changed since their last review. The list itself is
// audited as one bulk read (register.Register.AuditBulk) naming everyone
// in it.
func NewMeetingPack(ctx context.Context, reg *register.Register, date calendar.Date, opts PackOptions) (*MeetingPack, error) {
	if err := opts.By.Validate(); err != nil {
		return nil, fmt.Errorf("report: meeting pack: %w", err)
	}
	items, err := reg.Due(ctx, date)
	if err != nil {
		return nil, err
	}
	byPerson := map[string][]register.WorkItem{}
	var order []string
	dueBy := map[string]bool{}
	for _, it := range items {
		if it.PersonID == "" {
			continue
		}
		if _, ok := byPerson[it.PersonID]; !ok {
			order = append(order, it.PersonID)
		}
		byPerson[it.PersonID] = append(byPerson[it.PersonID], it)
		if !it.DueDate().After(date) {
			dueBy[it.PersonID] = true
		}
	}
	list, err := reg.List(ctx, date, register.ListFilter{})
	if err != nil {
		return nil, err
	}
	entries := map[string]register.ListEntry{}
	for _, e := range list {
		entries[e.PersonID] = e
	}
	why := register.Because("meeting pack for " + date.String())
	p := &MeetingPack{Date: date, People: []PackPerson{}}
	for _, id := range order {
		if !dueBy[id] {
			continue
		}
		if opts.Progress != nil {
			opts.Progress.Add(1)
		}
		its := byPerson[id]
		register.SortWorklist(its)
		e := entries[id]
		pp := PackPerson{PersonID: id, RatingOfRecord: its[0].RatingOfRecord, Rating: its[0].Rating, AgreedRating: its[0].AgreedRating,
			Team: e.Team, Coordinator: e.CareCoordinator, Items: its}
		for _, it := range its {
			if it.Overdue {
				pp.Overdue++
			}
		}
		if pp.Overdue > 0 {
			p.Overdue++
		}
		h, err := reg.History(ctx, id, opts.By, why)
		if err != nil {
			return nil, err
		}
		pp.Since, pp.SinceWhat, pp.Changes = changesSince(h)
		if opts.Names {
			d, err := reg.Details(ctx, id, opts.By, why)
			if err != nil {
				return nil, err
			}
			pp.Name = d.Name
		}
		p.People = append(p.People, pp)
	}
	ids := make([]string, len(p.People))
	for i := range p.People {
		ids[i] = p.People[i].PersonID
	}
	if err := reg.AuditBulk(ctx, "meeting pack", "due by "+date.String(), date, ids, opts.By, why); err != nil {
		return nil, err
	}
	slices.SortStableFunc(p.People, func(a, b PackPerson) int {
		if (a.Overdue > 0) != (b.Overdue > 0) {
			if a.Overdue > 0 {
				return -1
			}
			return 1
		}
		return cmp.Or(a.Items[0].DueDate().Compare(b.Items[0].DueDate()), strings.Compare(a.PersonID, b.PersonID))
	})
	return p, nil
}

// changesSince finds the last review in a history (a review_held or a
// register_reviewed; else the joining) and lists what was written after
// it: each record's summary, and the ratings when they changed.
func changesSince(h []register.HistoryEntry) (calendar.Date, string, []Change) {
	from := 0
	since, what := calendar.Date{}, "joined the register"
	for i, e := range h {
		switch e.Type {
		case register.RecordPersonAdded:
			if since.IsZero() {
				since, from = calendar.DateOf(e.At), i+1
			}
		case string(dsr.EventReviewHeld), string(dsr.EventRegisterReviewed):
			since, from = calendar.DateOf(e.At), i+1
			what = "the last C(E)TR"
			if e.Type == string(dsr.EventRegisterReviewed) {
				what = "the last register review"
			}
			if i := strings.Index(e.Summary, " on "); i >= 0 {
				if d, err := calendar.ParseDate(strings.TrimRight(strings.Fields(e.Summary[i+4:])[0], ",")); err == nil {
					since = d
				}
			}
		}
	}
	changes := []Change{}
	for i := from; i < len(h); i++ {
		e := h[i]
		d := calendar.DateOf(e.At)
		if e.Summary != "" && e.Type != register.AuditRead {
			changes = append(changes, Change{Date: d, What: e.Summary})
		}
		if i == 0 {
			continue
		}
		prev := h[i-1]
		if e.Rating != prev.Rating {
			changes = append(changes, Change{Date: d, What: fmt.Sprintf("suggested rating %s → %s", ratingWord(prev.Rating), ratingWord(e.Rating))})
		}
		if e.AgreedRating != prev.AgreedRating {
			changes = append(changes, Change{Date: d, What: fmt.Sprintf("agreed rating %s → %s", ratingWord(prev.AgreedRating), ratingWord(e.AgreedRating))})
		}
		if e.OnRegister != prev.OnRegister && !e.OnRegister {
			changes = append(changes, Change{Date: d, What: "no longer on the register"})
		}
	}
	return since, what, changes
}

func ratingWord(r dsr.Rating) string {
	if r == dsr.Unrated {
		return "none"
	}
	return strings.ToUpper(r.String())
}

var packTmpl = template.Must(template.New("pack").Funcs(funcs).Parse(`
<div class="dsr-report dsr-pack">
<h1>Dynamic support register: meeting pack for {{.P.Date}}</h1>
<p class="dsr-lede">{{len .P.People}} {{if eq (len .P.People) 1}}person has{{else}}people have{{end}} something due by {{.P.Date}}; {{.P.Overdue}} with something overdue.</p>
<div class="dsr-inset dsr-warning"><p><strong>Official sensitive: personal.</strong> This pack is for the register group's meeting only. Its figures are exact (the team's own).</p></div>
<nav class="dsr-contents" aria-label="People in this pack"><h2>People</h2><ul>
{{range .P.People}}<li><a href="#person-{{.PersonID}}">{{if and $.Names .Name}}{{.Name}} ({{.PersonID}}){{else}}{{.PersonID}}{{end}}</a>{{if .Overdue}} <span class="dsr-overdue">{{.Overdue}} overdue</span>{{end}}</li>
{{end}}</ul></nav>
{{range .P.People}}
<section class="dsr-person" id="person-{{.PersonID}}" aria-labelledby="person-{{.PersonID}}-h">
<h2 id="person-{{.PersonID}}-h">{{if and $.Names .Name}}{{.Name}} <span class="dsr-muted">({{.PersonID}})</span>{{else}}{{.PersonID}}{{end}}</h2>
<dl class="dsr-summary-list">
<dt>Rating of record</dt><dd><strong class="dsr-tag {{tagClass .RatingOfRecord.String}}">{{rating .RatingOfRecord}}</strong></dd>
<dt>Rules' suggestion</dt><dd>{{rating .Rating}}</dd>
<dt>Agreed rating</dt><dd>{{rating .AgreedRating}}</dd>
{{if .Team}}<dt>Team</dt><dd>{{.Team}}</dd>{{end}}
{{if .Coordinator}}<dt>Care coordinator</dt><dd>{{.Coordinator}}</dd>{{end}}
<dt>Changes since</dt><dd>{{.Since}}: {{.SinceWhat}}</dd>
</dl>
<h3>What changed since {{.Since}}</h3>
{{if .Changes}}<table class="dsr-table"><caption class="dsr-muted">Records written since the last review</caption>
<thead><tr><th scope="col">Date</th><th scope="col">What</th></tr></thead><tbody>
{{range .Changes}}<tr><td class="dsr-date">{{.Date}}</td><td>{{.What}}</td></tr>
{{end}}</tbody></table>{{else}}<p>Nothing recorded since.</p>{{end}}
<h3>Open actions</h3>
<table class="dsr-table"><caption class="dsr-muted">{{len .Items}} open, {{.Overdue}} overdue</caption>
<thead><tr><th scope="col">Due</th><th scope="col">What</th><th scope="col">Rule</th><th scope="col">Who</th></tr></thead><tbody>
{{range .Items}}<tr><td class="dsr-date">{{.DueDate}}{{if .Overdue}} <strong class="dsr-overdue">overdue</strong>{{end}}</td><td>{{.Reason}}</td><td>{{.Rule}}</td><td>{{.Who}}</td></tr>
{{end}}</tbody></table>
</section>
{{end}}
</div>`))

// MeetingPackFragment is the pack as HTML to put inside a host page:
// names shown only when names is true (and the pack was built with them).
func MeetingPackFragment(p *MeetingPack, names bool) template.HTML {
	return fragment(packTmpl, map[string]any{"P": p, "Names": names})
}

// WriteMeetingPackHTML writes the pack as a standalone, printable page
// (one person a printed page), names shown only when names is true.
func WriteMeetingPackHTML(w io.Writer, p *MeetingPack, names bool) error {
	return writePage(w, "Meeting pack "+p.Date.String()+": Dynamic Support Register", MeetingPackFragment(p, names))
}
