# Unit tests for the Blue Light decision points (R-BL-CRIT, R-BL-INVITE,
# R-BL-FUND), run by OPA's tester from policies/regotest_test.go. The
# parameters are Wiltshire's, as national-2023 carries them.
package dsr.bluelight_test

import data.dsr.bluelight_criteria
import data.dsr.bluelight_funding
import data.dsr.bluelight_invitees

params := {
	"blue_light_require_known_to_services": true,
	"blue_light_must_attend": [
		"family", "psychiatrist", "named_nurse", "social_worker", "send_lead_worker", "school_senco",
		"education_officer", "commissioner", "nhse_gatekeeping", "advocate", "community_camhs", "minute_taker",
	],
	"blue_light_transition_roles": ["adult_mental_health", "community_ld_team"],
	"blue_light_transition_age": 17,
	"blue_light_max_funded_hours": 72,
	"blue_light_default_split": {"local_authority_bp": 5000, "health_bp": 5000},
	"blue_light_require_accredited": true,
}

crisis := {
	"unexpected_crisis": true, "crisis_plan_breakdown": false, "cannot_support_at_home": false,
	"no_time_for_cetr": true, "known_to_services": true,
}

# R-BL-CRIT: an unexpected crisis, no time for a C(E)TR, known to CAMHS: the
# meeting may be called.
test_unexpected_crisis_with_no_time_for_a_cetr_may_be_called if {
	d := bluelight_criteria.decision with input as crisis with data.params as params
	d.met == true
	count(d.unmet) == 0
}

# R-BL-CRIT: every decision records that the meeting is not a community C(E)TR.
test_the_meeting_is_never_a_community_cetr if {
	d := bluelight_criteria.decision with input as crisis with data.params as params
	{"rule": "R-BL-CRIT", "message": "A Blue Light meeting is not a community C(E)TR"} in d.reasons
}

# R-BL-CRIT (Wiltshire safeguard): someone not known to CAMHS or children's
# social care is refused where the area says so.
test_not_known_to_services_is_refused_where_the_area_requires_it if {
	d := bluelight_criteria.decision with input as object.union(crisis, {"known_to_services": false}) with data.params as params
	d.met == false
	d.unmet == {"known_to_services"}
}

# R-BL-CRIT: an area that does not require it calls the meeting anyway.
test_not_known_to_services_is_allowed_where_the_area_does_not_require_it if {
	d := bluelight_criteria.decision with input as object.union(crisis, {"known_to_services": false})
		with data.params as object.union(params, {"blue_light_require_known_to_services": false})
	d.met == true
}

# R-BL-CRIT: with time for a C(E)TR, hold one instead.
test_time_for_a_cetr_is_refused if {
	d := bluelight_criteria.decision with input as object.union(crisis, {"no_time_for_cetr": false}) with data.params as params
	d.met == false
	d.unmet == {"no_time_for_cetr"}
}

# R-BL-CRIT: without a crisis, a breakdown or loss of safe support at home,
# no meeting.
test_no_crisis_is_refused if {
	d := bluelight_criteria.decision with input as object.union(crisis, {"unexpected_crisis": false}) with data.params as params
	d.met == false
	"crisis" in d.unmet
}

# R-BL-INVITE: a 15-year-old: the twelve must-attend roles, in order.
test_a_fifteen_year_old_needs_the_twelve_must_attend_roles if {
	d := bluelight_invitees.decision with input as {"age": 15, "person_invited": false} with data.params as params
	d.required == params.blue_light_must_attend
	d.invited == []
}

# R-BL-INVITE: at the transition age, adult services join.
test_at_seventeen_transition_roles_must_attend if {
	d := bluelight_invitees.decision with input as {"age": 17, "person_invited": true} with data.params as params
	count(d.required) == 14
	d.required[12] == "adult_mental_health"
	d.required[13] == "community_ld_team"
	d.invited == ["person"]
}

funding := {
	"minutes": 4320, "cost_pence": 100000, "provider": "Provider A", "provider_accredited": true,
	"split": {"local_authority_bp": 0, "health_bp": 0}, "split_agreed_by": "",
}

# R-BL-FUND: 72 hours from an accredited provider, split 50/50.
test_seventy_two_hours_split_evenly_is_authorised if {
	d := bluelight_funding.decision with input as funding with data.params as params
	d.authorised == true
	d.split == {"local_authority_bp": 5000, "health_bp": 5000}
}

# R-BL-FUND: one minute past the cap is refused, citing the rule.
test_one_minute_past_the_cap_is_refused if {
	d := bluelight_funding.decision with input as object.union(funding, {"minutes": 4321}) with data.params as params
	d.authorised == false
	some r in d.refusals
	r.field == "funding.stop"
	r.rule == "R-BL-FUND"
	r.args == ["72h1m", 72]
}

# R-BL-FUND: an area's lower cap (48 hours) refuses 60 hours.
test_a_lower_cap_refuses_sixty_hours if {
	d := bluelight_funding.decision with input as object.union(funding, {"minutes": 3600})
		with data.params as object.union(params, {"blue_light_max_funded_hours": 48})
	d.authorised == false
	some r in d.refusals
	r.rule == "R-BL-FUND"
}

# R-BL-FUND: another split needs the senior leader who agreed it.
test_another_split_without_a_senior_leader_is_refused if {
	d := bluelight_funding.decision with input as object.union(funding, {"split": {"local_authority_bp": 7000, "health_bp": 3000}})
		with data.params as params
	d.authorised == false
	some r in d.refusals
	r.field == "funding.split_agreed_by"
	r.args == ["local authority 50% / health 50%"]
}

# R-BL-FUND: another split agreed by a senior leader stands.
test_another_split_agreed_by_a_senior_leader_stands if {
	d := bluelight_funding.decision with input as object.union(funding, {"split": {"local_authority_bp": 6250, "health_bp": 3750}, "split_agreed_by": "Director B"})
		with data.params as params
	d.authorised == true
	d.split == {"local_authority_bp": 6250, "health_bp": 3750}
	some r in d.reasons
	r.args == ["local authority 62.5% / health 37.5%", "Director B"]
}

# R-BL-FUND: a provider not marked accredited is refused.
test_an_unaccredited_provider_is_refused if {
	d := bluelight_funding.decision with input as object.union(funding, {"provider_accredited": false}) with data.params as params
	d.authorised == false
	some r in d.refusals
	r.field == "funding.provider_accredited"
}

# The minute's percentages: 33.33%, 5%, 0.5%, 100%.
test_percent_formats_basis_points_as_the_minute_does if {
	bluelight_funding.percent(3333) == "33.33%"
	bluelight_funding.percent(500) == "5%"
	bluelight_funding.percent(50) == "0.5%"
	bluelight_funding.percent(5) == "0.05%"
	bluelight_funding.percent(10000) == "100%"
}
