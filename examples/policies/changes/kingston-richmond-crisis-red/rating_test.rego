# Unit tests for R-RAG-LOCAL-CRISIS, run by `dsr policy test` with OPA's
# tester; data.params is the overlay's parameters in force (365 days).
# Day numbers are small and made up.
package dsr.rating_test

import data.dsr.rating

person(as_of, episode) := {"as_of": as_of, "facts": {"inpatient": false, "last_crisis_episode": episode}, "circumstances": {}}

# R-RAG-LOCAL-CRISIS: an episode 335 days ago rates RED, and says why.
test_crisis_episode_eleven_months_ago_is_red if {
	rating.rating == "red" with input as person(1000, 665)
	some r in rating.reasons with input as person(1000, 665)
	r.rule == "R-RAG-LOCAL-CRISIS"
}

# The year is 365 days: day 365 is in, day 366 is out.
test_crisis_episode_exactly_a_year_ago_is_red if {
	rating.rating == "red" with input as person(1000, 635)
}

test_crisis_episode_over_a_year_ago_is_not_red if {
	rating.rating == "green" with input as person(1000, 634)
}

# No episode on record: the national rules alone.
test_no_crisis_episode_is_not_red if {
	rating.rating == "green" with input as {"as_of": 1000, "facts": {"inpatient": false}, "circumstances": {}}
}

# R-RAG-BLUE (fixed): an inpatient is BLUE even after a recent episode.
test_inpatient_is_still_blue if {
	rating.rating == "blue" with input as {"as_of": 1000, "facts": {"inpatient": true, "last_crisis_episode": 990}, "circumstances": {}}
}

# Escalation alone, with a recent episode: RED beats AMBER.
test_recent_episode_beats_amber if {
	rating.rating == "red" with input as {"as_of": 1000, "facts": {"inpatient": false, "last_crisis_episode": 900}, "circumstances": {"escalating_behaviour": true}}
}
