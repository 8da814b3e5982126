# WRONG ON PURPOSE: an inpatient is rated AMBER (R-RAG-BLUE says BLUE).
# policytest.Check and policycheck.Run must catch it.
package dsr.rating

import data.params

holds(sets) if {
	some set in sets
	every name in set {
		input.circumstances[name]
	}
}

rating := "amber" if {
	input.facts.inpatient
} else := "red" if {
	holds(params.red_when)
} else := "amber" if {
	holds(params.amber_when)
} else := "green"

reasons contains {"rule": concat("", ["R-RAG-", upper(rating)]), "message": concat(" ", ["suggested", upper(rating)])}

decision := {"rating": rating, "reasons": reasons}
