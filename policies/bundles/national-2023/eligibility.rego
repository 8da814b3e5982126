# R-ELIG-1: who belongs on the Dynamic Support Register.
#
# Reasons are {rule, message[, args]}: with args, the engine formats the
# message with them (a set or array argument renders sorted, ", "-joined),
# so no string is built while the rules are evaluated. A test compares
# (x == true, not x == true) rather than stands bare (x, not x): the same
# for a boolean, which every test here is, and OPA evaluates a comparison
# more cheaply (a bare test costs it a generated variable).
package dsr.eligibility

import data.params

diagnosed if input.person.learning_disability == true

diagnosed if input.person.autism == true

diagnosed if {
	params.awaiting_diagnosis_counts
	input.person.awaiting_diagnosis == true
}

too_young if input.person.age < params.age_min

too_old if {
	params.age_max != null
	input.person.age > params.age_max
}

# Each criterion that holds, of those the area counts (params.criteria):
# a circumstance reported true, a previous admission ("previous_admission")
# or being an inpatient now ("inpatient"). National: all of them.
criteria contains name if {
	some name, held in input.circumstances
	held == true
	name in params.criteria
}

criteria contains "previous_admission" if {
	input.facts.previous_admissions > 0
	"previous_admission" in params.criteria
}

criteria contains "inpatient" if {
	input.facts.inpatient == true
	"inpatient" in params.criteria
}

# The criteria that hold, counted: read in several places, computed once.
held := count(criteria)

default eligible := false

eligible if {
	diagnosed == true
	not too_young == true
	not too_old == true
	held >= params.min_criteria
}

reasons contains {"rule": "R-ELIG-1", "message": "no learning disability or autism recorded"} if not diagnosed == true

reasons contains {"rule": "R-ELIG-1", "message": "aged %d, below the register's minimum age %d", "args": [input.person.age, params.age_min]} if too_young == true

reasons contains {"rule": "R-ELIG-1", "message": "aged %d, above the register's maximum age %d", "args": [input.person.age, params.age_max]} if too_old == true

# At risk, or not: two rules rather than a helper rule for "at risk",
# which would cost an evaluation of its own.
reasons contains {"rule": "R-ELIG-1", "message": "at risk: %d of at least %d criteria hold (%s)", "args": [held, params.min_criteria, criteria]} if {
	held >= params.min_criteria
}

reasons contains {"rule": "R-ELIG-1", "message": "not at risk: %d of at least %d criteria hold", "args": [held, params.min_criteria]} if {
	not held >= params.min_criteria
}

decision := {"eligible": eligible, "reasons": reasons}
