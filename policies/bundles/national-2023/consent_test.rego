# Unit tests for the consent decision point (R-CONS-1..5).
package dsr.consent_test

import data.dsr.consent

params := {"gillick_allowed": true, "parent_consent_lapses": true, "consent_reconfirm_notice_days": 90, "consent_reconfirm_every": null}

child(age, by) := {
	"as_of": 20544,
	"person": {"age": age, "sixteenth": 20700, "lacks_capacity": false, "gillick_competent": false},
	"facts": {"consent": [{"date": 20500, "by": by, "withdrawn": false, "age": age}]},
}

# R-CONS-2: a parent consents for a child under 16.
test_parent_consents_for_a_child_under_16 if {
	consent.valid with input as child(14, "parent") with data.params as params
}

# R-CONS-2: a child under 16 who is not Gillick competent cannot consent.
test_child_not_gillick_competent_cannot_consent if {
	not consent.valid with input as child(14, "self") with data.params as params
}

# R-CONS-3: a parent's consent lapses at 16.
test_parent_consent_lapses_at_16 if {
	lapsed := object.union(child(15, "parent"), {"as_of": 20700})
	not consent.valid with input as lapsed with data.params as params
}

# R-CONS-4: a withdrawal ends consent.
test_withdrawal_ends_consent if {
	withdrawn := {
		"as_of": 20544,
		"person": {"age": 30, "sixteenth": 15000, "lacks_capacity": false, "gillick_competent": false},
		"facts": {"consent": [{"date": 20500, "by": "self", "withdrawn": false, "age": 30}, {"date": 20510, "by": "self", "withdrawn": true, "age": 30}]},
	}
	not consent.valid with input as withdrawn with data.params as params
}

# R-CONS-1: no consent recorded, nothing held.
test_no_consent_recorded_is_not_valid if {
	none := {"as_of": 20544, "person": {"age": 30, "sixteenth": 15000}, "facts": {"consent": []}}
	not consent.valid with input as none with data.params as params
}
