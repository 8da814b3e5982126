# Actions and reviews due for a person on the register: R-RAG-ACT-1..5,
# R-CETR-TYPE, R-CETR-PA-1/2, R-CETR-6W, R-CETR-INP, R-CETR-TRIG,
# R-CETR-RCA, R-CETR-REPORT, R-OV-1, R-BL-FOLLOW, R-REM-1.
# input.decisions carries the upstream decisions (eligible, on_register,
# rating: the rating of record, rating_since, consent_date).
#
# Every rule an assessment refers to costs OPA an evaluation (a dozen
# allocations), so the rules here read input directly (input.facts.admission,
# not an alias for it) and keep helper rules for what several actions
# share. Rules test input.* directly (input.facts.inpatient == true, not a
# helper rule) so OPA's rule index skips the rules that cannot apply, and
# compare (x == true, not x == true) rather than test bare (x, not x), the
# same for a boolean and cheaper for OPA; a reason or action carrying
# "args" has its message formatted by the engine. (spell_review is a day,
# not a boolean, so it is tested bare.)
#
# "No review on or after day" is written
#     object.get(input.facts, "last_any_review", null) < day
# object.get gives null when there was never a review, and null sorts
# before every number in Rego, so never counts as before any day. It is
# one builtin call where a helper rule (reviewed_since if x >= day, then
# not reviewed_since) costs an evaluation. (The plain
# "not input.facts.last_any_review >= day" does not do: OPA finds it
# undefined, not true, when there was no review.)
package dsr.actions

import data.params

# R-CETR-TYPE: CETR under 18, or 18+ with an EHCP; otherwise CTR.
review_type := "cetr" if {
	input.person.age < 18
} else := "cetr" if {
	params.ehcp_extends_cetr
	input.person.ehcp == true
} else := "ctr"

# since: the day the rating of record (input.decisions.rating,
# R-RAG-AGREED-2) took effect, which the engine works out
# (input.decisions.rating_since): the latest change of circumstances when
# the case gives it, else the day of the agreement acted on, else today (due
# at once). A C(E)TR held on or after it answers R-RAG-ACT-1/2 (R-REV-2).
since := input.decisions.rating_since

# --- R-RAG-ACT-1..4: what each community rating asks for.

actions contains {"kind": "community_review", "from": since, "n": params.red_review.n, "unit": params.red_review.unit, "rule": "R-RAG-ACT-1", "reason": "RED: a C(E)TR must take place"} if {
	input.decisions.rating == "red"
	object.get(input.facts, "last_any_review", null) < since
}

actions contains {"kind": "mdt_meeting_or_review", "from": since, "n": params.amber_review.n, "unit": params.amber_review.unit, "rule": "R-RAG-ACT-2", "reason": "AMBER: a multi-agency meeting and/or a C(E)TR"} if {
	input.decisions.rating == "amber"
	object.get(input.facts, "last_any_review", null) < since
	object.get(input.facts, "last_register_review", null) < since
}

actions contains {"kind": "keyworker_referral", "from": since, "n": 0, "unit": "days", "rule": "R-RAG-ACT-3", "reason": "%s, aged %d, not known to the keyworker service: refer", "args": [upper(input.decisions.rating), input.person.age]} if {
	input.decisions.rating in {"red", "amber"}
	input.person.age <= params.keyworker_max_age
	not input.person.known_to_keyworker == true
}

actions contains {"kind": "record_review_partners", "from": since, "n": 0, "unit": "days", "rule": "R-RAG-ACT-4", "reason": "GREEN: record the partners who would join a C(E)TR"} if {
	input.decisions.rating == "green"
	object.get(input.facts, "last_register_review", null) < since
}

# --- R-RAG-ACT-5 and docs/rules.md#reviews: while an inpatient.

# R-CETR-TYPE on the admission day.
type_at_admission := "cetr" if {
	input.facts.admission.age < 18
} else := "cetr" if {
	params.ehcp_extends_cetr
	input.person.ehcp == true
} else := "ctr"

