# R-ELIG-1: who belongs on the Dynamic Support Register.
package dsr.eligibility

import data.dsr.lib
import data.params

person := input.person

diagnosed if person.learning_disability

diagnosed if person.autism

diagnosed if {
	params.awaiting_diagnosis_counts
	person.awaiting_diagnosis
}

too_young if person.age < params.age_min

too_old if {
	params.age_max != null
	person.age > params.age_max
}

# Each criterion that holds: every circumstance reported true, a previous
# admission, or being an inpatient now.
criteria contains name if {
	some name, held in input.circumstances
	held == true
}

criteria contains "previous_admission" if input.facts.previous_admissions > 0

criteria contains "inpatient" if input.facts.inpatient

at_risk if count(criteria) >= params.min_criteria

default eligible := false

eligible if {
	diagnosed
	not too_young
	not too_old
	at_risk
}

reasons contains lib.reason("R-ELIG-1", "no learning disability or autism recorded") if not diagnosed

reasons contains lib.reason("R-ELIG-1", sprintf("aged %d, below the register's minimum age %d", [person.age, params.age_min])) if too_young

reasons contains lib.reason("R-ELIG-1", sprintf("aged %d, above the register's maximum age %d", [person.age, params.age_max])) if too_old

reasons contains lib.reason("R-ELIG-1", sprintf("at risk: %d of at least %d criteria hold (%s)", [count(criteria), params.min_criteria, concat(", ", sort(criteria))])) if at_risk

reasons contains lib.reason("R-ELIG-1", sprintf("not at risk: %d of at least %d criteria hold", [count(criteria), params.min_criteria])) if not at_risk

decision := {"eligible": eligible, "reasons": reasons}
