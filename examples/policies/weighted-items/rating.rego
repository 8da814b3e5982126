# R-RAG-*, weighted (an area rating tool in the style of Cheshire and
# Wirral's): each declared item (R-INPUT-1, input.inputs) is scored 0-3 and
# weighted (params.item_weights); the weighted sum is RED from
# params.weighted_red_at, AMBER from params.weighted_amber_at, GREEN below.
# An open safeguarding concern makes it at least AMBER. An inpatient is BLUE
# whatever else holds (R-RAG-BLUE is fixed). The numbers are illustrative.
package dsr.rating

import data.params

# Each item's contribution: its score times its weight.
contribution := {name: c | some name, w in params.item_weights; c := input.inputs[name] * w}

score := sum([c | some c in contribution])

# The items that contributed most, most first, ties by name: pairs of
# (minus the contribution, the name) sort so; only those shown are
# formatted.
ranked := sort([[0 - c, name] |
	some name, c in contribution
	c > 0
])

top := [concat(" ", [p[1], format_int(0 - p[0], 10)]) | some i, p in ranked; i < params.weighted_top_items]

weighted := "red" if {
	score >= params.weighted_red_at
} else := "amber" if {
	score >= params.weighted_amber_at
} else := "amber" if {
	input.inputs.safeguarding_concern == true
} else := "green"

rating := "blue" if {
	input.facts.inpatient == true
} else := weighted

most := concat(", ", top) if {
	count(top) > 0
} else := "none"

safeguarding_note := "; an open safeguarding concern: at least AMBER" if {
	input.inputs.safeguarding_concern == true
} else := ""

scored_by := concat("", ["; scored by ", input.inputs.completed_by]) if {
	input.inputs.completed_by != ""
} else := ""

message := concat("", [
	"weighted score ", format_int(score, 10),
	" (AMBER from ", format_int(params.weighted_amber_at, 10),
	", RED from ", format_int(params.weighted_red_at, 10),
	"); most: ", most, safeguarding_note, scored_by,
])

reasons contains {"rule": "R-RAG-BLUE", "message": "an inpatient now: BLUE whatever else holds"} if input.facts.inpatient == true

reasons contains {"rule": concat("", ["R-RAG-", upper(rating)]), "message": message} if rating != "blue"

decision := {"rating": rating, "reasons": reasons}
