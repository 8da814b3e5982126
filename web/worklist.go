package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// WorklistFilter is what the worklist page keeps and how it orders it: the
// page's query (rating, overdue, due_before, coordinator, sort, page).
type WorklistFilter struct {
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

// Sorts lists the orders of the worklist.
var Sorts = []string{"due", "rating", "person", "kind"}

// parseWorklistFilter reads the query; each bad value is a message for
// its field.
func parseWorklistFilter(q url.Values) (WorklistFilter, formErrors) {
	var f WorklistFilter
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
	if !slices.Contains(Sorts, f.Sort) {
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

// WorklistCounts are the exact figures of the worklist as filtered: the
// team's own, never published.
type WorklistCounts struct {
	Items, Overdue, People, Requests int
	// ByRating is how many people of each rating of record (red, amber,
	// green, blue) have an item.
	ByRating map[string]int
}

type worklistData struct {
	AsOf         calendar.Date
	Filter       WorklistFilter
	Query        url.Values
	Errors       formErrors
	Counts       WorklistCounts
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

// worklistItems is the worklist filtered and ordered, and its counts: the
// items of register.Due on asOf, kept as f says, the coordinators of
// register.List besides.
func (s *Site) worklistItems(r *http.Request, asOf calendar.Date, f WorklistFilter) ([]register.WorkItem, WorklistCounts, []string, error) {
	items, err := s.cfg.Register.Due(r.Context(), asOf)
	if err != nil {
		return nil, WorklistCounts{}, nil, err
	}
	entries, err := s.cfg.Register.List(r.Context(), asOf, register.ListFilter{})
	if err != nil {
		return nil, WorklistCounts{}, nil, err
	}
	coordOf := make(map[string]string, len(entries))
	seen := map[string]bool{}
	var coords []string
	for _, e := range entries {
		coordOf[e.PersonID] = e.CareCoordinator
		if c := e.CareCoordinator; c != "" && !seen[strings.ToLower(c)] {
			seen[strings.ToLower(c)] = true
			coords = append(coords, c)
		}
	}
	slices.Sort(coords)
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
	c := WorklistCounts{Items: len(out), ByRating: map[string]int{}}
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
	names := by.Role == register.RoleCoordinator
	d := worklistData{AsOf: asOf, Filter: f, Query: q, Errors: errs, Counts: counts, Names: names, Coordinators: coords,
		Page: f.Page, Pages: pages, First: lo + 1, Last: hi}
	if len(items) == 0 {
		d.First = 0
	}
	named := map[string]string{}
	for _, it := range items[lo:hi] {
		row := worklistRow{WorkItem: it}
		switch {
		case it.PersonID != "":
			row.Pseudonym = s.pseudonym(it.PersonID)
			row.Person = row.Pseudonym
			if names {
				name, ok := named[it.PersonID]
				if !ok {
					// An audited read, as `dsr register due` makes for each name.
					det, err := s.cfg.Register.Details(r.Context(), it.PersonID, by, register.Because("worklist page"))
					if err != nil {
						s.fail(w, r, err)
						return
					}
					name = det.Name
					named[it.PersonID] = name
				}
				row.Person = cmp.Or(name, it.PersonID)
				row.Link = personPage(it.PersonID)
			}
		case it.ReferralID != "":
			row.Person = "Request to join"
			if names {
				row.Person = "Request " + it.ReferralID
				row.Link = "/referrals/" + url.PathEscape(it.ReferralID) + "/decision"
			}
		}
		if !names {
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
	for _, so := range Sorts {
		d.SortLinks = append(d.SortLinks, sortLink{Label: so, Href: link(map[string]string{"sort": so, "page": ""}), Current: so == f.Sort})
	}
	status := http.StatusOK
	title := "Worklist"
	if len(errs) > 0 {
		status, title = http.StatusBadRequest, "Error: Worklist"
	}
	s.show(w, r, status, title, "worklist", d)
}
