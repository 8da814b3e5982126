# WRONG ON PURPOSE: consent is assumed, so people with no consent on record
# are held on the register (R-CONS-1 forbids it). policytest.Check and
# policycheck.Run must catch it.
package dsr.consent

decision := {
	"valid": true,
	"given_by": "self",
	"reasons": [{"rule": "R-CONS-1", "message": "consent assumed"}],
	"actions": [],
}
