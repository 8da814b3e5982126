# Unit tests for R-CETR-STAT (statutory.rego), run on their own by OPA's
# tester from policies/regotest_test.go. Day numbers are small and made up:
# Part 8A commences on day 1000 in these tests.
package dsr.actions_test

import data.dsr.actions

params := {
	"commencement": 1000,
	"ehcp_extends_cetr": true,
	"statutory_first_review": {
		"cetr": {"n": 14, "unit": "days_beginning_with"},
		"ctr": {"n": 28, "unit": "days_beginning_with"},
	},
	"statutory_review_period": {"n": 12, "unit": "months"},
	"statutory_report": {"n": 14, "unit": "days_beginning_with"},
}

# A person detained on `day` under `status`, 18 on day 5000 (a child until
# then), autistic.
detained(day, status) := {
	"as_of": day + 2,
	"person": {"autism": true, "learning_disability": false, "ehcp": false, "eighteenth": 5000},
	"facts": {"inpatient": true, "admission": {"date": day, "legal_status": status}},
}

statutory(acts) := {a | some a in acts; a.rule == "R-CETR-STAT"}

first(acts) := [[a.from, a.n, a.unit] | some a in acts; a.kind == "statutory_review"]

# R-CETR-STAT: a child detained under s2 has a first CETR within 14 days
# beginning with the admission day.
test_child_detained_first_cetr_14_days_beginning_with_admission if {
	acts := actions.actions with input as detained(1010, "s2") with data.params as params
	first(statutory(acts)) == [[1010, 14, "days_beginning_with"]]
}

# R-CETR-STAT: an adult's first review is a CTR within 28 days.
test_adult_detained_first_ctr_28_days if {
	inp := json.patch(detained(1010, "s3"), [{"op": "replace", "path": "/person/eighteenth", "value": 10}])
	acts := actions.actions with input as inp with data.params as params
	first(statutory(acts)) == [[1010, 28, "days_beginning_with"]]
}

# R-CETR-TYPE in R-CETR-STAT: an adult with an EHCP has a CETR.
test_adult_with_ehcp_first_cetr if {
	inp := json.patch(detained(1010, "s3"), [
		{"op": "replace", "path": "/person/eighteenth", "value": 10},
		{"op": "replace", "path": "/person/ehcp", "value": true},
	])
	acts := actions.actions with input as inp with data.params as params
	first(statutory(acts)) == [[1010, 14, "days_beginning_with"]]
}

# R-CETR-STAT: detained before commencement, the period begins with the
# commencement day.
test_detained_before_commencement_period_begins_with_commencement if {
	inp := json.patch(detained(900, "s3"), [{"op": "replace", "path": "/as_of", "value": 1001}])
	acts := actions.actions with input as inp with data.params as params
	first(statutory(acts)) == [[1000, 14, "days_beginning_with"]]
}

# R-CETR-STAT is off until commencement: nothing before the day...
test_nothing_before_commencement if {
	inp := json.patch(detained(900, "s3"), [{"op": "replace", "path": "/as_of", "value": 999}])
	count(statutory(actions.actions)) == 0 with input as inp with data.params as params
	count({r | some r in actions.reasons; r.rule == "R-CETR-STAT"}) == 0 with input as inp with data.params as params
}

# ...and nothing at all while the commencement date is null.
test_nothing_while_commencement_is_null if {
	p := json.patch(params, [{"op": "replace", "path": "/commencement", "value": null}])
	inp := detained(1010, "s3")
	count(statutory(actions.actions)) == 0 with input as inp with data.params as p
	count({r | some r in actions.reasons; r.rule == "R-CETR-STAT"}) == 0 with input as inp with data.params as p
}

# R-CETR-STAT excludes the holding, place-of-safety and s4 powers and an
# informal admission; each says why.
test_excluded_powers_have_no_statutory_review if {
	every status in ["informal", "s4", "s5_2", "s5_4", "s135", "s136"] {
		count(statutory(actions.actions)) == 0 with input as detained(1010, status) with data.params as params
		count({r | some r in actions.reasons; r.rule == "R-CETR-STAT"}) == 1 with input as detained(1010, status) with data.params as params
	}
}

# R-CETR-STAT is for autism or a learning disability.
test_no_diagnosis_no_statutory_review if {
	inp := json.patch(detained(1010, "s3"), [{"op": "replace", "path": "/person/autism", "value": false}])
	count(statutory(actions.actions)) == 0 with input as inp with data.params as params
}

# After the first statutory review: the next within 12 months of it, and
# the report within 14 days beginning with the meeting day.
test_after_the_first_review_report_and_next_period if {
	inp := json.patch(detained(1010, "s3"), [{"op": "add", "path": "/facts/last_review", "value": {"statutory": 1020}}])
	acts := statutory(actions.actions) with input as inp with data.params as params
	first(acts) == [[1020, 12, "months"]]
	[[a.from, a.n, a.unit] | some a in acts; a.kind == "review_report"] == [[1020, 14, "days_beginning_with"]]
}

# The statutory report is met by a report sent on or after the meeting.
test_report_sent_meets_the_report if {
	inp := json.patch(detained(1010, "s3"), [
		{"op": "add", "path": "/facts/last_review", "value": {"statutory": 1020}},
		{"op": "add", "path": "/facts/last_report", "value": 1020},
	])
	acts := statutory(actions.actions) with input as inp with data.params as params
	[a | some a in acts; a.kind == "review_report"] == []
}

# A statutory review in an earlier spell does not meet the first review of
# this one.
test_review_in_an_earlier_spell_does_not_count if {
	inp := json.patch(detained(1010, "s3"), [{"op": "add", "path": "/facts/last_review", "value": {"statutory": 1005}}])
	acts := actions.actions with input as inp with data.params as params
	first(statutory(acts)) == [[1010, 14, "days_beginning_with"]]
}
