# R-REV-1: the multi-agency group reviews each entry at a cadence by rating.
package dsr.review_cadence

import data.dsr.lib
import data.params

decided := input.decisions

# From the last register review, else from when consent brought the person
# onto the register.
from := input.facts.last_register_review if {
	input.facts.last_register_review >= decided.consent_date
} else := decided.consent_date

actions contains lib.deadline("dsr_review", from, params.review_cadence[decided.rating], "R-REV-1", sprintf("%s entries are reviewed every %d %s", [upper(decided.rating), params.review_cadence[decided.rating].n, params.review_cadence[decided.rating].unit])) if {
	decided.on_register
}

decision := {"actions": actions, "reasons": set()}
