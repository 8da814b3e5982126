package calendar_test

import (
	"errors"
	"testing"

	"github.com/dsrkit/dsrkit/calendar"
)

// FuzzParseDate checks that any text ParseDate or UnmarshalText accepts
// formats back to itself, and that anything else is ErrBadDate.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2026-03-02", "2026-02-30", "2028-02-29", "2027-02-29", "0000-01-01", "9999-12-31",
		"1969-12-31", "", "2026-3-2", "2026-03-02T00:00:00Z", "+2026-03-02", "2026-03-02\n", "２０２６-03-02",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := calendar.ParseDate(s)
		if err != nil {
			if !errors.Is(err, calendar.ErrBadDate) {
				t.Fatalf("ParseDate(%q): %v is not ErrBadDate", s, err)
			}
		} else if got := d.String(); got != s {
			t.Fatalf("ParseDate(%q) formats as %q", s, got)
		}

		var u calendar.Date
		uerr := u.UnmarshalText([]byte(s))
		switch {
		case s == "":
			if uerr != nil || !u.IsZero() {
				t.Fatalf(`UnmarshalText("") = %v, %v; want the zero Date`, u, uerr)
			}
		case (uerr == nil) != (err == nil):
			t.Fatalf("UnmarshalText(%q) = %v but ParseDate gave %v", s, uerr, err)
		case uerr == nil:
			b, merr := u.MarshalText()
			if merr != nil || string(b) != s {
				t.Fatalf("UnmarshalText(%q) marshals back as %q, %v", s, b, merr)
			}
		}
	})
}
