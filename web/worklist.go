package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// worklistFilter is what the worklist page keeps and how it orders it: the
// page's query (rating, overdue, due_before, coordinator, sort, page).
type worklistFilter struct {
	// Rating keeps the items of people whose rating of record is Rating.
	Rating dsr.Rating
	// Overdue keeps overdue items only.
	Overdue bool
	// DueBefore keeps items due before it.
	DueBefore calendar.Date
	// Coordinator keeps the items of people with this care coordinator
	// (exact, case folded).
	Coordinator string
	// Sort is due (overdue first, then by due date: the default), rating
	// (red first), person or kind.
	Sort string
	// Page is the page of rows shown, from 1.
	Page int
}

// String says the filter in words, for the audit of a page (no
// identifier: a rating, a date, a care coordinator's name).
func (f worklistFilter) String() string {
	var parts []string
	if f.Rating != dsr.Unrated {
		parts = append(parts, "rating of record "+f.Rating.String())
	}
	if f.Overdue {
		parts = append(parts, "overdue")
	}
	if !f.DueBefore.IsZero() {
		parts = append(parts, "due before "+f.DueBefore.String())
	}
	if f.Coordinator != "" {
		parts = append(parts, "care coordinator "+f.Coordinator)
	}
	parts = append(parts, "sorted by "+f.Sort, "page "+strconv.Itoa(f.Page))
	return strings.Join(parts, ", ")
}

// sorts lists the orders of the worklist.
var sorts = []string{"due", "rating", "person", "kind"}

// parseWorklistFilter reads the query; each bad value is a message for
// its field.
func parseWorklistFilter(q url.Values) (worklistFilter, formErrors) {
	var f worklistFilter
	var errs formErrors
	if v := q.Get("rating"); v != "" {
		r, err := dsr.ParseRating(v)
		if err != nil || r == dsr.Unrated {
			errs = append(errs, fieldError{"rating", "Rating: choose red, amber, green or blue"})
		}
		f.Rating = r
	}
	f.Overdue = q.Get("overdue") == "yes"
	if v := strings.TrimSpace(q.Get("due_before")); v != "" {
		d, err := calendar.ParseDate(v)
		if err != nil {
			errs = append(errs, fieldError{"due_before", "Due before: " + strconv.Quote(v) + " is not a real date: enter it as year-month-day, for example 2026-05-01"})
		}
		f.DueBefore = d
	}
	f.Coordinator = strings.TrimSpace(q.Get("coordinator"))
	if len(f.Coordinator) > 500 {
		errs = append(errs, fieldError{"coordinator", "Care coordinator: too long"})
		f.Coordinator = ""
	}
	f.Sort = q.Get("sort")
	if !slices.Contains(sorts, f.Sort) {
		f.Sort = "due"
	}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	if f.Page < 1 {
		f.Page = 1
	}
	return f, errs
}

// worklistRow is a line of the worklist as shown.
type worklistRow struct {
	register.WorkItem
	// Person is who the row is about as the role may see them: the name
	// (coordinators), else the pseudonym.
	Person, Pseudonym, Link string
}

// worklistCounts are the exact figures of the worklist as filtered: the
// team's own, never published.
type worklistCounts struct {
	Items, Overdue, People, Requests int
	// ByRating is how many people of each rating of record (red, amber,
	// green, blue) have an item.
	ByRating map[string]int
}

type worklistData struct {
	AsOf         calendar.Date
	Filter       worklistFilter
	Query        url.Values
	Errors       formErrors
	Counts       worklistCounts
	Rows         []worklistRow
	Names        bool
	Coordinators []string
	Page, Pages  int
	Prev, Next   string
	SortLinks    []sortLink
	First, Last  int
}

type sortLink struct {
	Label, Href string
	Current     bool
}

// dueCache is the day's worklist as the register last gave it
// (register.Due), and apart each person's care coordinator
// (register.List): each built again only when something was written since
// it was (Register.WritesAfter: reads' audits do not count) or the day
// changed. A page of the worklist over 10,000 people then filters what is
// in memory, and after a write reads every person's row once, not twice:
// the coordinators are read again only for a page that filters by one
// (the list to choose from may lag a write until then).
type dueCache struct {
	mu     sync.Mutex
	items  cached[[]register.WorkItem]
	coords cached[careCoordinators]
}

type careCoordinators struct {
	of    map[string]string // person → care coordinator
	names []string
}

// cached is something built from the register on a date at a Seq of its
// log.
type cached[T any] struct {
	valid bool
	asOf  calendar.Date
	seq   int64
	v     T
}

