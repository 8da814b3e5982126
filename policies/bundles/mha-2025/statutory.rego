# R-CETR-STAT: the statutory C(E)TR duties of the Mental Health Act 2025,
# Part 8A (MHA-2025), not yet commenced.
#
# This module joins national-2023's actions decision point: it declares the
# same package, and Rego merges the partial rules ("actions contains",
# "reasons contains") of every module of a package, so the national decision
# object carries these actions as well. Every rule here is named stat_* so
# that none collides with a national rule, and none refers to a national
# rule, so that statutory_test.rego can test this module on its own.
#
# Nothing here fires until params.commencement is set (rules see a day
# number; null until Part 8A commences) and as_of is on or after it.
# Dates are day numbers; an absent fact means "never". Comparisons against
# facts that may be absent live in helper rules that the actions negate
# ("not x >= y" with x absent is undefined, not true).
package dsr.actions

import data.params

# Part 8A is in force on as_of.
stat_in_force if {
	params.commencement != null
	input.as_of >= params.commencement
}

# Powers that are not detention for Part 8A: an informal admission, an
# emergency application before the second recommendation (s4), the holding
# powers (s5(2), s5(4)) and the place-of-safety powers (s135, s136).
stat_power_words := {
	"informal": "admitted informally, not detained",
	"s4": "detained under s4, an emergency application before the second recommendation",
	"s5_2": "held under s5(2), a doctor's holding power",
	"s5_4": "held under s5(4), a nurse's holding power",
	"s135": "removed to a place of safety under s135",
	"s136": "removed to a place of safety under s136",
}

stat_excluded_power if stat_power_words[input.facts.admission.legal_status]

stat_diagnosed if input.person.autism

stat_diagnosed if input.person.learning_disability

# A person detained now who has autism or a learning disability, with
# Part 8A in force.
stat_applies if {
	stat_in_force
	input.facts.inpatient == true
	not stat_excluded_power
	stat_diagnosed
}

# The applicable day: the day the detention began (the admission), or the
# commencement day when the detention began before it.
stat_day := input.facts.admission.date if {
	input.facts.admission.date >= params.commencement
} else := params.commencement

stat_day_words := "beginning with the admission day" if {
	input.facts.admission.date >= params.commencement
} else := "beginning with the commencement day (detained before Part 8A commenced)"

# R-CETR-TYPE on the applicable day: CETR under 18 (the day is before the
# 18th birthday), or 18+ with an EHCP where the area extends CETRs to them.
stat_type := "cetr" if {
	stat_day < input.person.eighteenth
} else := "cetr" if {
	params.ehcp_extends_cetr
	input.person.ehcp
} else := "ctr"

# A statutory review (review_held kind statutory) on or after the
# applicable day: the first duty is met and the 12-month periods run.
stat_held if input.facts.last_review.statutory >= stat_day

stat_first := params.statutory_first_review[stat_type]

actions contains {"kind": "statutory_review", "from": stat_day, "n": stat_first.n, "unit": stat_first.unit, "rule": "R-CETR-STAT", "reason": "first statutory %s (MHA 2025 Part 8A), detained under %s: within %d days %s", "args": [upper(stat_type), input.facts.admission.legal_status, stat_first.n, stat_day_words]} if {
	stat_applies
	not stat_held
}

# Then at least one in each 12-month period from the first meeting. dsrkit
# reads this as a rolling deadline: the next statutory review is due 12
# calendar months (R-TIME-4) after the latest one. Reviews never more than
# 12 months apart leave no 12-month period from the first meeting without
# one, and the rolling deadline needs only the latest statutory review.
actions contains {"kind": "statutory_review", "from": input.facts.last_review.statutory, "n": params.statutory_review_period.n, "unit": params.statutory_review_period.unit, "rule": "R-CETR-STAT", "reason": "next statutory C(E)TR (MHA 2025 Part 8A): at least one in each 12-month period from the first meeting, so within %d %s of the latest", "args": [params.statutory_review_period.n, params.statutory_review_period.unit]} if {
	stat_applies
	stat_held
}

# The report of a statutory review held since commencement goes within 14
# days beginning with the meeting day to the four statutory recipients.
# National R-CETR-REPORT asks for a report of the same review 14 days after
# it; the engine keeps the earlier due date (this one) and reports the other.
stat_reported if input.facts.last_report >= input.facts.last_review.statutory

stat_report_due if {
	stat_in_force
	input.facts.last_review.statutory >= params.commencement
}

actions contains {"kind": "review_report", "from": input.facts.last_review.statutory, "n": params.statutory_report.n, "unit": params.statutory_report.unit, "rule": "R-CETR-STAT", "reason": "statutory review report to the responsible commissioner, the responsible clinician, the section 117 ICB and the local authority of ordinary residence"} if {
	stat_report_due
	not stat_reported
}

# Say why an inpatient with autism or a learning disability gets no
# statutory review once Part 8A is in force.
reasons contains {"rule": "R-CETR-STAT", "message": "%s: Part 8A asks for no statutory review", "args": [stat_power_words[input.facts.admission.legal_status]]} if {
	stat_in_force
	input.facts.inpatient == true
	stat_diagnosed
}
