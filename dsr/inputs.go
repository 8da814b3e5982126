package dsr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// InputKind is the kind of a declared input (R-INPUT-1).
type InputKind string

// The kinds of declared input.
const (
	InputBool InputKind = "bool" // true or false; absent is false
	InputInt  InputKind = "int"  // a whole number from Min to Max; absent is Min
	InputEnum InputKind = "enum" // one of Values; absent is "" (not recorded)
)

// InputKinds lists the kinds of declared input.
var InputKinds = []InputKind{InputBool, InputInt, InputEnum}

// InputDecl is one input a bundle declares besides the national vocabulary
// (R-INPUT-1, docs/rules.md#r-input-1): an area's own circumstance,
// scored item or enumeration. A case gives it under "inputs", by Name.
type InputDecl struct {
	Name        string    `json:"name"`
	Kind        InputKind `json:"kind"`
	Description string    `json:"description"`
	Source      string    `json:"source"`
	// Min and Max bound an int input (both required for one).
	Min *int64 `json:"min,omitempty"`
	Max *int64 `json:"max,omitempty"`
	// Values are the words an enum input takes.
	Values []string `json:"values,omitempty"`
}

// Default is the value the rules see when a case does not give the input:
// false, the minimum, or "" (an enum not recorded).
func (d InputDecl) Default() InputValue {
	switch d.Kind {
	case InputBool:
		return BoolInput(false)
	case InputInt:
		if d.Min != nil {
			return IntInput(*d.Min)
		}
		return IntInput(0)
	}
	return WordInput("")
}

// NationalNames lists the names of the national vocabulary that a declared
// input may not take (R-INPUT-1): every circumstance and every fact about
// the person.
var NationalNames = slices.Concat(CircumstanceNames, []string{
	"id", "nhs_number", "date_of_birth", "learning_disability", "autism", "awaiting_diagnosis", "ehcp",
	"lacks_capacity", "gillick_competent", "local_authority", "known_to_keyworker", "known_to_services", "postcode",
	"age", "sixteenth", "eighteenth",
})

// MaxInputNameLength bounds a declared input's name.
const MaxInputNameLength = 64

// Check checks the declaration on its own: a name of lower-case letters,
// digits and underscores starting with a letter that is no national name,
// a known kind, a description and a source, Min ≤ Max for an int (and no
// values), distinct non-empty words for an enum (and no bounds). The error
// names the input.
func (d InputDecl) Check() error {
	if !inputName(d.Name) {
		return fmt.Errorf("input %q: a name is 1 to %d lower-case letters, digits or _, starting with a letter", d.Name, MaxInputNameLength)
	}
	if slices.Contains(NationalNames, d.Name) {
		return fmt.Errorf("input %s: %s is a national name and cannot be redefined (R-INPUT-1)", d.Name, d.Name)
	}
	if strings.TrimSpace(d.Description) == "" {
		return fmt.Errorf("input %s: a description is required", d.Name)
	}
	if strings.TrimSpace(d.Source) == "" {
		return fmt.Errorf("input %s: a source is required", d.Name)
	}
	switch d.Kind {
	case InputBool:
		if d.Min != nil || d.Max != nil || d.Values != nil {
			return fmt.Errorf("input %s: a bool input has no min, max or values", d.Name)
		}
	case InputInt:
		if d.Min == nil || d.Max == nil {
			return fmt.Errorf("input %s: an int input needs min and max", d.Name)
		}
		if *d.Min > *d.Max {
			return fmt.Errorf("input %s: min %d is above max %d", d.Name, *d.Min, *d.Max)
		}
		if d.Values != nil {
			return fmt.Errorf("input %s: an int input has no values", d.Name)
		}
	case InputEnum:
		if len(d.Values) == 0 {
			return fmt.Errorf("input %s: an enum input needs values", d.Name)
		}
		if d.Min != nil || d.Max != nil {
			return fmt.Errorf("input %s: an enum input has no min or max", d.Name)
		}
		for i, v := range d.Values {
			if v == "" || strings.TrimSpace(v) != v || len(v) > MaxInputNameLength {
				return fmt.Errorf("input %s: value %q is not a word", d.Name, v)
			}
			if slices.Contains(d.Values[:i], v) {
				return fmt.Errorf("input %s: value %q given twice", d.Name, v)
			}
		}
	default:
		return fmt.Errorf("input %s: unknown kind %q (want bool, int or enum)", d.Name, d.Kind)
	}
	return nil
}

