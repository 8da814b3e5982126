# R-CONS-1..5: whether consent for inclusion holds on as_of.
package dsr.consent

import data.params

# A bare test (x, not x) costs OPA more than a comparison (x == true,
# not x == true), which is the same for a boolean, and a rule referred to
# costs more than the input it names: rules compare with == true where the
# value is a boolean, and read input.facts.consent directly.
latest := input.facts.consent[count(input.facts.consent) - 1]

# R-CONS-2: who may consent, judged on the day the latest consent was given.
may_consent if {
	latest.by == "self"
	latest.age >= 16
	not input.person.lacks_capacity == true
}

may_consent if {
	latest.by == "self"
	latest.age < 16
	params.gillick_allowed
	input.person.gillick_competent == true
}

may_consent if {
	latest.by == "parent"
	latest.age < 16
}

may_consent if {
	latest.by in {"deputy", "attorney", "best_interests"}
	latest.age >= 16
	input.person.lacks_capacity == true
}

given if {
	not latest.withdrawn == true
	may_consent == true
}

# R-CONS-3: a parent's consent lapses at the child's 16th birthday.
lapsed if {
	given == true
	latest.by == "parent"
	params.parent_consent_lapses
	input.as_of >= input.person.sixteenth
}

default valid := false

valid if {
	given == true
	not lapsed == true
}

default given_by := ""

given_by := latest.by if valid == true

reasons contains {"rule": "R-CONS-1", "message": "no consent for inclusion recorded; nothing identifiable is held"} if count(input.facts.consent) == 0

reasons contains {"rule": "R-CONS-4", "message": "consent withdrawn by %s; identifiable data is removed", "args": [latest.by]} if latest.withdrawn == true

reasons contains {"rule": "R-CONS-2", "message": refusal} if {
	not latest.withdrawn == true
	not may_consent == true
}

reasons contains {"rule": "R-CONS-3", "message": "consent given by a parent lapsed at the 16th birthday; the young person has not confirmed it"} if lapsed == true

reasons contains {"rule": "R-CONS-1", "message": "consent for inclusion given by %s", "args": [latest.by]} if valid == true

refusal := "a child under 16 who is not Gillick competent cannot consent for themselves" if {
	latest.by == "self"
	latest.age < 16
} else := "the person lacks capacity, so cannot consent for themselves" if {
	latest.by == "self"
} else := "a parent may consent only for a child under 16" if {
	latest.by == "parent"
} else := sprintf("consent by %s needs a person aged 16 or over who lacks capacity", [latest.by])

# R-CONS-3: ask the young person to confirm before, and after, the birthday.
actions contains {"kind": "consent_reconfirm", "from": input.person.sixteenth, "n": 0, "unit": "days", "rule": "R-CONS-3", "reason": "parent's consent lapses at 16: the young person confirms it, or a best-interests decision is recorded"} if {
	given == true
	latest.by == "parent"
	params.parent_consent_lapses
	input.as_of >= input.person.sixteenth - params.consent_reconfirm_notice_days
}

# R-CONS-5: periodic re-confirmation where the area asks for it.
actions contains {"kind": "consent_reconfirm", "from": latest.date, "n": params.consent_reconfirm_every.n, "unit": params.consent_reconfirm_every.unit, "rule": "R-CONS-5", "reason": "consent is re-confirmed periodically"} if {
	valid == true
	params.consent_reconfirm_every != null
}

decision := {"valid": valid, "given_by": given_by, "reasons": reasons, "actions": actions}
