package bluelight

import (
	"math/bits"
	"strconv"
	"strings"
)

// Pence is an amount of money in pence. Money is never a float: £1,234.56
// is Pence(123456).
type Pence int64

// String formats p as pounds and pence with thousands separators:
// "£1,234.56", "£0.07", "-£3.50".
func (p Pence) String() string {
	var b strings.Builder
	u := uint64(p)
	if p < 0 {
		b.WriteByte('-')
		u = -u // also right for math.MinInt64
	}
	b.WriteString("£")
	pounds := strconv.FormatUint(u/100, 10)
	for i, c := range pounds {
		if i > 0 && (len(pounds)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	b.WriteByte('.')
	cents := u % 100
	b.WriteByte(byte('0' + cents/10))
	b.WriteByte(byte('0' + cents%10))
	return b.String()
}

// WholeBP is 100% in basis points.
const WholeBP = 10_000

// Split is how the cost of additional support is shared between the local
// authority and health, in basis points (1/100 of a percent): 50/50 is
// {5000, 5000}. The shares must add up to WholeBP. The zero Split means "the
// area's default split" (R-BL-FUND).
type Split struct {
	LocalAuthorityBP int `json:"local_authority_bp"`
	HealthBP         int `json:"health_bp"`
}

// IsZero reports whether s is the zero Split (use the default).
func (s Split) IsZero() bool { return s == Split{} }

// Validate reports a share below zero or shares that do not add up to
// 100%, as a *dsr.ValidationError on field (such as "funding.split").
func (s Split) Validate(field string) error {
	switch {
	case s.LocalAuthorityBP < 0 || s.HealthBP < 0:
		return invalid(field, "R-BL-FUND", "a share is negative (%d/%d basis points)", s.LocalAuthorityBP, s.HealthBP)
	case s.LocalAuthorityBP+s.HealthBP != WholeBP:
		return invalid(field, "R-BL-FUND", "shares add up to %d basis points, want %d", s.LocalAuthorityBP+s.HealthBP, WholeBP)
	}
	return nil
}

// String returns "local authority 50% / health 50%".
func (s Split) String() string {
	return "local authority " + Percent(s.LocalAuthorityBP) + " / health " + Percent(s.HealthBP)
}

// Percent formats basis points as a percentage with no trailing zeros:
// 5000 is "50%", 6250 "62.5%", 3333 "33.33%".
func Percent(bp int) string {
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	s := strconv.Itoa(bp / 100)
	if frac := bp % 100; frac != 0 {
		f := strconv.Itoa(100 + frac)[1:] // two digits
		s += "." + strings.TrimRight(f, "0")
	}
	return sign + s + "%"
}

// Shares divides total between the local authority and health by s, exactly
// and to the penny: the local authority's share is total × LocalAuthorityBP
// / 10000 rounded down, and health gets the rest, so any odd penny goes to
// health and la + health == total always. total must not be negative and s
// must be valid (see Split.Validate); Shares does not check.
func (s Split) Shares(total Pence) (la, health Pence) {
	hi, lo := bits.Mul64(uint64(total), uint64(s.LocalAuthorityBP))
	q, _ := bits.Div64(hi, lo, WholeBP) // hi < WholeBP since total < 2^63 and bp <= WholeBP
	la = Pence(q)
	return la, total - la
}
