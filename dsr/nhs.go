package dsr

import (
	"fmt"
	"strings"
)

// NHSNumber is a 10-digit NHS number that passed the Modulus 11 check. The
// zero value means "not given". Numbers starting 999 are reserved for testing.
type NHSNumber string

// ParseNHSNumber accepts ten digits, optionally grouped 3-3-4 with spaces or
// hyphens, and checks the Modulus 11 check digit.
func ParseNHSNumber(s string) (NHSNumber, error) {
	var d [10]byte
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if n == 10 {
				return "", fmt.Errorf("%w: NHS number %q has more than 10 digits", ErrInvalid, s)
			}
			d[n] = c
			n++
		case (c == ' ' || c == '-') && (n == 3 || n == 6):
		default:
			return "", fmt.Errorf("%w: NHS number %q has a character that is not a digit", ErrInvalid, s)
		}
	}
	if n != 10 {
		return "", fmt.Errorf("%w: NHS number %q has %d digits, want 10", ErrInvalid, s, n)
	}
	check, ok := nhsCheckDigit(d[:9])
	if !ok || check != d[9]-'0' {
		return "", fmt.Errorf("%w: NHS number %q fails the Modulus 11 check", ErrInvalid, s)
	}
	return NHSNumber(d[:]), nil
}

// nhsCheckDigit returns the Modulus 11 check digit of nine digits; ok is
// false when the remainder gives 10, which no valid number has.
func nhsCheckDigit(nine []byte) (byte, bool) {
	sum := 0
	for i, c := range nine {
		sum += int(c-'0') * (10 - i)
	}
	check := 11 - sum%11
	switch check {
	case 11:
		return 0, true
	case 10:
		return 0, false
	}
	return byte(check), true
}

// IsTest reports whether the number is in the 999 range reserved for testing.
func (n NHSNumber) IsTest() bool { return strings.HasPrefix(string(n), "999") }

// String returns the number grouped 3-3-4 ("999 123 4560"); "" when unset.
func (n NHSNumber) String() string {
	if len(n) != 10 {
		return string(n)
	}
	return string(n[:3]) + " " + string(n[3:6]) + " " + string(n[6:])
}

// MarshalText implements encoding.TextMarshaler (ten digits, no spaces).
func (n NHSNumber) MarshalText() ([]byte, error) { return []byte(n), nil }

// UnmarshalText implements encoding.TextUnmarshaler; it validates the number.
// Empty text is "not given".
func (n *NHSNumber) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*n = ""
		return nil
	}
	v, err := ParseNHSNumber(string(b))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// TestNHSNumber returns the valid test NHS number 999 followed by the six
// digits of seq (0 ≤ seq < 1,000,000), skipping sequence numbers whose check
// digit would be 10. It is for synthetic people in tests, examples and demos.
func TestNHSNumber(seq int) NHSNumber {
	for ; ; seq++ {
		var d [10]byte
		s := fmt.Sprintf("999%06d", seq%1000000)
		copy(d[:], s)
		if c, ok := nhsCheckDigit(d[:9]); ok {
			d[9] = '0' + c
			return NHSNumber(d[:])
		}
	}
}
