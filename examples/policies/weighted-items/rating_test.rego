# Unit tests for the weighted rating (R-RAG-*, over declared inputs,
# R-INPUT-1), run by OPA's tester (opa test, dsr policy test).
package dsr.rating_test

import data.dsr.rating

params := {
	"item_weights": {"self_harm": 3, "mental_health": 3, "sleep": 1},
	"weighted_amber_at": 6,
	"weighted_red_at": 12,
	"weighted_top_items": 2,
}

inputs(scores) := object.union({"self_harm": 0, "mental_health": 0, "sleep": 0, "safeguarding_concern": false, "completed_by": ""}, scores)

# RED from the RED threshold, naming the items that contributed most,
# ties by name.
test_red_names_the_top_items if {
	d := rating.decision with input as {"facts": {"inpatient": false}, "inputs": inputs({"self_harm": 3, "mental_health": 3, "sleep": 2})}
		with data.params as params
	d.rating == "red"
	d.reasons == {{"rule": "R-RAG-RED", "message": "weighted score 20 (AMBER from 6, RED from 12); most: mental_health 9, self_harm 9"}}
}

# AMBER at the AMBER threshold exactly.
test_amber_at_the_threshold if {
	rating.rating == "amber" with input as {"facts": {"inpatient": false}, "inputs": inputs({"self_harm": 2})}
		with data.params as params
}

# GREEN below it; an item scored 0 is not among the top items.
test_green_below if {
	d := rating.decision with input as {"facts": {"inpatient": false}, "inputs": inputs({"sleep": 1, "completed_by": "nurse"})}
		with data.params as params
	d.rating == "green"
	d.reasons == {{"rule": "R-RAG-GREEN", "message": "weighted score 1 (AMBER from 6, RED from 12); most: sleep 1; scored by nurse"}}
}

# No item scored: nothing contributed.
test_nothing_scored if {
	d := rating.decision with input as {"facts": {"inpatient": false}, "inputs": inputs({})}
		with data.params as params
	d.reasons == {{"rule": "R-RAG-GREEN", "message": "weighted score 0 (AMBER from 6, RED from 12); most: none"}}
}

# An open safeguarding concern: at least AMBER.
test_safeguarding_concern_is_at_least_amber if {
	rating.rating == "amber" with input as {"facts": {"inpatient": false}, "inputs": inputs({"safeguarding_concern": true})}
		with data.params as params
}

# R-RAG-BLUE: an inpatient is BLUE whatever the score.
test_inpatient_is_blue if {
	d := rating.decision with input as {"facts": {"inpatient": true}, "inputs": inputs({"self_harm": 3, "mental_health": 3})}
		with data.params as params
	d.rating == "blue"
	d.reasons == {{"rule": "R-RAG-BLUE", "message": "an inpatient now: BLUE whatever else holds"}}
}