// get returns c's value when no write since it was built changes it
// (changes says which record types do), else builds it again.
func get[T any](ctx context.Context, reg *register.Register, c *cached[T], asOf calendar.Date, changes func(types []string) bool, build func() (T, error)) (T, error) {
	if c.valid && c.asOf == asOf {
		last, types, err := reg.WritesAfter(ctx, c.seq)
		if err != nil {
			return c.v, err
		}
		if !changes(types) {
			c.seq = last
			return c.v, nil
		}
	}
	c.valid = false
	// The Seq first: a write while it is built is seen next time.
	seq, err := reg.LastSeq(ctx)
	if err != nil {
		return c.v, err
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	c.valid, c.asOf, c.seq, c.v = true, asOf, seq, v
	return v, nil
}

// due returns the worklist on asOf, from the cache while nothing was
// written. The slice is shared: do not change it.
func (s *Site) due(ctx context.Context, asOf calendar.Date) ([]register.WorkItem, error) {
	c := &s.dueCache
	c.mu.Lock()
	defer c.mu.Unlock()
	anyWrite := func(types []string) bool { return len(types) > 0 }
	return get(ctx, s.cfg.Register, &c.items, asOf, anyWrite, func() ([]register.WorkItem, error) { return s.cfg.Register.Due(ctx, asOf) })
}

// changesCoordinators says whether records of types may change who is
// whose care coordinator: a person added, their details changed, or their
// entry gone. An event, a review or a rating changes nobody's; the
// worklist's items themselves always come from register.Due.
func changesCoordinators(types []string) bool {
	for _, t := range types {
		switch t {
		case register.RecordPersonAdded, register.RecordDetailsUpdated, register.RecordPersonRemoved, string(dsr.EventConsentWithdrawn):
			return true
		}
	}
	return false
}

// coordinators returns each person's care coordinator and the
// coordinators' names: fresh when fresh is set, else as last read.
func (s *Site) coordinators(ctx context.Context, asOf calendar.Date, fresh bool) (careCoordinators, error) {
	c := &s.dueCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !fresh && c.coords.valid {
		return c.coords.v, nil
	}
	return get(ctx, s.cfg.Register, &c.coords, asOf, changesCoordinators, func() (careCoordinators, error) {
		entries, err := s.cfg.Register.List(ctx, asOf, register.ListFilter{})
		if err != nil {
			return careCoordinators{}, err
		}
		out := careCoordinators{of: make(map[string]string, len(entries))}
		seen := map[string]bool{}
		for _, e := range entries {
			out.of[e.PersonID] = e.CareCoordinator
			if c := e.CareCoordinator; c != "" && !seen[strings.ToLower(c)] {
				seen[strings.ToLower(c)] = true
				out.names = append(out.names, c)
			}
		}
		slices.Sort(out.names)
		return out, nil
	})
}

// worklistItems is the worklist on asOf filtered and ordered as f says,
// its counts, and the coordinators to filter by.
func (s *Site) worklistItems(r *http.Request, asOf calendar.Date, f worklistFilter) ([]register.WorkItem, worklistCounts, []string, error) {
	items, err := s.due(r.Context(), asOf)
	if err != nil {
		return nil, worklistCounts{}, nil, err
	}
	co, err := s.coordinators(r.Context(), asOf, f.Coordinator != "")
	if err != nil {
		return nil, worklistCounts{}, nil, err
	}
	coordOf, coords := co.of, co.names
	out := make([]register.WorkItem, 0, len(items))
	for _, it := range items {
		switch {
		case f.Rating != dsr.Unrated && it.RatingOfRecord != f.Rating,
			f.Overdue && !it.Overdue,
			!f.DueBefore.IsZero() && !it.DueDate().Before(f.DueBefore),
			f.Coordinator != "" && !strings.EqualFold(coordOf[it.PersonID], f.Coordinator):
			continue
		}
		out = append(out, it)
	}
	c := worklistCounts{Items: len(out), ByRating: map[string]int{}}
	people := map[string]bool{}
	for _, it := range out {
		if it.Overdue {
			c.Overdue++
		}
		if it.PersonID == "" {
			c.Requests++
			continue
		}
		if !people[it.PersonID] {
			people[it.PersonID] = true
			c.ByRating[it.RatingOfRecord.String()]++
		}
	}
	c.People = len(people)
	sortItems(out, f.Sort, s.pseudonym)
	return out, c, coords, nil
}

// ratingOrder puts red first, then amber, green, blue, then unrated.
func ratingOrder(r dsr.Rating) int {
	switch r {
	case dsr.Red:
		return 0
	case dsr.Amber:
		return 1
	case dsr.Green:
		return 2
	case dsr.Blue:
		return 3
	}
	return 4
}

// sortItems orders the items: the register's worklist order (overdue
// first, then by due date) breaks every tie.
func sortItems(items []register.WorkItem, by string, pseudonym func(string) string) {
	register.SortWorklist(items)
	switch by {
	case "rating":
		slices.SortStableFunc(items, func(a, b register.WorkItem) int {
			return cmp.Compare(ratingOrder(a.RatingOfRecord), ratingOrder(b.RatingOfRecord))
		})
	case "person":
		key := func(it register.WorkItem) string {
			if it.PersonID == "" {
				return "~" + it.ReferralID
			}
			return it.PersonID
		}
		slices.SortStableFunc(items, func(a, b register.WorkItem) int { return strings.Compare(key(a), key(b)) })
	case "kind":
		slices.SortStableFunc(items, func(a, b register.WorkItem) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
	}
}

func (s *Site) worklist(w http.ResponseWriter, r *http.Request, by register.Actor) {
	q := r.URL.Query()
	f, errs := parseWorklistFilter(q)
	asOf := s.today()
	items, counts, coords, err := s.worklistItems(r, asOf, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	size := s.cfg.PageSize
	pages := max(1, (len(items)+size-1)/size)
	f.Page = min(f.Page, pages)
	lo := (f.Page - 1) * size
	hi := min(len(items), lo+size)
	named := by.Role == register.RoleCoordinator
	d := worklistData{AsOf: asOf, Filter: f, Query: q, Errors: errs, Counts: counts, Names: named, Coordinators: coords,
		Page: f.Page, Pages: pages, First: lo + 1, Last: hi}
	if len(items) == 0 {
		d.First = 0
	}
	var names map[string]register.Details
	if named {
		// The names on this page: one audited read for them all.
		names, err = s.cfg.Register.DetailsOf(r.Context(), register.PeopleIn(items[lo:hi]), "worklist page", f.String(), asOf, by)
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	for _, it := range items[lo:hi] {
		row := worklistRow{WorkItem: it}
		switch {
		case it.PersonID != "":
			row.Pseudonym = s.pseudonym(it.PersonID)
			row.Person = row.Pseudonym
			if named {
				row.Person = cmp.Or(names[it.PersonID].Name, it.PersonID)
				row.Link = personPage(it.PersonID)
			}
		case it.ReferralID != "":
			row.Person = "Request to join"
			if named {
				row.Person = "Request " + it.ReferralID
				row.Link = "/referrals/" + url.PathEscape(it.ReferralID) + "/decision"
			}
		}
		if !named {
			// As the API gives a viewer: no ids, and of a document its kind only.
			row.PersonID, row.ReferralID = "", ""
			if row.Document != nil {
				row.Document = &register.DocumentRef{Kind: row.Document.Kind}
			}
		}
		d.Rows = append(d.Rows, row)
	}
	link := func(change map[string]string) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		for k, x := range change {
			if x == "" {
				v.Del(k)
			} else {
				v.Set(k, x)
			}
		}
		if e := v.Encode(); e != "" {
			return "/worklist?" + e
		}
		return "/worklist"
	}
	if f.Page > 1 {
		d.Prev = link(map[string]string{"page": strconv.Itoa(f.Page - 1)})
	}
	if f.Page < pages {
		d.Next = link(map[string]string{"page": strconv.Itoa(f.Page + 1)})
	}
	for _, so := range sorts {
		d.SortLinks = append(d.SortLinks, sortLink{Label: so, Href: link(map[string]string{"sort": so, "page": ""}), Current: so == f.Sort})
	}
	status := http.StatusOK
	title := "Worklist"
	if len(errs) > 0 {
		status, title = http.StatusBadRequest, "Error: Worklist"
	}
	s.show(w, r, status, title, "worklist", d)
}

// KeepWarm builds today's worklist into the pages' cache now and again
// every interval until ctx is done, so that the day's first page (which
// has every person assessed for the new date, seconds on 10,000 people)
// and the first after a write are not a member of staff's wait. A failure
// is logged and tried again at the next interval.
func (s *Site) KeepWarm(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		asOf := s.today()
		if _, err := s.due(ctx, asOf); err != nil && ctx.Err() == nil {
			s.log.Warn("building the worklist ahead failed", "error_type", fmt.Sprintf("%T", err))
		} else if _, err := s.coordinators(ctx, asOf, true); err != nil && ctx.Err() == nil {
			s.log.Warn("reading the care coordinators ahead failed", "error_type", fmt.Sprintf("%T", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
