# R-RAG-*: the rating a person's facts suggest. The multi-agency meeting
# agrees the rating (R-RAG-AGREED); the engine reports both.
package dsr.rating

import data.params

# A set of circumstances holds when every one of them does: when the
# names of the set that hold, in order, are the whole set. OPA evaluates
# this more cheaply than "every", or than counting them.
red_sets contains concat(" and ", set) if {
	some set in params.red_when
	[name | some name in set; input.circumstances[name] == true] == set
}

amber_sets contains concat(" and ", set) if {
	some set in params.amber_when
	[name | some name in set; input.circumstances[name] == true] == set
}

rating := "blue" if {
	input.facts.inpatient == true
} else := "red" if {
	count(red_sets) > 0
} else := "amber" if {
	count(amber_sets) > 0
} else := "green"

# One reason, for the rating given: four rules, each picked by the rating,
# which OPA evaluates more cheaply than a chain of else. BLUE is picked by
# what makes the rating BLUE, which OPA's rule index reads.
reasons contains {"rule": "R-RAG-BLUE", "message": "an inpatient now: BLUE whatever else holds"} if input.facts.inpatient == true

reasons contains {"rule": "R-RAG-RED", "message": concat("; ", sort(red_sets))} if rating == "red"

reasons contains {"rule": "R-RAG-AMBER", "message": concat("; ", sort(amber_sets))} if rating == "amber"

reasons contains {"rule": "R-RAG-GREEN", "message": "no crisis or escalation reported: risks managed in the community"} if rating == "green"

decision := {"rating": rating, "reasons": reasons}