# A community review in the run-up to this admission (R-CETR-PA-1).
community_before if input.facts.admission.date - input.facts.admission.last_community_review <= params.post_admission_lookback_days

# The latest review held during this spell (a community review on the
# admission day came before it); undefined if none was.
spell_review := input.facts.last_any_review if {
	input.facts.last_any_review > input.facts.admission.date
} else := input.facts.last_any_review if {
	input.facts.last_any_review == input.facts.admission.date
	not input.facts.last_review.community == input.facts.admission.date
}

reasons contains {"rule": "R-CETR-PA-1", "message": "admitted with no community C(E)TR in the %d days before", "args": [params.post_admission_lookback_days]} if {
	input.facts.inpatient == true
	not community_before == true
}

# The rules below test community_before (evaluated once, then remembered)
# before spell_review: it rules out more of them.
actions contains {"kind": "post_admission_review", "from": input.facts.admission.date, "n": params.post_admission[type_at_admission].n, "unit": params.post_admission[type_at_admission].unit, "rule": "R-CETR-PA-2", "reason": "post-admission %s: no community review before the admission", "args": [upper(type_at_admission)]} if {
	input.facts.inpatient == true
	not community_before == true
	not spell_review
}

# R-BL-FOLLOW: admitted after a Blue Light meeting (and no discharge since
# the meeting) with no community review in the run-up: a full CETR within
# 14 days. Where R-CETR-PA-2 also asks for the review, the engine keeps the
# earlier due date.
actions contains {"kind": "post_admission_review", "from": input.facts.admission.date, "n": params.blue_light_admission_review.n, "unit": params.blue_light_admission_review.unit, "rule": "R-BL-FOLLOW", "reason": "admitted after a Blue Light meeting: a full C(E)TR"} if {
	input.facts.inpatient == true
	not community_before == true
	input.facts.blue_light.date <= input.facts.admission.date
	object.get(input.facts, "last_discharge", null) <= input.facts.blue_light.date
	not spell_review
}

actions contains {"kind": "six_week_review", "from": input.facts.admission.date, "n": params.six_week_review.n, "unit": params.six_week_review.unit, "rule": "R-CETR-6W", "reason": "admitted after a community C(E)TR: review six weeks after admission"} if {
	input.facts.inpatient == true
	community_before == true
	not spell_review
}

actions contains {"kind": "root_cause_analysis", "from": input.facts.admission.date, "n": params.root_cause_analysis.n, "unit": params.root_cause_analysis.unit, "rule": "R-CETR-RCA", "reason": "a child admitted without a community CETR"} if {
	input.facts.inpatient == true
	params.rca_enabled
	input.facts.admission.age < 18
	not community_before == true
}

inpatient_cadence := params.inpatient_review.cetr if {
	review_type == "cetr"
} else := params.inpatient_review.ctr_secure if {
	input.facts.admission.security in {"low", "medium", "high"}
} else := params.inpatient_review.ctr_non_secure

actions contains {"kind": "inpatient_review", "from": spell_review, "n": inpatient_cadence.n, "unit": inpatient_cadence.unit, "rule": "R-CETR-INP", "reason": "next inpatient %s from the last review", "args": [upper(review_type)]} if {
	input.facts.inpatient == true
	spell_review
}

trigger_deadline := params.trigger_review if {
	params.trigger_review != null
} else := params.post_admission[review_type]

# The words for each kind of move are written in the rule rather than in a
# helper rule, which would cost an evaluation.
actions contains {"kind": "trigger_review", "from": input.facts.admission.last_move, "n": trigger_deadline.n, "unit": trigger_deadline.unit, "rule": "R-CETR-TRIG", "reason": msg} if {
	input.facts.inpatient == true
	object.get(input.facts, "last_any_review", null) < input.facts.admission.last_move
	msg := {
		"hospital": "moved to another hospital",
		"security_up": "moved to a ward of higher security",
		"security_down": "moved to a ward of lower security",
	}[input.facts.admission.last_move_change]
}

