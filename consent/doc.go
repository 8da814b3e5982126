// Package consent holds consent records for the Dynamic Support Register and
// decides whether consent holds (R-CONS-1..5 in docs/rules.md#consent).
//
// A Record says who gave consent (the person, a parent, a deputy, a health
// and welfare attorney, or a best-interests decision), for what (register
// inclusion, a C(E)TR, information sharing), on which date, and where the
// evidence is kept; a withdrawal is a Record with Withdrawn set. Params are
// the area's parameters; National2023 mirrors the national-2023 policy
// bundle. Params.Evaluate looks at the latest record for a scope on or
// before a date and returns a Status: valid or not, who gave it, the
// reasons (each citing its rule id), and any re-confirmation that falls due.
//
// The functions here are pure and mirror the consent decision point of the
// national-2023 bundle (policies/bundles/national-2023/consent.rego) rule for
// rule, with the same reasons, so a host can decide consent without a policy
// engine, and the register can enforce R-CONS-1 before it holds anything.
// Params.Consent implements register.ConsentPolicy.
//
// # Zero values
//
// The zero Status is "not given": not valid, given by nobody. The zero
// Record is not a consent: it names no giver, so it never makes consent
// valid. A Record with no scopes covers register inclusion only when given,
// and withdraws everything when withdrawn (as dsr.Event.HasScope).
//
// # What it does not do
//
// It does not store anything (the Register, in package register, does) and
// it does not import a rule engine. Withdrawal by anyone ends consent: like the bundle, this
// package errs towards holding nothing, and MayWithdraw only reports whether
// the person withdrawing could consent now (R-CONS-4).
package consent
