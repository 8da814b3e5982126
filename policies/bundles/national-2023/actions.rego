# Actions and reviews due for a person on the register: R-RAG-ACT-1..5,
# R-CETR-TYPE, R-CETR-PA-1/2, R-CETR-6W, R-CETR-INP, R-CETR-TRIG,
# R-CETR-RCA, R-CETR-REPORT, R-OV-1, R-BL-FOLLOW, R-REM-1.
# input.decisions carries the upstream decisions (eligible, on_register,
# rating, consent_date).
package dsr.actions

import data.dsr.lib
import data.params

person := input.person

facts := input.facts

decided := input.decisions

adm := facts.admission

# R-CETR-TYPE: CETR under 18, or 18+ with an EHCP; otherwise CTR.
review_type := type_for(person.age)

type_for(age) := "cetr" if {
	age < 18
} else := "cetr" if {
	params.ehcp_extends_cetr
	person.ehcp
} else := "ctr"

# since: when the suggested rating was agreed, else today (due at once).
since := facts.agreed.date if {
	facts.agreed.rating == decided.rating
} else := input.as_of

reviewed_since(day) if facts.last_any_review >= day

# --- R-RAG-ACT-1..4: what each community rating asks for.

actions contains lib.deadline("community_review", since, params.red_review, "R-RAG-ACT-1", "RED: a C(E)TR must take place") if {
	decided.rating == "red"
	not reviewed_since(since)
}

actions contains lib.deadline("mdt_meeting_or_review", since, params.amber_review, "R-RAG-ACT-2", "AMBER: a multi-agency meeting and/or a C(E)TR") if {
	decided.rating == "amber"
	not reviewed_since(since)
	not facts.last_register_review >= since
}

actions contains lib.deadline("keyworker_referral", since, {"n": 0, "unit": "days"}, "R-RAG-ACT-3", sprintf("%s, aged %d, not known to the keyworker service: refer", [upper(decided.rating), person.age])) if {
	decided.rating in {"red", "amber"}
	person.age <= params.keyworker_max_age
	not person.known_to_keyworker
}

actions contains lib.deadline("record_review_partners", since, {"n": 0, "unit": "days"}, "R-RAG-ACT-4", "GREEN: record the partners who would join a C(E)TR") if {
	decided.rating == "green"
	not facts.last_register_review >= since
}

# --- R-RAG-ACT-5 and section 4: while an inpatient.

type_at_admission := type_for(adm.age)

# A community review in the run-up to this admission (R-CETR-PA-1).
community_before if adm.date - adm.last_community_review <= params.post_admission_lookback_days

# The latest review held during this spell (a community review on the
# admission day came before it).
spell_review := facts.last_any_review if {
	facts.last_any_review > adm.date
} else := facts.last_any_review if {
	facts.last_any_review == adm.date
	not facts.last_review.community == adm.date
}

reviewed_in_spell if spell_review

reasons contains lib.reason("R-CETR-PA-1", sprintf("admitted with no community C(E)TR in the %d days before", [params.post_admission_lookback_days])) if {
	facts.inpatient
	not community_before
}

actions contains lib.deadline("post_admission_review", adm.date, params.post_admission[type_at_admission], "R-CETR-PA-2", sprintf("post-admission %s: no community review before the admission", [upper(type_at_admission)])) if {
	facts.inpatient
	not community_before
	not reviewed_in_spell
}

# R-BL-FOLLOW: admitted after a Blue Light meeting: a full CETR within 14 days.
blue_light_before_admission if {
	facts.blue_light.date <= adm.date
	not facts.last_discharge > facts.blue_light.date
}

actions contains lib.deadline("post_admission_review", adm.date, params.blue_light_admission_review, "R-BL-FOLLOW", "admitted after a Blue Light meeting: a full C(E)TR") if {
	facts.inpatient
	blue_light_before_admission
	not reviewed_in_spell
}

actions contains lib.deadline("six_week_review", adm.date, params.six_week_review, "R-CETR-6W", "admitted after a community C(E)TR: review six weeks after admission") if {
	facts.inpatient
	community_before
	not reviewed_in_spell
}

actions contains lib.deadline("root_cause_analysis", adm.date, params.root_cause_analysis, "R-CETR-RCA", "a child admitted without a community CETR") if {
	facts.inpatient
	params.rca_enabled
	adm.age < 18
	not community_before
}

inpatient_cadence := params.inpatient_review.cetr if {
	review_type == "cetr"
} else := params.inpatient_review.ctr_secure if {
	adm.security in {"low", "medium", "high"}
} else := params.inpatient_review.ctr_non_secure

actions contains lib.deadline("inpatient_review", spell_review, inpatient_cadence, "R-CETR-INP", sprintf("next inpatient %s from the last review", [upper(review_type)])) if {
	facts.inpatient
	reviewed_in_spell
}

trigger_deadline := params.trigger_review if {
	params.trigger_review != null
} else := params.post_admission[review_type]

change_words := {
	"hospital": "moved to another hospital",
	"security_up": "moved to a ward of higher security",
	"security_down": "moved to a ward of lower security",
}

actions contains lib.deadline("trigger_review", adm.last_move, trigger_deadline, "R-CETR-TRIG", change_words[adm.last_move_change]) if {
	facts.inpatient
	not reviewed_since(adm.last_move)
}

actions contains lib.deadline("trigger_review", change.date, trigger_deadline, "R-CETR-TRIG", msg) if {
	change := facts.diagnosis_change
	change.in_or_after_spell
	not reviewed_since(change.date)
	msg := diagnosis_words[change.removed]
}

diagnosis_words := {
	true: "a diagnosis was removed",
	false: "a diagnosis was made in hospital or after discharge",
}

# R-CETR-REPORT: the report of the latest review goes out.
actions contains lib.deadline("review_report", facts.last_any_review, params.review_report, "R-CETR-REPORT", "send the review report to participants") if {
	not facts.last_report >= facts.last_any_review
}

# R-OV-1: commissioner oversight visits while an inpatient.
last_visit := facts.last_oversight_visit if {
	facts.last_oversight_visit >= adm.date
} else := adm.date

actions contains lib.deadline("oversight_visit", last_visit, oversight_interval, "R-OV-1", "commissioner oversight visit") if facts.inpatient

oversight_interval := params.oversight_visit.child if {
	person.age < 18
} else := params.oversight_visit.adult

# R-BL-FOLLOW: a review within 72 hours of a Blue Light meeting, unless the
# person has been admitted since (then the 14-day review above applies).
actions contains object.union(
	lib.deadline("review_after_blue_light", bl.date, params.review_after_blue_light, "R-BL-FOLLOW", "review after the Blue Light meeting"),
	{"from_at": bl.at},
) if {
	bl := facts.blue_light
	not facts.last_admission >= bl.date
	not reviewed_since(bl.date)
}

# R-REM-1: a children's register refers to the adult register before 18.
actions contains lib.deadline("adult_register_referral", person.eighteenth, {"n": 0, "unit": "days"}, "R-REM-1", "ages out of the children's register at 18: refer to the adult register if still at risk") if {
	params.age_max != null
	params.age_max < 18
	input.as_of >= person.eighteenth - params.adult_referral_notice_days
}

reasons contains lib.reason("R-CETR-TYPE", sprintf("review type %s: aged %d%s", [upper(review_type), person.age, ehcp_words])) if true

ehcp_words := " with an EHCP" if person.ehcp
else := ""

default out := []

out := actions if decided.on_register

decision := {"review_type": review_type, "actions": out, "reasons": reasons}
