# A local RED rule (R-RAG-LOCAL, after Lincolnshire) over the national ratings.
package dsr.rating

import data.params

local_red if {
	input.circumstances.unstable_untreated_mental_illness
	input.circumstances.escalating_behaviour
	input.circumstances.unstable_environment
	input.as_of - input.facts.last_crisis_episode <= 30
}

holds(sets) if {
	some set in sets
	every name in set {
		input.circumstances[name]
	}
}

rating := "blue" if {
	input.facts.inpatient
} else := "red" if {
	local_red
} else := "red" if {
	holds(params.red_when)
} else := "amber" if {
	holds(params.amber_when)
} else := "green"

reasons contains {"rule": concat("", ["R-RAG-", upper(rating)]), "message": concat(" ", ["suggested", upper(rating)])}

reasons contains {"rule": "R-RAG-LOCAL", "message": "three risk factors and a crisis episode in the last 30 days"} if {
	rating == "red"
	local_red
}

decision := {"rating": rating, "reasons": reasons}
