package cetr_test

import "github.com/dsrkit/dsrkit/cetr/cetrtest"

// The synthetic fixtures of cetrtest, under the short names these tests
// use. Every person here is synthetic.
var (
	d          = cetrtest.Date
	at         = cetrtest.At
	panelOf    = cetrtest.Panel
	teacher    = cetrtest.Teacher
	child      = cetrtest.Child
	adult      = cetrtest.Adult
	plan       = cetrtest.Plan
	mustNew    = cetrtest.MustNew
	recordAll  = cetrtest.RecordAll
	must       = cetrtest.Must
	heldReview = cetrtest.HeldReview
	fields     = cetrtest.Fields
)

const commissioner = cetrtest.Commissioner
