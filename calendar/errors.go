package calendar

import "errors"

// ErrBadDate is returned (wrapped) for text that is not a valid calendar date.
var ErrBadDate = errors.New("calendar: bad date")

// ErrBadDeadline is returned (wrapped) for a deadline with no unit, an
// unknown unit, a negative or too large count, or no start.
var ErrBadDeadline = errors.New("calendar: bad deadline")

// ErrBadHolidays is returned (wrapped) by LoadList for a list of holidays it
// cannot read.
var ErrBadHolidays = errors.New("calendar: bad holiday list")
