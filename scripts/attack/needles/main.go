// Command needles prints, one per line, the identifiers of the first N
// people and the requests to join of `dsr demo` that an attacker must not
// find in a register file: local ids, NHS numbers, names, the street and
// the postcode. scripts/attack.sh feeds them to scripts/attack.
package main

import (
	"flag"
	"fmt"

	"github.com/dsrkit/dsrkit/dsr"
)

func main() {
	n := flag.Int("people", 6, "how many demo people")
	flag.Parse()
	for i := range *n {
		fmt.Printf("syn-%04d\n%s\nSynthetic Person %04d\n", i+1, dsr.TestNHSNumber(100000+i), i+1)
	}
	fmt.Println("Example Street\nZZ99 3VZ\nreq-001\nreq-002\nreq-003")
}
