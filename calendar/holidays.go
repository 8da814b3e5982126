package calendar

// Holidays says which dates are public holidays. Implementations must be safe
// for concurrent use.
type Holidays interface {
	IsHoliday(Date) bool
}

// List is a fixed set of holiday dates, for a host that supplies its own.
type List map[Date]string

// IsHoliday reports whether d is in the list.
func (l List) IsHoliday(d Date) bool { _, ok := l[d]; return ok }

// EnglandAndWales returns the England and Wales bank holidays.
// PLACEHOLDER: replaced by the embedded data in bankholidays.go.
func EnglandAndWales() Holidays { return List{} }
