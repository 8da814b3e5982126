# Actions and reviews due for a person on the register: R-RAG-ACT-1..5,
# R-CETR-TYPE, R-CETR-PA-1/2, R-CETR-6W, R-CETR-INP, R-CETR-TRIG,
# R-CETR-RCA, R-CETR-REPORT, R-OV-1, R-BL-FOLLOW, R-REM-1.
# input.decisions carries the upstream decisions (eligible, on_register,
# rating, consent_date).
#
# Rules test input.* directly (input.facts.inpatient == true, not a helper
# rule) so OPA's rule index skips the rules that cannot apply, and compare
# (x == true) rather than test bare (x), which OPA evaluates more slowly; a
# reason or action carrying "args" has its message formatted by the engine.
package dsr.actions

import data.params

adm := input.facts.admission

# R-CETR-TYPE: CETR under 18, or 18+ with an EHCP; otherwise CTR.
review_type := "cetr" if {
	input.person.age < 18
} else := "cetr" if {
	params.ehcp_extends_cetr
	input.person.ehcp == true
} else := "ctr"

# since: when the suggested rating was agreed, else today (due at once).
since := input.facts.agreed.date if {
	input.facts.agreed.rating == input.decisions.rating
} else := input.as_of

# A review has been held on or after a day. Each is a rule, not a test in
# the action's body: "not x >= day" with x absent would be undefined, and
# the action must still arise when no review was ever held.
reviewed_since_since if input.facts.last_any_review >= since

reviewed_since_move if input.facts.last_any_review >= adm.last_move

reviewed_since_change if input.facts.last_any_review >= input.facts.diagnosis_change.date

reviewed_since_blue_light if input.facts.last_any_review >= input.facts.blue_light.date

register_reviewed_since if input.facts.last_register_review >= since

reported_since_review if input.facts.last_report >= input.facts.last_any_review

admitted_since_blue_light if input.facts.last_admission >= input.facts.blue_light.date

discharged_since_blue_light if input.facts.last_discharge > input.facts.blue_light.date

# --- R-RAG-ACT-1..4: what each community rating asks for.

actions contains {"kind": "community_review", "from": since, "n": params.red_review.n, "unit": params.red_review.unit, "rule": "R-RAG-ACT-1", "reason": "RED: a C(E)TR must take place"} if {
	input.decisions.rating == "red"
	not reviewed_since_since
}

actions contains {"kind": "mdt_meeting_or_review", "from": since, "n": params.amber_review.n, "unit": params.amber_review.unit, "rule": "R-RAG-ACT-2", "reason": "AMBER: a multi-agency meeting and/or a C(E)TR"} if {
	input.decisions.rating == "amber"
	not reviewed_since_since
	not register_reviewed_since
}

actions contains {"kind": "keyworker_referral", "from": since, "n": 0, "unit": "days", "rule": "R-RAG-ACT-3", "reason": "%s, aged %d, not known to the keyworker service: refer", "args": [upper(input.decisions.rating), input.person.age]} if {
	input.decisions.rating in {"red", "amber"}
	input.person.age <= params.keyworker_max_age
	not input.person.known_to_keyworker
}

actions contains {"kind": "record_review_partners", "from": since, "n": 0, "unit": "days", "rule": "R-RAG-ACT-4", "reason": "GREEN: record the partners who would join a C(E)TR"} if {
	input.decisions.rating == "green"
	not register_reviewed_since
}

# --- R-RAG-ACT-5 and section 4: while an inpatient.

# R-CETR-TYPE on the admission day.
type_at_admission := "cetr" if {
	adm.age < 18
} else := "cetr" if {
	params.ehcp_extends_cetr
	input.person.ehcp == true
} else := "ctr"

# A community review in the run-up to this admission (R-CETR-PA-1).
community_before if adm.date - adm.last_community_review <= params.post_admission_lookback_days

# The latest review held during this spell (a community review on the
# admission day came before it).
spell_review := input.facts.last_any_review if {
	input.facts.last_any_review > adm.date
} else := input.facts.last_any_review if {
	input.facts.last_any_review == adm.date
	not input.facts.last_review.community == adm.date
}

reviewed_in_spell if spell_review

reasons contains {"rule": "R-CETR-PA-1", "message": "admitted with no community C(E)TR in the %d days before", "args": [params.post_admission_lookback_days]} if {
	input.facts.inpatient == true
	not community_before
}

post_admission := params.post_admission[type_at_admission]

actions contains {"kind": "post_admission_review", "from": adm.date, "n": post_admission.n, "unit": post_admission.unit, "rule": "R-CETR-PA-2", "reason": "post-admission %s: no community review before the admission", "args": [upper(type_at_admission)]} if {
	input.facts.inpatient == true
	not community_before
	not reviewed_in_spell
}

# R-BL-FOLLOW: admitted after a Blue Light meeting with no community review
# in the run-up: a full CETR within 14 days. Where R-CETR-PA-2 also asks for
# the review, the engine keeps the earlier due date.
blue_light_before_admission if {
	input.facts.blue_light.date <= adm.date
	not discharged_since_blue_light
}

