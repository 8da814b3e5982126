package cetr

import (
	"errors"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
)

// Params are what an area may tune about reviews. Every number is here;
// nothing in the package hides one. The zero Params is invalid (its
// deadlines have no unit): start from DefaultParams and change what the area
// changes. Deadlines are counted on the England and Wales calendar
// (calendar.Default).
type Params struct {
	// ReportDeadline is when the report of a review is due, counted from
	// the day it was held (R-CETR-REPORT).
	ReportDeadline calendar.Deadline `json:"report_deadline"`
	// StatutoryReportDeadline replaces ReportDeadline for a statutory
	// review (R-CETR-STAT).
	StatutoryReportDeadline calendar.Deadline `json:"statutory_report_deadline"`
	// PapersLeadHours is how many hours before a community review the
	// papers must reach the panel (R-CETR-DOCS). Late papers are a Warning.
	PapersLeadHours int `json:"papers_lead_hours"`
	// Escalation is how long a recommendation may stay overdue, counted from
	// its due date, before it goes to the ICB oversight panel (R-CETR-ACT).
	Escalation calendar.Deadline `json:"escalation"`
	// EducationMember says whether a CETR panel must include an education
	// or children's social care professional, or is only advised to
	// (R-CETR-PANEL).
	EducationMember Requirement `json:"education_member"`
	// EHCPExtendsCETR makes a review of someone aged 18 or over with an
	// EHCP a CETR rather than a CTR (R-CETR-TYPE).
	EHCPExtendsCETR bool `json:"ehcp_extends_cetr"`
	// ConsentNoticeDays is the advisory gap between asking for consent and
	// the review (R-CETR-CONSENT); a shorter gap is a Warning. 0 turns the
	// warning off.
	ConsentNoticeDays int `json:"consent_notice_days"`
	// RatingAgreement is when the register rating must be re-agreed after a
	// review, counted from the day it was held (R-REV-2).
	RatingAgreement calendar.Deadline `json:"rating_agreement"`
}

// DefaultParams returns the national defaults:
//
//   - ReportDeadline 14 days (R-CETR-REPORT, NHSE-2023: the report goes to
//     participants within 14 days of the review; R-TIME-1).
//   - StatutoryReportDeadline 14 days beginning with the meeting day
//     (R-CETR-STAT, MHA-2025 Part 8A; R-TIME-3), so a meeting on 2 March
//     has its report due on 15 March.
//   - PapersLeadHours 24 (R-CETR-DOCS, NHSE-2023).
//   - Escalation 28 days (R-CETR-ACT). NHSE-2023 says overdue actions are
//     escalated to the ICB oversight panel but names no period: 28 days is
//     dsrkit's choice, matching the AMBER review cadence of R-REV-1. Set it
//     from the area's policy.
//   - EducationMember Advised (R-CETR-PANEL, NHSE-2023: for a CETR an
//     education or children's social care professional "should be
//     considered").
//   - EHCPExtendsCETR true (R-CETR-TYPE; the national-2023 bundle's
//     ehcp_extends_cetr).
//   - ConsentNoticeDays 14 (R-CETR-CONSENT, NHSE-2023, advisory).
//   - RatingAgreement 0 days (R-REV-2 names no period: by default the
//     rating is re-agreed when the review closes, and is overdue from the
//     next day).
func DefaultParams() Params {
	return Params{
		ReportDeadline:          calendar.Deadline{N: 14, Unit: calendar.Days},
		StatutoryReportDeadline: calendar.Deadline{N: 14, Unit: calendar.DaysBeginningWith},
		PapersLeadHours:         24,
		Escalation:              calendar.Deadline{N: 28, Unit: calendar.Days},
		EducationMember:         Advised,
		EHCPExtendsCETR:         true,
		ConsentNoticeDays:       14,
		RatingAgreement:         calendar.Deadline{N: 0, Unit: calendar.Days},
	}
}

// Validate reports every bad parameter, joined: a deadline that is invalid
// or counted in hours (review deadlines are dates), a negative count, or an
// unknown education requirement. Each is a *dsr.ValidationError naming the
// field ("params.escalation") and matching ErrInvalid.
func (p Params) Validate() error {
	var errs []error
	deadline := func(field, rule string, dl calendar.Deadline) {
		if err := dl.Validate(); err != nil {
			msg := strings.TrimPrefix(err.Error(), calendar.ErrBadDeadline.Error()+": ")
			errs = append(errs, bad("params."+field, rule, "%s", msg))
		} else if dl.Unit == calendar.Hours {
			errs = append(errs, bad("params."+field, rule, "%s: a review deadline falls on a date; use days, weeks, working_days, months or days_beginning_with", dl))
		}
	}
	deadline("report_deadline", "R-CETR-REPORT", p.ReportDeadline)
	deadline("statutory_report_deadline", "R-CETR-STAT", p.StatutoryReportDeadline)
	deadline("escalation", "R-CETR-ACT", p.Escalation)
	deadline("rating_agreement", "R-REV-2", p.RatingAgreement)
	if p.PapersLeadHours < 0 || p.PapersLeadHours > calendar.MaxCount {
		errs = append(errs, bad("params.papers_lead_hours", "R-CETR-DOCS", "%d is out of range (0 to %d)", p.PapersLeadHours, calendar.MaxCount))
	}
	if p.ConsentNoticeDays < 0 || p.ConsentNoticeDays > calendar.MaxCount {
		errs = append(errs, bad("params.consent_notice_days", "R-CETR-CONSENT", "%d is out of range (0 to %d)", p.ConsentNoticeDays, calendar.MaxCount))
	}
	switch p.EducationMember {
	case Advised, Required:
	case "":
		errs = append(errs, bad("params.education_member", "R-CETR-PANEL", "required (advised or required)"))
	default:
		errs = append(errs, bad("params.education_member", "R-CETR-PANEL", "unknown value %q (want advised or required)", p.EducationMember))
	}
	return errors.Join(errs...)
}
