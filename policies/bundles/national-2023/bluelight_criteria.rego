# R-BL-CRIT: may a Blue Light (Local Area Emergency Protocol) meeting be
# called? Only when there is an immediate risk of an inpatient placement
# (an unexpected crisis, a breakdown of the crisis or contingency plan, or
# the person can no longer be supported safely at home even with intensive
# support) and no time for a C(E)TR; and, where the area says so
# (blue_light_require_known_to_services), only for people known to the
# CAMHS provider or children's social care. Every decision records that the
# meeting is not a community C(E)TR.
#
# An optional decision point with its own input (see README.md): not part
# of the assessment.
package dsr.bluelight_criteria

import data.params

crisis if input.unexpected_crisis
crisis if input.crisis_plan_breakdown
crisis if input.cannot_support_at_home

unmet contains "crisis" if not crisis

unmet contains "no_time_for_cetr" if not input.no_time_for_cetr

unmet contains "known_to_services" if {
	params.blue_light_require_known_to_services
	not input.known_to_services
}

reasons contains {"rule": "R-BL-CRIT", "message": "immediate risk of an inpatient placement: an unexpected crisis"} if input.unexpected_crisis

reasons contains {"rule": "R-BL-CRIT", "message": "immediate risk of an inpatient placement: the crisis or contingency plan has broken down"} if input.crisis_plan_breakdown

reasons contains {"rule": "R-BL-CRIT", "message": "immediate risk of an inpatient placement: cannot be supported safely at home even with intensive support"} if input.cannot_support_at_home

reasons contains {"rule": "R-BL-CRIT", "message": "no unexpected crisis, plan breakdown or loss of safe support at home"} if not crisis

reasons contains {"rule": "R-BL-CRIT", "message": "there is no time for a C(E)TR"} if input.no_time_for_cetr

reasons contains {"rule": "R-BL-CRIT", "message": "there is time for a C(E)TR: hold one instead"} if not input.no_time_for_cetr

reasons contains {"rule": "R-BL-CRIT", "message": "known to the CAMHS provider or children's social care"} if {
	params.blue_light_require_known_to_services
	input.known_to_services
}

reasons contains {"rule": "R-BL-CRIT", "message": "not known to the CAMHS provider or children's social care, as the area requires"} if {
	params.blue_light_require_known_to_services
	not input.known_to_services
}

# A Blue Light meeting is not a community C(E)TR, whatever is decided.
reasons contains {"rule": "R-BL-CRIT", "message": "A Blue Light meeting is not a community C(E)TR"}

decision := {"met": count(unmet) == 0, "unmet": unmet, "reasons": reasons}
