# Unit tests for cetr_rules (what an area tunes about C(E)TR records), run
# by OPA's tester from policies/regotest_test.go.
package dsr.cetr_rules_test

import data.dsr.cetr_rules

params := {
	"review_report": {"n": 14, "unit": "days"},
	"statutory_report": {"n": 14, "unit": "days_beginning_with"},
	"cetr_papers_lead_hours": 24,
	"cetr_escalation": {"n": 28, "unit": "days"},
	"cetr_education_member": "advised",
	"ehcp_extends_cetr": true,
	"cetr_consent_notice_days": 14,
	"cetr_rating_agreement": {"n": 0, "unit": "days"},
}

# R-CETR-REPORT: the record's report deadline is the one the actions point uses.
test_the_report_deadline_is_review_report if {
	d := cetr_rules.decision with data.params as object.union(params, {"review_report": {"n": 10, "unit": "working_days"}})
	d.report_deadline == {"n": 10, "unit": "working_days"}
	d.statutory_report_deadline == {"n": 14, "unit": "days_beginning_with"}
}

# R-CETR-PANEL: an area may require the education member rather than advise it.
test_an_area_may_require_an_education_member if {
	d := cetr_rules.decision with data.params as object.union(params, {"cetr_education_member": "required"})
	d.education_member == "required"
	some r in d.reasons
	r.rule == "R-CETR-PANEL"
	r.args == ["required"]
}

# R-CETR-ACT: escalation after the area's period overdue.
test_escalation_follows_the_area if {
	d := cetr_rules.decision with data.params as object.union(params, {"cetr_escalation": {"n": 10, "unit": "working_days"}})
	d.escalation == {"n": 10, "unit": "working_days"}
	d.papers_lead_hours == 24
}