func inputName(s string) bool {
	if s == "" || len(s) > MaxInputNameLength || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// InputValue is the value a case gives a declared input: true or false, a
// whole number, or a word. In JSON it is the bare value. The zero
// InputValue is no value (JSON null), which no declaration accepts.
type InputValue struct {
	kind InputKind
	n    int64
	s    string
}

// BoolInput, IntInput and WordInput make input values.
func BoolInput(b bool) InputValue {
	if b {
		return InputValue{kind: InputBool, n: 1}
	}
	return InputValue{kind: InputBool}
}

// IntInput is a whole-number input value.
func IntInput(n int64) InputValue { return InputValue{kind: InputInt, n: n} }

// WordInput is an enum input value.
func WordInput(s string) InputValue { return InputValue{kind: InputEnum, s: s} }

// Kind is the kind of value: bool, int or enum; "" for no value.
func (v InputValue) Kind() InputKind { return v.kind }

// Bool is the value as a boolean, if it is one.
func (v InputValue) Bool() (bool, bool) { return v.n != 0, v.kind == InputBool }

// Int is the value as a whole number, if it is one.
func (v InputValue) Int() (int64, bool) { return v.n, v.kind == InputInt }

// Word is the value as a word, if it is one.
func (v InputValue) Word() (string, bool) { return v.s, v.kind == InputEnum }

// String is the value as JSON writes it.
func (v InputValue) String() string {
	b, _ := v.MarshalJSON()
	return string(b)
}

// MarshalJSON writes the bare value (null for no value).
func (v InputValue) MarshalJSON() ([]byte, error) {
	switch v.kind {
	case InputBool:
		return strconv.AppendBool(nil, v.n != 0), nil
	case InputInt:
		return strconv.AppendInt(nil, v.n, 10), nil
	case InputEnum:
		return json.Marshal(v.s)
	}
	return []byte("null"), nil
}

var errInputValue = errors.New("want true or false, a whole number or a string")

// UnmarshalJSON reads true, false, a whole number or a string.
func (v *InputValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return errInputValue
	case string(b) == "true" || string(b) == "false":
		*v = BoolInput(string(b) == "true")
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = WordInput(s)
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return errInputValue
		}
		*v = IntInput(n)
	case string(b) == "null":
		*v = InputValue{}
	default:
		return errInputValue
	}
	return nil
}

// errProblem stands for a problem checkInput does not describe.
var errProblem = &ValidationError{Problem: "invalid"}

// inputRule is the rule every declared-input error cites.
const inputRule = "R-INPUT-1"

// ValidateInputs checks a case's inputs against the declarations of the
// bundle that assesses it (R-INPUT-1): every name given must be declared,
// and each value of its declared kind and within its range or values.
// Every problem is a *ValidationError naming the field ("inputs.self_harm")
// and citing R-INPUT-1; several come back joined, in name order.
func ValidateInputs(decls []InputDecl, inputs map[string]InputValue) error {
	if len(inputs) == 0 {
		return nil
	}
	// The common case, every input valid, allocates nothing: the names
	// are sorted and the fields named only when something is wrong.
	valid := true
	for name, v := range inputs {
		i := declIndex(decls, name)
		if i < 0 || checkInput("", decls[i], v) != nil {
			valid = false
			break
		}
	}
	if valid {
		return nil
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		v := inputs[name]
		field := "inputs." + name
		i := declIndex(decls, name)
		if i < 0 {
			if len(decls) == 0 {
				errs = append(errs, invalid(field, inputRule, "unknown input: the bundle declares none"))
			} else {
				errs = append(errs, invalid(field, inputRule, "unknown input (the bundle declares %s)", strings.Join(InputNames(decls), ", ")))
			}
			continue
		}
		if e := checkInput(field, decls[i], v); e != nil {
			errs = append(errs, e)
		}
	}
	return errors.Join(errs...)
}

func declIndex(decls []InputDecl, name string) int {
	for i := range decls {
		if decls[i].Name == name {
			return i
		}
	}
	return -1
}

// checkInput checks v against d; with field "" it only reports whether
// there is a problem, without describing it (allocation-free, for the
// common case).
func checkInput(field string, d InputDecl, v InputValue) *ValidationError {
	if field == "" {
		ok := v.kind == d.Kind
		switch {
		case !ok:
		case d.Kind == InputInt:
			ok = (d.Min == nil || v.n >= *d.Min) && (d.Max == nil || v.n <= *d.Max)
		case d.Kind == InputEnum:
			ok = slices.Contains(d.Values, v.s)
		}
		if ok {
			return nil
		}
		return errProblem
	}
	if v.kind != d.Kind {
		return invalid(field, inputRule, "want %s, got %s", kindWant(d), kindGot(v))
	}
	switch d.Kind {
	case InputInt:
		if d.Min != nil && v.n < *d.Min {
			return invalid(field, inputRule, "%d is below the minimum %d", v.n, *d.Min)
		}
		if d.Max != nil && v.n > *d.Max {
			return invalid(field, inputRule, "%d is above the maximum %d", v.n, *d.Max)
		}
	case InputEnum:
		if !slices.Contains(d.Values, v.s) {
			return invalid(field, inputRule, "unknown value %q (want one of %s)", v.s, strings.Join(d.Values, ", "))
		}
	}
	return nil
}

func kindWant(d InputDecl) string {
	switch d.Kind {
	case InputBool:
		return "true or false"
	case InputInt:
		return fmt.Sprintf("a whole number from %d to %d", *d.Min, *d.Max)
	}
	return "one of " + strings.Join(d.Values, ", ")
}

func kindGot(v InputValue) string {
	switch v.kind {
	case InputBool:
		return v.String() + " (a boolean)"
	case InputInt:
		return "the number " + v.String()
	case InputEnum:
		return "the string " + v.String()
	}
	return "null"
}

// InputNames lists the declarations' names, in order.
func InputNames(decls []InputDecl) []string {
	names := make([]string, len(decls))
	for i, d := range decls {
		names[i] = d.Name
	}
	return names
}
