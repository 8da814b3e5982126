package consent_test

import (
	"fmt"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
)

// A parent consents for Person A, aged 15; the consent lapses at their 16th
// birthday unless they confirm it (R-CONS-3).
func ExampleParams_Evaluate() {
	personA := consent.Subject{DateOfBirth: calendar.MustParseDate("2010-09-15")}
	records := []consent.Record{consent.Give(consent.Parent, calendar.MustParseDate("2026-03-02"), "signed form, case file 12")}

	for _, asOf := range []string{"2026-04-01", "2026-09-15"} {
		st := consent.National2023.Evaluate(personA, records, consent.Inclusion, calendar.MustParseDate(asOf))
		fmt.Println(asOf, "valid:", st.Valid, st.Reasons[0].Rule)
		for _, r := range st.Reconfirm {
			fmt.Println("  reconfirm by", r.Due, r.Rule)
		}
	}
	// Output:
	// 2026-04-01 valid: true R-CONS-1
	// 2026-09-15 valid: false R-CONS-3
	//   reconfirm by 2026-09-15 R-CONS-3
}

// A 15-year-old who is not Gillick competent cannot consent for themselves
// (R-CONS-2; docs/rules.md#worked-example-6).
func ExampleParams_MayConsent() {
	child := consent.Subject{DateOfBirth: calendar.MustParseDate("2011-01-10")}
	ok, why := consent.National2023.MayConsent(child, consent.Self, calendar.MustParseDate("2026-04-01"))
	fmt.Println(ok, why)
	// Output:
	// false a child under 16 who is not Gillick competent cannot consent for themselves
}

// Withdrawing consent for inclusion ends it, whoever withdraws (R-CONS-4).
func ExampleWithdraw() {
	adult := consent.Subject{DateOfBirth: calendar.MustParseDate("1990-01-01")}
	records := []consent.Record{
		consent.Give(consent.Self, calendar.MustParseDate("2026-03-02"), ""),
		consent.Withdraw(consent.Self, calendar.MustParseDate("2026-03-20")),
	}
	st := consent.National2023.Evaluate(adult, records, consent.Inclusion, calendar.MustParseDate("2026-04-01"))
	fmt.Println(st.Valid, st.Reasons[0].Message)
	// Output:
	// false consent withdrawn by self; identifiable data is removed
}
