# R-REV-1: the multi-agency group reviews each entry at a cadence by rating.
package dsr.review_cadence

import data.params

# From the last register review, else from when consent brought the person
# onto the register.
from := input.facts.last_register_review if {
	input.facts.last_register_review >= input.decisions.consent_date
} else := input.decisions.consent_date

cadence := params.review_cadence[input.decisions.rating]

actions contains {"kind": "dsr_review", "from": from, "n": cadence.n, "unit": cadence.unit, "rule": "R-REV-1", "reason": "%s entries are reviewed every %d %s", "args": [upper(input.decisions.rating), cadence.n, cadence.unit]} if {
	input.decisions.on_register == true
}

decision := {"actions": actions, "reasons": set()}
