package bluelight_test

import (
	"context"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/bluelight/bluelighttest"
)

var ctx = context.Background()

// The synthetic fixtures of bluelighttest, under the short names these
// tests use. Every person here is synthetic.
type tb = bluelighttest.TB

var (
	london      = bluelighttest.London
	wiltshire   = bluelighttest.Wiltshire
	opening     = bluelighttest.Opening
	open        = bluelighttest.Open
	contains    = bluelighttest.Contains[bluelight.Role]
	attendAll   = bluelighttest.AttendAll
	stepNotes   = bluelighttest.StepNotes
	completeTo  = bluelighttest.CompleteTo
	completeTo2 = bluelighttest.CompleteAfter
	homePackage = bluelighttest.HomePackage
	asInvalid   = bluelighttest.AsInvalid
	asRule      = bluelighttest.AsRule
)
