# R-BL-FUND: may this additional support be authorised? At most
# blue_light_max_funded_hours elapsed hours; shared by the default split
# (blue_light_default_split, basis points) unless the request names another
# and the senior leader who agreed it; a spot-purchased provider must be
# marked accredited where the area requires it
# (blue_light_require_accredited). Every refusal names the field and cites
# R-BL-FUND.
#
# An optional decision point with its own input (see README.md): the
# request's elapsed length in whole minutes, rounded up.
package dsr.bluelight_funding

import data.params

cap := params.blue_light_max_funded_hours

default_split := params.blue_light_default_split

# The length as the minute prints it: 72h, 72h30m or 45m.
mins := input.minutes % 60

hours := (input.minutes - mins) / 60

duration := sprintf("%dm", [mins]) if {
	hours == 0
} else := sprintf("%dh", [hours]) if {
	mins == 0
} else := sprintf("%dh%dm", [hours, mins])

# percent formats basis points as the minute does: 5000 is 50%, 6250 62.5%,
# 3333 33.33%.
percent(bp) := sprintf("%d%%", [bp / 100]) if bp % 100 == 0

percent(bp) := sprintf("%d.%d%%", [(bp - (bp % 100)) / 100, (bp % 100) / 10]) if {
	bp % 100 != 0
	bp % 10 == 0
}

percent(bp) := sprintf("%d.%s%%", [(bp - (bp % 100)) / 100, two_digits(bp % 100)]) if bp % 10 != 0

two_digits(n) := sprintf("0%d", [n]) if n < 10

else := sprintf("%d", [n])

split_text(s) := sprintf("local authority %s / health %s", [percent(s.local_authority_bp), percent(s.health_bp)])

requested_split if input.split.local_authority_bp != 0
requested_split if input.split.health_bp != 0

other_split if {
	requested_split
	input.split.local_authority_bp != default_split.local_authority_bp
}

other_split if {
	requested_split
	input.split.health_bp != default_split.health_bp
}

split := {"local_authority_bp": input.split.local_authority_bp, "health_bp": input.split.health_bp} if {
	other_split
	input.split_agreed_by != ""
} else := default_split

refusals contains {"field": "funding.stop", "rule": "R-BL-FUND", "message": "%s of support is over the cap of %d hours", "args": [duration, cap]} if {
	input.minutes > cap * 60
}

refusals contains {"field": "funding.split_agreed_by", "rule": "R-BL-FUND", "message": "a split other than %s needs the senior leader who agreed it", "args": [split_text(default_split)]} if {
	other_split
	input.split_agreed_by == ""
}

refusals contains {"field": "funding.provider_accredited", "rule": "R-BL-FUND", "message": "provider %s is not marked accredited", "args": [input.provider]} if {
	params.blue_light_require_accredited
	not input.provider_accredited
}

reasons contains {"rule": "R-BL-FUND", "message": "%s of support, within the cap of %d hours", "args": [duration, cap]} if {
	input.minutes <= cap * 60
}

reasons contains {"rule": "R-BL-FUND", "message": "split %s agreed by %s", "args": [split_text(input.split), input.split_agreed_by]} if {
	other_split
	input.split_agreed_by != ""
}

reasons contains {"rule": "R-BL-FUND", "message": "default split %s", "args": [split_text(default_split)]} if not other_split

reasons contains {"rule": "R-BL-FUND", "message": "provider %s is accredited", "args": [input.provider]} if {
	params.blue_light_require_accredited
	input.provider_accredited
}

decision := {"authorised": count(refusals) == 0, "split": split, "refusals": refusals, "reasons": reasons}
