package web

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"longDate":   longDate,
	"londonTime": londonTime,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"ratings":   func() []dsr.Rating { return []dsr.Rating{dsr.Red, dsr.Amber, dsr.Green, dsr.Blue} },
	"ratingTag": ratingTag,
	"title":     title,
	"sortLabel": func(s string) string {
		return map[string]string{"due": "Overdue first, then by due date", "rating": "Rating of record (red first)",
			"person": "Person (by id)", "kind": "What is due"}[s]
	},
	"words":    words,
	"ruleLink": func(rule string) string { return "/rules#" + RuleAnchor(rule) },
	"yesNo": func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	},
	"nhs": func(n dsr.NHSNumber) string {
		s := string(n)
		if len(s) == 10 {
			return s[:3] + " " + s[3:6] + " " + s[6:]
		}
		return s
	},
	"diagnoses": func(p dsr.Person) string {
		var out []string
		if p.Autism {
			out = append(out, "autism")
		}
		if p.LearningDisability {
			out = append(out, "learning disability")
		}
		if p.AwaitingDiagnosis {
			out = append(out, "awaiting diagnosis")
		}
		if len(out) == 0 {
			return "None recorded"
		}
		return title(strings.Join(out, " and "))
	},
	"isOpen": func(r cetr.Recommendation) bool { return r.Status == "" || r.Status == cetr.Open },
}

// longDate is a date as the NHS writes it: 1 April 2026.
func longDate(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Start().In(calendar.London).Format("2 January 2006")
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// acronyms are the words of the register's vocabulary written in capitals.
var acronyms = map[string]string{"dsr": "DSR", "mdt": "MDT", "cetr": "C(E)TR", "ctr": "CTR", "nhs": "NHS", "camhs": "CAMHS"}

// words is a word of the register (review_held, dsr_review) in plain words
// (Review held, DSR review).
func words(v any) string {
	parts := strings.Split(fmt.Sprint(v), "_")
	for i, p := range parts {
		if a, ok := acronyms[p]; ok {
			parts[i] = a
		}
	}
	return title(strings.Join(parts, " "))
}

// ratingTag is a rating as a coloured tag with its word (never colour
// alone).
func ratingTag(r dsr.Rating) template.HTML {
	if r == dsr.Unrated {
		return "Not rated"
	}
	return template.HTML(fmt.Sprintf(`<strong class="nhsuk-tag dsr-rating dsr-rating--%s">%s</strong>`, r, strings.ToUpper(r.String())))
}

var _ = time.Time{}
