# R-RAG-*: the national-2023 ratings, plus Kingston & Richmond's local RED
# rule R-RAG-LOCAL-CRISIS: a crisis team episode in the last
# crisis_episode_lookback_days (365) days rates RED. An inpatient is still
# BLUE whatever else holds (R-RAG-BLUE, fixed).
package dsr.rating

import data.params

red_sets contains concat(" and ", set) if {
	some set in params.red_when
	every name in set {
		input.circumstances[name] == true
	}
}

amber_sets contains concat(" and ", set) if {
	some set in params.amber_when
	every name in set {
		input.circumstances[name] == true
	}
}

# Days since the latest crisis_team_episode; undefined when there was none.
days_since_crisis_episode := input.as_of - input.facts.last_crisis_episode

recent_crisis_episode if days_since_crisis_episode <= params.crisis_episode_lookback_days

rating := "blue" if {
	input.facts.inpatient
} else := "red" if {
	count(red_sets) > 0
} else := "red" if {
	recent_crisis_episode
} else := "amber" if {
	count(amber_sets) > 0
} else := "green"

reasons contains {"rule": "R-RAG-BLUE", "message": "an inpatient now: BLUE whatever else holds"} if rating == "blue"

reasons contains {"rule": "R-RAG-RED", "message": concat("; ", sort(red_sets))} if {
	rating == "red"
	count(red_sets) > 0
}

reasons contains {
	"rule": "R-RAG-LOCAL-CRISIS",
	"message": sprintf("a crisis team episode %d days ago, within the last %d days: RED (Kingston & Richmond)", [days_since_crisis_episode, params.crisis_episode_lookback_days]),
} if {
	rating == "red"
	recent_crisis_episode
}

reasons contains {"rule": "R-RAG-AMBER", "message": concat("; ", sort(amber_sets))} if rating == "amber"

reasons contains {"rule": "R-RAG-GREEN", "message": "no crisis or escalation reported: risks managed in the community"} if rating == "green"

decision := {"rating": rating, "reasons": reasons}
