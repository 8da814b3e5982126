# What an area tunes about C(E)TR records (package cetr): when the report
# is due (R-CETR-REPORT: review_report, the same deadline the actions point
# uses; R-CETR-STAT: statutory_report), how long before a community review
# the papers reach the panel (R-CETR-DOCS), how long a recommendation may
# stay overdue before it goes to the ICB oversight panel (R-CETR-ACT),
# whether a CETR panel must or should include an education or children's
# social care professional (R-CETR-PANEL), and the rest of cetr.Params.
#
# An optional decision point that takes no input (see README.md). A local
# overlay changes the parameters, or replaces this file to decide them
# another way.
package dsr.cetr_rules

import data.params

reasons contains {"rule": "R-CETR-REPORT", "message": "the review report is due %d %s after the review", "args": [params.review_report.n, params.review_report.unit]}

reasons contains {"rule": "R-CETR-STAT", "message": "a statutory review's report is due within %d %s", "args": [params.statutory_report.n, params.statutory_report.unit]}

reasons contains {"rule": "R-CETR-DOCS", "message": "papers reach the panel %d hours before a community review", "args": [params.cetr_papers_lead_hours]}

reasons contains {"rule": "R-CETR-ACT", "message": "a recommendation overdue for %d %s is escalated to the ICB oversight panel", "args": [params.cetr_escalation.n, params.cetr_escalation.unit]}

reasons contains {"rule": "R-CETR-PANEL", "message": "an education or children's social care member of a CETR panel is %s", "args": [params.cetr_education_member]}

decision := {
	"report_deadline": params.review_report,
	"statutory_report_deadline": params.statutory_report,
	"papers_lead_hours": params.cetr_papers_lead_hours,
	"escalation": params.cetr_escalation,
	"education_member": params.cetr_education_member,
	"ehcp_extends_cetr": params.ehcp_extends_cetr,
	"consent_notice_days": params.cetr_consent_notice_days,
	"rating_agreement": params.cetr_rating_agreement,
	"reasons": reasons,
}
