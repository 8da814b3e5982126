# Unit tests for the rating decision point (R-RAG-*), run by OPA's tester
# from policies/regotest_test.go.
package dsr.rating_test

import data.dsr.rating

params := {
	"red_when": [["in_crisis", "community_cannot_manage"], ["admission_being_considered"]],
	"amber_when": [["mental_health_deteriorating"], ["placement_breakdown_risk"], ["escalating_behaviour"], ["serious_harm_risk"]],
}

# R-RAG-BLUE: an inpatient is BLUE whatever else holds.
test_inpatient_is_blue_whatever_else_holds if {
	rating.rating == "blue" with input as {"facts": {"inpatient": true}, "circumstances": {"in_crisis": true, "community_cannot_manage": true}}
		with data.params as params
}

# R-RAG-RED: crisis and the community cannot manage.
test_crisis_the_community_cannot_manage_is_red if {
	rating.rating == "red" with input as {"facts": {"inpatient": false}, "circumstances": {"in_crisis": true, "community_cannot_manage": true}}
		with data.params as params
}

# R-RAG-RED needs both facts: a crisis the community manages is not RED.
test_crisis_alone_is_not_red if {
	rating.rating == "green" with input as {"facts": {"inpatient": false}, "circumstances": {"in_crisis": true}}
		with data.params as params
}

# R-RAG-AMBER: any escalation fact.
test_escalating_behaviour_is_amber if {
	rating.rating == "amber" with input as {"facts": {"inpatient": false}, "circumstances": {"escalating_behaviour": true}}
		with data.params as params
}

# R-RAG-GREEN: nothing reported.
test_nothing_reported_is_green if {
	rating.rating == "green" with input as {"facts": {"inpatient": false}, "circumstances": {}}
		with data.params as params
}
