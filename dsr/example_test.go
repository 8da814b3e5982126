package dsr_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
)

func ExampleParseNHSNumber() {
	n, err := dsr.ParseNHSNumber("999 765 4323")
	fmt.Println(n, err)
	fmt.Printf("%q is a test number: %v\n", string(n), n.IsTest())

	_, err = dsr.ParseNHSNumber("999 765 4324")
	fmt.Println(err)
	fmt.Println(errors.Is(err, dsr.ErrInvalid))
	// Output:
	// 999 765 4323 <nil>
	// "9997654323" is a test number: true
	// dsr: invalid input: NHS number "999 765 4324" fails the Modulus 11 check
	// true
}

func ExampleTestNHSNumber() {
	// Synthetic people get numbers from the 999 range.
	for _, seq := range []int{1, 2, 765432} {
		fmt.Println(dsr.TestNHSNumber(seq))
	}
	// Output:
	// 999 000 0026
	// 999 000 0034
	// 999 841 9751
}

func ExampleParseRating() {
	r, err := dsr.ParseRating("RED")
	fmt.Println(r, err)

	r, _ = dsr.ParseRating("")
	fmt.Printf("%q unrated: %v, green: %v\n", r, r == dsr.Unrated, r == dsr.Green)

	_, err = dsr.ParseRating("purple")
	fmt.Println(err)
	// Output:
	// red <nil>
	// "" unrated: true, green: false
	// dsr: invalid input: unknown rating "purple" (want red, amber, green or blue)
}

func ExampleDecodeCase() {
	// Person A's case says "yes" where autism is true or false, and the
	// discharge has no admission before it.
	const body = `{
	  "as_of": "2026-03-30",
	  "person": {"id": "person-a", "nhs_number": "9997654323", "date_of_birth": "2010-05-01", "autism": "yes"},
	  "events": [{"type": "discharged", "date": "2026-03-01"}]
	}`
	_, err := dsr.DecodeCase(strings.NewReader(body))
	fmt.Println(err)

	var ve *dsr.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("field:", ve.Field)
	}
	fmt.Println(errors.Is(err, dsr.ErrInvalid))

	// With autism fixed, the history is checked.
	_, err = dsr.DecodeCase(strings.NewReader(strings.Replace(body, `"yes"`, `true`, 1)))
	fmt.Println(err)
	// Output:
	// person.autism: want true or false, got the string "yes"
	// field: person.autism
	// true
	// events[0]: discharged on 2026-03-01 with no admission before it
}

func ExampleDerive() {
	// Person A, aged 14, had a community CETR on 29 January 2026 and was
	// admitted on 2 February, then moved to a more secure ward.
	c, err := dsr.DecodeCase(strings.NewReader(`{
	  "as_of": "2026-03-30",
	  "person": {"id": "person-a", "nhs_number": "9997654323", "date_of_birth": "2011-06-10", "autism": true},
	  "events": [
	    {"type": "consent_given", "date": "2026-01-05", "given_by": "parent"},
	    {"type": "review_held", "date": "2026-01-29", "kind": "community"},
	    {"type": "admitted", "date": "2026-02-02", "security": "general", "legal_status": "s2"},
	    {"type": "transferred", "date": "2026-03-02", "security": "picu"}
	  ]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	f := dsr.Derive(&c)
	s := f.Current()
	fmt.Println("age:", f.Age, "inpatient:", f.Inpatient, "since:", s.Admitted)
	fmt.Println("ward:", s.Security, "last move:", s.LastMove, s.LastMoveChange)
	fmt.Println("community review before admission:", s.LastCommunityReview)
	fmt.Println("admissions without one in 182 days:", f.AdmissionsWithoutCommunityReview(182))
	fmt.Println("16th birthday:", f.Sixteenth)
	fmt.Println("consent for the register given by:", f.Consent[0].By)
	// Output:
	// age: 14 inpatient: true since: 2026-02-02
	// ward: picu last move: 2026-03-02 security_up
	// community review before admission: 2026-01-29
	// admissions without one in 182 days: 0
	// 16th birthday: 2027-06-10
	// consent for the register given by: parent
}

// DecodeStrict refuses what encoding/json would let through, naming the
// field: here a key given twice.
func ExampleDecodeStrict() {
	var ev dsr.Event
	err := dsr.DecodeStrict(strings.NewReader(`{"type": "admitted", "date": "2026-03-01", "date": "2026-03-02"}`), dsr.MaxInputBytes, &ev)
	fmt.Println(err)
	// Output:
	// date: given twice
}

// ValidID is the one character set of ids: letters, digits and - _ . :.
func ExampleValidID() {
	fmt.Println(dsr.ValidID("person.id", "p-0001"))
	fmt.Println(dsr.ValidID("person.id", "p1\x1b[2J"))
	// Output:
	// <nil>
	// person.id: id "p1\x1b[2J" has "\x1b" at byte 2 (want only letters, digits or - _ . :)
}
