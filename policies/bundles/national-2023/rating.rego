# R-RAG-*: the rating a person's facts suggest. The multi-agency meeting
# agrees the rating (R-RAG-AGREED); the engine reports both.
package dsr.rating

import data.params

# A set of circumstances holds when every one of them does: counted, which
# OPA evaluates more cheaply than "every".
red_sets contains concat(" and ", set) if {
	some set in params.red_when
	count([name | some name in set; input.circumstances[name] == true]) == count(set)
}

amber_sets contains concat(" and ", set) if {
	some set in params.amber_when
	count([name | some name in set; input.circumstances[name] == true]) == count(set)
}

rating := "blue" if {
	input.facts.inpatient == true
} else := "red" if {
	count(red_sets) > 0
} else := "amber" if {
	count(amber_sets) > 0
} else := "green"

reason := {"rule": "R-RAG-BLUE", "message": "an inpatient now: BLUE whatever else holds"} if {
	rating == "blue"
} else := {"rule": "R-RAG-RED", "message": concat("; ", sort(red_sets))} if {
	rating == "red"
} else := {"rule": "R-RAG-AMBER", "message": concat("; ", sort(amber_sets))} if {
	rating == "amber"
} else := {"rule": "R-RAG-GREEN", "message": "no crisis or escalation reported: risks managed in the community"}

reasons contains reason

decision := {"rating": rating, "reasons": reasons}
