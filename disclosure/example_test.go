package disclosure_test

import (
	"fmt"

	"github.com/dsrkit/dsrkit/disclosure"
)

// A board report's table of people by rating: the cells are published,
// and the total is added up from the published cells.
func Example() {
	red, amber, green := disclosure.Of(3), disclosure.Of(12), disclosure.Of(28)
	total := disclosure.Sum(red, amber, green)
	fmt.Println(red, amber, green, total, disclosure.Percent(amber, total))
	// Output: * 10 30 40 25%
}
