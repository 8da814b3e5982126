package register_test

import "github.com/dsrkit/dsrkit/bluelight/bluelighttest"

// The synthetic fixtures of bluelighttest, under the short names these
// tests use. Every person here is synthetic.
type tb = bluelighttest.TB

var (
	london      = bluelighttest.London
	wiltshire   = bluelighttest.Wiltshire
	opening     = bluelighttest.Opening
	open        = bluelighttest.Open
	attendAll   = bluelighttest.AttendAll
	stepNotes   = bluelighttest.StepNotes
	completeTo  = bluelighttest.CompleteTo
	completeTo2 = bluelighttest.CompleteAfter
	homePackage = bluelighttest.HomePackage
	asInvalid   = bluelighttest.AsInvalid
	asRule      = bluelighttest.AsRule
)
