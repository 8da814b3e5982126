# R-BL-INVITE: who must attend a Blue Light meeting. The area's must-attend
# roles (blue_light_must_attend, in the order the minute lists them), plus
# its transition roles (blue_light_transition_roles) when the person is at
# or past the transition age (blue_light_transition_age) on the day of the
# call. The person is invited where it is appropriate, never required.
#
# An optional decision point with its own input (see README.md).
package dsr.bluelight_invitees

import data.params

transition if {
	input.age >= params.blue_light_transition_age
	count(params.blue_light_transition_roles) > 0
}

required := array.concat(params.blue_light_must_attend, params.blue_light_transition_roles) if {
	transition
} else := params.blue_light_must_attend

invited := ["person"] if input.person_invited

else := []

reasons contains {"rule": "R-BL-INVITE", "message": "%d roles must attend every meeting", "args": [count(params.blue_light_must_attend)]}

reasons contains {"rule": "R-BL-INVITE", "message": "aged %d, at or past the transition age of %d: transition services must attend", "args": [input.age, params.blue_light_transition_age]} if {
	transition
}

reasons contains {"rule": "R-BL-INVITE", "message": "the person is invited"} if input.person_invited

decision := {"required": required, "invited": invited, "reasons": reasons}
