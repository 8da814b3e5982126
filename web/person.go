package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

type personData struct {
	ID, Pseudonym string
	Version       int64
	AsOf          calendar.Date
	Details       register.Details
	Age           int
	Assessment    dsr.Assessment
	History       []register.HistoryEntry
	Reviews       []*cetr.Review
	Meetings      []bluelight.Record
	Open          []register.WorkItem
	Documents     bool
}

// Differs says the agreed rating is not the suggestion.
func (d *personData) Differs() bool {
	a := d.Assessment
	return a.AgreedRating != dsr.Unrated && a.AgreedRating != a.Rating
}

// person is a person's page: their details (an audited read), consent,
// the rating of record beside the suggestion with the reasons, what is
// open, their reviews and Blue Light meetings, and their timeline (an
// audited read).
func (s *Site) person(w http.ResponseWriter, r *http.Request, by register.Actor) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	reg := s.cfg.Register
	asOf := s.today()
	d := personData{ID: id, Pseudonym: s.pseudonym(id), AsOf: asOf, Documents: s.cfg.Documents != nil}
	var err error
	if d.Version, err = reg.Version(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Details, err = reg.Details(ctx, id, by, register.Because("person page")); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Age = calendar.YearsBetween(d.Details.Person.DateOfBirth, asOf)
	if d.Assessment, err = reg.Assess(ctx, id, asOf); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.History, err = reg.History(ctx, id, by, register.Because("person page")); err != nil {
		s.fail(w, r, err)
		return
	}
	slices.Reverse(d.History) // newest first
	docs, err := reg.Documents(ctx, id, register.ReviewKind)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, doc := range docs {
		rev, err := register.ReviewFromDocument(doc)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Reviews = append(d.Reviews, rev)
	}
	if docs, err = reg.Documents(ctx, id, register.MeetingKind); err != nil {
		s.fail(w, r, err)
		return
	}
	rules := policies.BlueLightRules(s.cfg.Engine)
	for _, doc := range docs {
		m, err := register.MeetingFromDocument(doc, rules)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Meetings = append(d.Meetings, m.Record())
	}
	items, err := s.due(ctx, asOf)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, it := range items {
		if it.PersonID == id {
			d.Open = append(d.Open, it)
		}
	}
	title := d.Details.Name
	if strings.TrimSpace(title) == "" {
		title = id
	}
	s.show(w, r, http.StatusOK, title, "person", &d)
}