actions contains {"kind": "post_admission_review", "from": adm.date, "n": params.blue_light_admission_review.n, "unit": params.blue_light_admission_review.unit, "rule": "R-BL-FOLLOW", "reason": "admitted after a Blue Light meeting: a full C(E)TR"} if {
	input.facts.inpatient == true
	blue_light_before_admission == true
	not community_before
	not reviewed_in_spell
}

actions contains {"kind": "six_week_review", "from": adm.date, "n": params.six_week_review.n, "unit": params.six_week_review.unit, "rule": "R-CETR-6W", "reason": "admitted after a community C(E)TR: review six weeks after admission"} if {
	input.facts.inpatient == true
	community_before == true
	not reviewed_in_spell
}

actions contains {"kind": "root_cause_analysis", "from": adm.date, "n": params.root_cause_analysis.n, "unit": params.root_cause_analysis.unit, "rule": "R-CETR-RCA", "reason": "a child admitted without a community CETR"} if {
	input.facts.inpatient == true
	params.rca_enabled
	adm.age < 18
	not community_before
}

inpatient_cadence := params.inpatient_review.cetr if {
	review_type == "cetr"
} else := params.inpatient_review.ctr_secure if {
	adm.security in {"low", "medium", "high"}
} else := params.inpatient_review.ctr_non_secure

actions contains {"kind": "inpatient_review", "from": spell_review, "n": inpatient_cadence.n, "unit": inpatient_cadence.unit, "rule": "R-CETR-INP", "reason": "next inpatient %s from the last review", "args": [upper(review_type)]} if {
	input.facts.inpatient == true
	reviewed_in_spell == true
}

trigger_deadline := params.trigger_review if {
	params.trigger_review != null
} else := params.post_admission[review_type]

change_words := {
	"hospital": "moved to another hospital",
	"security_up": "moved to a ward of higher security",
	"security_down": "moved to a ward of lower security",
}

actions contains {"kind": "trigger_review", "from": adm.last_move, "n": trigger_deadline.n, "unit": trigger_deadline.unit, "rule": "R-CETR-TRIG", "reason": change_words[adm.last_move_change]} if {
	input.facts.inpatient == true
	not reviewed_since_move
}

diagnosis_words := {
	true: "a diagnosis was removed",
	false: "a diagnosis was made in hospital or after discharge",
}

actions contains {"kind": "trigger_review", "from": change.date, "n": trigger_deadline.n, "unit": trigger_deadline.unit, "rule": "R-CETR-TRIG", "reason": msg} if {
	change := input.facts.diagnosis_change
	change.in_or_after_spell == true
	not reviewed_since_change
	msg := diagnosis_words[change.removed]
}

# R-CETR-REPORT: the report of the latest review goes out.
actions contains {"kind": "review_report", "from": input.facts.last_any_review, "n": params.review_report.n, "unit": params.review_report.unit, "rule": "R-CETR-REPORT", "reason": "send the review report to participants"} if {
	not reported_since_review
}

# R-OV-1: commissioner oversight visits while an inpatient.
last_visit := input.facts.last_oversight_visit if {
	input.facts.last_oversight_visit >= adm.date
} else := adm.date

oversight_interval := params.oversight_visit.child if {
	input.person.age < 18
} else := params.oversight_visit.adult

actions contains {"kind": "oversight_visit", "from": last_visit, "n": oversight_interval.n, "unit": oversight_interval.unit, "rule": "R-OV-1", "reason": "commissioner oversight visit"} if {
	input.facts.inpatient == true
}

# R-BL-FOLLOW: a review within 72 hours of a Blue Light meeting, unless the
# person has been admitted since (then the 14-day review above applies).
actions contains {"kind": "review_after_blue_light", "from": bl.date, "from_at": bl.at, "n": params.review_after_blue_light.n, "unit": params.review_after_blue_light.unit, "rule": "R-BL-FOLLOW", "reason": "review after the Blue Light meeting"} if {
	bl := input.facts.blue_light
	not admitted_since_blue_light
	not reviewed_since_blue_light
}

# R-REM-1: a children's register refers to the adult register before 18.
actions contains {"kind": "adult_register_referral", "from": input.person.eighteenth, "n": 0, "unit": "days", "rule": "R-REM-1", "reason": "ages out of the children's register at 18: refer to the adult register if still at risk"} if {
	params.age_max != null
	params.age_max < 18
	input.as_of >= input.person.eighteenth - params.adult_referral_notice_days
}

reasons contains {"rule": "R-CETR-TYPE", "message": "review type %s: aged %d%s", "args": [upper(review_type), input.person.age, ehcp_words]}

ehcp_words := " with an EHCP" if input.person.ehcp == true
else := ""

default out := []

out := actions if input.decisions.on_register == true

decision := {"review_type": review_type, "actions": out, "reasons": reasons}
