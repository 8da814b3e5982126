package dsr_test

import (
	"fmt"

	"github.com/dsrkit/dsrkit/dsr"
)

// A bundle's declared inputs (R-INPUT-1) decide what a case may give under
// "inputs"; policies.Engine.Assess checks them so, naming the field.
func ExampleValidateInputs() {
	lo, hi := int64(0), int64(3)
	decls := []dsr.InputDecl{
		{Name: "self_harm", Kind: dsr.InputInt, Min: &lo, Max: &hi, Description: "Self-harm, 0-3", Source: "area tool"},
		{Name: "safeguarding_concern", Kind: dsr.InputBool, Description: "An open safeguarding concern", Source: "area"},
	}
	fmt.Println(dsr.ValidateInputs(decls, map[string]dsr.InputValue{"self_harm": dsr.IntInput(2)}))
	fmt.Println(dsr.ValidateInputs(decls, map[string]dsr.InputValue{"self_harm": dsr.IntInput(7)}))
	fmt.Println(dsr.ValidateInputs(decls, map[string]dsr.InputValue{"alcohol_use": dsr.BoolInput(true)}))
	fmt.Println(decls[1].Default())
	// Output:
	// <nil>
	// inputs.self_harm: 7 is above the maximum 3 (R-INPUT-1)
	// inputs.alcohol_use: unknown input (the bundle declares self_harm, safeguarding_concern) (R-INPUT-1)
	// false
}
