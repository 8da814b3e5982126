package dsr

import (
	"fmt"
	"strings"
	"sync"
)

// NHSNumber is a 10-digit NHS number that passed the Modulus 11 check. The
// zero value means "not given". Numbers starting 999 are reserved for testing.
type NHSNumber string

// ParseNHSNumber accepts ten digits, optionally grouped 3-3-4 with a single
// space or hyphen between groups, and checks the Modulus 11 check digit. The
// number returned is the ten digits alone.
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
		case c == ' ' || c == '-':
			// One separator after the 3rd and after the 6th digit only.
			if (n != 3 && n != 6) || s[i-1] < '0' || s[i-1] > '9' {
				return "", fmt.Errorf("%w: NHS number %q has a space or hyphen out of place (want 3-3-4 grouping)", ErrInvalid, s)
			}
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
	if len(s) == 10 {
		return NHSNumber(s), nil // already the ten digits: no copy
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

// TestNHSNumber returns the seq-th valid test NHS number in the 999 range,
// counting from 0: distinct sequence numbers give distinct NHS numbers for
// 0 ≤ seq < TestNHSNumbers (other values wrap). Nine-digit prefixes whose
// check digit would be 10 are skipped. It is for synthetic people in tests,
// examples and demos.
func TestNHSNumber(seq int) NHSNumber {
	testNumbersOnce.Do(buildTestNumbers)
	seq %= len(testNumbers)
	if seq < 0 {
		seq += len(testNumbers)
	}
	p := testNumbers[seq]
	var d [10]byte
	d[0], d[1], d[2] = '9', '9', '9'
	for i := 8; i >= 3; i-- {
		d[i] = '0' + byte(p%10)
		p /= 10
	}
	c, _ := nhsCheckDigit(d[:9])
	d[9] = '0' + c
	return NHSNumber(d[:])
}

// TestNHSNumbers is how many distinct test numbers TestNHSNumber gives.
const TestNHSNumbers = 909_091

var (
	testNumbersOnce sync.Once
	testNumbers     []int32 // the six digits after 999 of every valid prefix
)

func buildTestNumbers() {
	testNumbers = make([]int32, 0, TestNHSNumbers)
	d := [9]byte{'9', '9', '9'}
	for p := range 1_000_000 {
		v := p
		for i := 8; i >= 3; i-- {
			d[i] = '0' + byte(v%10)
			v /= 10
		}
		if _, ok := nhsCheckDigit(d[:]); ok {
			testNumbers = append(testNumbers, int32(p))
		}
	}
}
