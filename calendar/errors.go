package calendar

import "errors"

// ErrBadDate is returned (wrapped) for text that is not a valid calendar date.
var ErrBadDate = errors.New("calendar: bad date")

// ErrBadDeadline is returned (wrapped) for a deadline with no unit, an
// unknown unit or a negative count.
var ErrBadDeadline = errors.New("calendar: bad deadline")
