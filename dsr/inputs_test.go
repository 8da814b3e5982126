package dsr

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// TestInputValueJSON: an input value is the bare JSON value, and reads back
// the same.
func TestInputValueJSON(t *testing.T) {
	for _, v := range []InputValue{BoolInput(true), BoolInput(false), IntInput(0), IntInput(-3), IntInput(1 << 40), WordInput("nurse"), WordInput(`a "quoted" word`)} {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var back InputValue
		if err := json.Unmarshal(b, &back); err != nil || back != v {
			t.Errorf("%s: read back %v (%v)", b, back, err)
		}
	}
}

// TestDecodeCaseInputs: a case's inputs decode strictly, naming the field
// of a value that is not true, false, a whole number or a string.
func TestDecodeCaseInputs(t *testing.T) {
	const head = `{"as_of": "2026-04-01", "person": {"id": "syn-1", "date_of_birth": "2010-05-05"}, "inputs": `
	c, err := UnmarshalCase([]byte(head + `{"alcohol_use": true, "self_harm": 2, "completed_by": "nurse"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Inputs["alcohol_use"] != BoolInput(true) || c.Inputs["self_harm"] != IntInput(2) || c.Inputs["completed_by"] != WordInput("nurse") {
		t.Errorf("inputs %v", c.Inputs)
	}
	for _, tc := range []struct{ inputs, field string }{
		{`{"self_harm": 2.5}`, "inputs.self_harm"},
		{`{"self_harm": {"score": 2}}`, "inputs.self_harm"},
		{`{"self_harm": [2]}`, "inputs.self_harm"},
		{`{"self_harm": 1, "self_harm": 2}`, "inputs.self_harm"},
		{`[1]`, "inputs"},
	} {
		_, err := UnmarshalCase([]byte(head + tc.inputs + `}`))
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field || !errors.Is(err, ErrInvalid) {
			t.Errorf("inputs %s: %v, want a ValidationError naming %s", tc.inputs, err, tc.field)
		}
	}
}

// TestValidateInputs: the declarations decide what a case may give; every
// problem names its field and cites R-INPUT-1, in name order.
func TestValidateInputs(t *testing.T) {
	lo, hi := int64(0), int64(3)
	decls := []InputDecl{
		{Name: "alcohol_use", Kind: InputBool},
		{Name: "self_harm", Kind: InputInt, Min: &lo, Max: &hi},
		{Name: "completed_by", Kind: InputEnum, Values: []string{"nurse", "keyworker"}},
	}
	if err := ValidateInputs(decls, map[string]InputValue{"alcohol_use": BoolInput(false), "self_harm": IntInput(3), "completed_by": WordInput("nurse")}); err != nil {
		t.Errorf("valid inputs: %v", err)
	}
	err := ValidateInputs(decls, map[string]InputValue{"self_harm": IntInput(7), "alcohol_use": WordInput("yes"), "zzz": BoolInput(true)})
	want := []string{
		`inputs.alcohol_use: want true or false, got the string "yes" (R-INPUT-1)`,
		"inputs.self_harm: 7 is above the maximum 3 (R-INPUT-1)",
		"inputs.zzz: unknown input (the bundle declares alcohol_use, self_harm, completed_by) (R-INPUT-1)",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") || !errors.Is(err, ErrInvalid) {
		t.Errorf("ValidateInputs: %v, want\n%s", err, strings.Join(want, "\n"))
	}
}
