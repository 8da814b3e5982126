# R-CONS-1..5: whether consent for inclusion holds on as_of.
package dsr.consent

import data.dsr.lib
import data.params

person := input.person

records := input.facts.consent

latest := records[count(records) - 1]

# R-CONS-2: who may consent, judged on the day consent was given.
may_consent(c) if {
	c.by == "self"
	c.age >= 16
	not person.lacks_capacity
}

may_consent(c) if {
	c.by == "self"
	c.age < 16
	params.gillick_allowed
	person.gillick_competent
}

may_consent(c) if {
	c.by == "parent"
	c.age < 16
}

may_consent(c) if {
	c.by in {"deputy", "attorney", "best_interests"}
	c.age >= 16
	person.lacks_capacity
}

given if {
	not latest.withdrawn
	may_consent(latest)
}

# R-CONS-3: a parent's consent lapses at the child's 16th birthday.
lapsed if {
	given
	latest.by == "parent"
	params.parent_consent_lapses
	input.as_of >= person.sixteenth
}

default valid := false

valid if {
	given
	not lapsed
}

default given_by := ""

given_by := latest.by if valid

reasons contains lib.reason("R-CONS-1", "no consent for inclusion recorded; nothing identifiable is held") if count(records) == 0

reasons contains lib.reason("R-CONS-4", sprintf("consent withdrawn by %s; identifiable data is removed", [latest.by])) if latest.withdrawn

reasons contains lib.reason("R-CONS-2", msg) if {
	not latest.withdrawn
	not may_consent(latest)
	msg := refusal(latest)
}

reasons contains lib.reason("R-CONS-3", "consent given by a parent lapsed at the 16th birthday; the young person has not confirmed it") if lapsed

reasons contains lib.reason("R-CONS-1", sprintf("consent for inclusion given by %s", [latest.by])) if valid

refusal(c) := "a child under 16 who is not Gillick competent cannot consent for themselves" if {
	c.by == "self"
	c.age < 16
} else := "the person lacks capacity, so cannot consent for themselves" if {
	c.by == "self"
} else := "a parent may consent only for a child under 16" if {
	c.by == "parent"
} else := sprintf("consent by %s needs a person aged 16 or over who lacks capacity", [c.by])

# R-CONS-3: ask the young person to confirm before, and after, the birthday.
actions contains lib.deadline("consent_reconfirm", person.sixteenth, {"n": 0, "unit": "days"}, "R-CONS-3", "parent's consent lapses at 16: the young person confirms it, or a best-interests decision is recorded") if {
	given
	latest.by == "parent"
	params.parent_consent_lapses
	input.as_of >= person.sixteenth - params.consent_reconfirm_notice_days
}

# R-CONS-5: periodic re-confirmation where the area asks for it.
actions contains lib.deadline("consent_reconfirm", latest.date, params.consent_reconfirm_every, "R-CONS-5", "consent is re-confirmed periodically") if {
	valid
	params.consent_reconfirm_every != null
}

decision := {"valid": valid, "given_by": given_by, "reasons": reasons, "actions": actions}