actions contains {"kind": "trigger_review", "from": change.date, "n": trigger_deadline.n, "unit": trigger_deadline.unit, "rule": "R-CETR-TRIG", "reason": msg} if {
	change := input.facts.diagnosis_change
	change.in_or_after_spell == true
	object.get(input.facts, "last_any_review", null) < change.date
	msg := {
		true: "a diagnosis was removed",
		false: "a diagnosis was made in hospital or after discharge",
	}[change.removed]
}

# R-CETR-REPORT: the report of the latest review goes out.
actions contains {"kind": "review_report", "from": input.facts.last_any_review, "n": params.review_report.n, "unit": params.review_report.unit, "rule": "R-CETR-REPORT", "reason": "send the review report to participants"} if {
	object.get(input.facts, "last_report", null) < input.facts.last_any_review
}

# R-OV-1: commissioner oversight visits while an inpatient, from the latest
# visit since admission, else from the admission: the later of the two (no
# visit: null, before every day). A child (under 18 now) is visited every
# oversight_visit.child, an adult every oversight_visit.adult: two rules,
# cheaper for OPA than a helper rule choosing the interval.
actions contains {"kind": "oversight_visit", "from": from, "n": params.oversight_visit.child.n, "unit": params.oversight_visit.child.unit, "rule": "R-OV-1", "reason": "commissioner oversight visit"} if {
	input.facts.inpatient == true
	input.person.age < 18
	from := max([input.facts.admission.date, object.get(input.facts, "last_oversight_visit", null)])
}

actions contains {"kind": "oversight_visit", "from": from, "n": params.oversight_visit.adult.n, "unit": params.oversight_visit.adult.unit, "rule": "R-OV-1", "reason": "commissioner oversight visit"} if {
	input.facts.inpatient == true
	not input.person.age < 18
	from := max([input.facts.admission.date, object.get(input.facts, "last_oversight_visit", null)])
}

# R-BL-FOLLOW: a review within 72 hours of a Blue Light meeting, unless the
# person has been admitted since (then the 14-day review above applies).
# Only a review held after the meeting's instant answers it (R-BL-FOLLOW-2):
# last_any_review_at is the latest review's instant, the start of its day
# when it carries no time, so a review dated the meeting's day without a
# later time does not count.
actions contains {"kind": "review_after_blue_light", "from": bl.date, "from_at": bl.at, "n": params.review_after_blue_light.n, "unit": params.review_after_blue_light.unit, "rule": "R-BL-FOLLOW", "reason": "review after the Blue Light meeting"} if {
	bl := input.facts.blue_light
	object.get(input.facts, "last_admission", null) < bl.date
	object.get(input.facts, "last_any_review_at", null) <= bl.at
}

# R-REM-1: a children's register refers to the adult register before 18,
# until the referral is recorded as made.
actions contains {"kind": "adult_register_referral", "from": input.person.eighteenth, "n": 0, "unit": "days", "rule": "R-REM-1", "reason": "ages out of the children's register at 18: refer to the adult register if still at risk"} if {
	params.age_max != null
	params.age_max < 18
	input.as_of >= input.person.eighteenth - params.adult_referral_notice_days
	object.get(input.facts, "adult_referral_made", null) == null
}

# R-CETR-TYPE: said with or without the EHCP, in two rules rather than a
# helper for the words, which would cost a rule evaluation.
reasons contains {"rule": "R-CETR-TYPE", "message": "review type %s: aged %d with an EHCP", "args": [upper(review_type), input.person.age]} if {
	input.person.ehcp == true
}

reasons contains {"rule": "R-CETR-TYPE", "message": "review type %s: aged %d", "args": [upper(review_type), input.person.age]} if {
	not input.person.ehcp == true
}

default out := []

out := actions if input.decisions.on_register == true

decision := {"review_type": review_type, "actions": out, "reasons": reasons}
