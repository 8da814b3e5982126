package cetr

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
)

// Member is one person on a review panel. Names are synthetic in tests and
// examples ("Clinical Expert B").
type Member struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Delegate marks a chair who sits for the responsible commissioner. A
	// delegate needs DecisionAuthority and is never independent.
	Delegate bool `json:"delegate,omitempty"`
	// DecisionAuthority: a delegated chair has authority to decide.
	DecisionAuthority bool `json:"decision_authority,omitempty"`
	// DayToDayCare: involved in the person's day-to-day care, so cannot sit
	// as an independent member.
	DayToDayCare bool `json:"day_to_day_care,omitempty"`
	// Conflict is a declared conflict of interest; empty when none is
	// declared. A member with one cannot sit as an independent member.
	Conflict string `json:"conflict,omitempty"`
	// TrainingExpires is the last day the member's review training is
	// current; zero when none is recorded. An independent member needs
	// training current on the review date.
	TrainingExpires calendar.Date `json:"training_expires,omitzero"`
}

// Panel is the panel of one review with what its rules depend on. Within a
// Review, Review.Panel builds it from the review's members, type, params and
// commissioner.
type Panel struct {
	// Type is the type of review; for a CETR the education rule applies.
	Type Type `json:"type"`
	// Education says whether a CETR needs an education or children's social
	// care professional; the zero value reads as Advised.
	Education Requirement `json:"education,omitempty"`
	// Commissioner is the responsible commissioner. When set, a chair who is
	// not a delegate must be them.
	Commissioner string   `json:"commissioner,omitempty"`
	Members      []Member `json:"members"`
}

func sameName(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Validate checks the panel against R-CETR-PANEL for a review on the date on
// and returns every problem at once, joined; each is a *PanelError naming the
// member, the seat, the field and the rule, and matching ErrInvalidPanel and
// ErrInvalid:
//
//   - every member has a name and a known role;
//   - there is exactly one chair: the responsible commissioner, or a delegate
//     with authority to decide;
//   - there is an independent clinical expert and an independent expert by
//     experience;
//   - nobody in an independent seat is involved in the person's day-to-day
//     care, has declared a conflict, lacks training current on the date, or
//     also chairs or holds the other independent seat (a delegate is not
//     independent);
//   - for a CETR where the area requires it, an education or children's
//     social care professional sits (where it is only advised, the absence is
//     a Warning: see Warnings).
//
// Validate changes nothing.
func (p Panel) Validate(on calendar.Date) error {
	var errs []error
	add := func(i int, m *Member, field, format string, args ...any) {
		e := &PanelError{Index: i, Rule: "R-CETR-PANEL", Problem: fmt.Sprintf(format, args...)}
		if m != nil {
			e.Member, e.Role = m.Name, m.Role
			e.Field = fmt.Sprintf("members[%d]", i)
			if field != "" {
				e.Field += "." + field
			}
		} else {
			e.Field = "members"
		}
		errs = append(errs, e)
	}
	missing := func(r Role, format string, args ...any) {
		errs = append(errs, &PanelError{Index: -1, Role: r, Field: "members", Rule: "R-CETR-PANEL", Problem: fmt.Sprintf(format, args...)})
	}
	if on.IsZero() {
		missing("", "no review date to check the panel on")
	}
	chair := -1
	seats := map[Role]int{}
	for i := range p.Members {
		m := &p.Members[i]
		if strings.TrimSpace(m.Name) == "" {
			add(i, m, "name", "required")
		}
		if !m.Role.Valid() {
			if m.Role == "" {
				add(i, m, "role", "required")
			} else {
				add(i, m, "role", "unknown role %q", m.Role)
			}
			continue
		}
		seats[m.Role]++
		switch {
		case m.Role == Chair && chair >= 0:
			add(i, m, "role", "a panel has one chair, and members[%d] (%s) already chairs", chair, p.Members[chair].Name)
		case m.Role == Chair:
			chair = i
			if m.Delegate && !m.DecisionAuthority {
				add(i, m, "decision_authority", "a chair who is the commissioner's delegate needs authority to decide")
			}
			if !m.Delegate && p.Commissioner != "" && !sameName(m.Name, p.Commissioner) {
				add(i, m, "delegate", "the chair is neither the responsible commissioner (%s) nor a delegate", p.Commissioner)
			}
		case m.Role.Independent():
			p.checkIndependent(i, m, on, add)
		}
	}
	if seats[Chair] == 0 {
		missing(Chair, "no chair: the responsible commissioner or a delegate with authority to decide chairs the panel")
	}
	if seats[ClinicalExpert] == 0 {
		missing(ClinicalExpert, "no independent clinical expert")
	}
	if seats[ExpertByExperience] == 0 {
		missing(ExpertByExperience, "no independent expert by experience")
	}
	if p.Type == CETR && p.Education == Required && !p.hasEducation() {
		missing(Education, "a CETR panel here must include an education or children's social care professional")
	}
	return errors.Join(errs...)
}

func (p Panel) checkIndependent(i int, m *Member, on calendar.Date, add func(int, *Member, string, string, ...any)) {
	if m.DayToDayCare {
		add(i, m, "day_to_day_care", "involved in the person's day-to-day care, so cannot sit as an independent member")
	}
	if strings.TrimSpace(m.Conflict) != "" {
		add(i, m, "conflict", "declared a conflict of interest (%s), so cannot sit as an independent member", strings.TrimSpace(m.Conflict))
	}
	switch {
	case m.TrainingExpires.IsZero():
		add(i, m, "training_expires", "no current training recorded")
	case !on.IsZero() && m.TrainingExpires.Before(on):
		add(i, m, "training_expires", "training lapsed on %s, before the review on %s", m.TrainingExpires, on)
	}
	if strings.TrimSpace(m.Name) == "" {
		return
	}
	for j := range p.Members {
		o := &p.Members[j]
		if j == i || !sameName(o.Name, m.Name) {
			continue
		}
		switch {
		case o.Role == Chair && o.Delegate:
			add(i, m, "name", "also sits as the chair's delegate (members[%d]); a delegate is not independent", j)
		case o.Role == Chair:
			add(i, m, "name", "also chairs the panel (members[%d]); the chair is not independent", j)
		case o.Role.Independent() && o.Role != m.Role && j < i:
			add(i, m, "name", "already holds the other independent seat (members[%d])", j)
		}
	}
}

func (p Panel) hasEducation() bool {
	for _, m := range p.Members {
		if m.Role == Education || m.Role == ChildrensSocialCare {
			return true
		}
	}
	return false
}

// Warnings returns the advisory problems of the panel: for a CETR where the
// area only advises it (the national rule), the absence of an education or
// children's social care professional (R-CETR-PANEL).
func (p Panel) Warnings() []Warning {
	if p.Type == CETR && p.Education != Required && !p.hasEducation() {
		return []Warning{{
			Rule:    "R-CETR-PANEL",
			Field:   "members",
			Problem: "no education or children's social care professional on a CETR panel; one should be considered",
		}}
	}
	return nil
}

// Seat returns the first member holding role r, and whether there is one.
func (p Panel) Seat(r Role) (Member, bool) {
	for _, m := range p.Members {
		if m.Role == r {
			return m, true
		}
	}
	return Member{}, false
}
