# R-REV-1: the multi-agency group reviews each entry at a cadence by rating:
# the rating of record (input.decisions.rating, R-RAG-AGREED-2), which the
# cadence_rating parameter chooses.
package dsr.review_cadence

import data.params

# From the last register review, else from when consent brought the person
# onto the register (input.decisions.consent_date): the later of the two,
# as a register review before the consent does not count. object.get gives
# null when there was no register review, and null sorts before every day
# in Rego. The values are local to the rule (:=) rather than helper rules,
# each of which would cost OPA an evaluation.
actions contains {"kind": "dsr_review", "from": from, "n": cadence.n, "unit": cadence.unit, "rule": "R-REV-1", "reason": "%s entries are reviewed every %d %s", "args": [upper(input.decisions.rating), cadence.n, cadence.unit]} if {
	input.decisions.on_register == true
	cadence := params.review_cadence[input.decisions.rating]
	from := max([input.decisions.consent_date, object.get(input.facts, "last_register_review", null)])
}

decision := {"actions": actions, "reasons": set()}
