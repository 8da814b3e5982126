# R-RAG-*: the rating a person's facts suggest. The multi-agency meeting
# agrees the rating (R-RAG-AGREED); the engine reports both.
package dsr.rating

import data.dsr.lib
import data.params

facts_hold(set) if {
	every name in set {
		input.circumstances[name] == true
	}
}

red_sets contains concat(" and ", set) if {
	some set in params.red_when
	facts_hold(set)
}

amber_sets contains concat(" and ", set) if {
	some set in params.amber_when
	facts_hold(set)
}

rating := "blue" if {
	input.facts.inpatient
} else := "red" if {
	count(red_sets) > 0
} else := "amber" if {
	count(amber_sets) > 0
} else := "green"

reasons contains lib.reason("R-RAG-BLUE", "an inpatient now: BLUE whatever else holds") if rating == "blue"

reasons contains lib.reason("R-RAG-RED", concat("; ", sort(red_sets))) if rating == "red"

reasons contains lib.reason("R-RAG-AMBER", concat("; ", sort(amber_sets))) if rating == "amber"

reasons contains lib.reason("R-RAG-GREEN", "no crisis or escalation reported: risks managed in the community") if rating == "green"

decision := {"rating": rating, "reasons": reasons}
