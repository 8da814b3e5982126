package bundle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
)

// Override is one parameter set by the host (policies.WithParam): its
// value is merged into the bundle's parameter of the same name.
type Override struct {
	Name  string
	Value any
}

// ParamError is an unknown parameter, a value of the wrong type, or a
// deadline without a valid unit.
type ParamError struct {
	File    string // the parameters file, or "option" for WithParam
	Param   string // dotted path, e.g. review_cadence.red.unit
	Problem string
}

func (e *ParamError) Error() string {
	return fmt.Sprintf("%s: parameter %s: %s", e.File, e.Param, e.Problem)
}

// Is makes a ParamError match ErrBadParam and ErrBadBundle.
func (e *ParamError) Is(target error) bool { return target == ErrBadParam || target == ErrBadBundle }

// normalise round-trips v through JSON so every number is a json.Number and
// every object a map[string]any.
func normalise(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	err = dec.Decode(&out)
	return out, err
}

// ApplyOverrides returns the bundle's parameters with the overrides merged in.
func ApplyOverrides(file string, base map[string]any, overrides []Override) (map[string]any, error) {
	params := DeepCopy(base).(map[string]any)
	for _, o := range overrides {
		old, ok := params[o.Name]
		if !ok {
			return nil, &ParamError{File: "option", Param: o.Name, Problem: fmt.Sprintf("unknown parameter (the bundle's %s has %s)", file, strings.Join(slices.Sorted(maps.Keys(base)), ", "))}
		}
		v, err := normalise(o.Value)
		if err != nil {
			return nil, &ParamError{File: "option", Param: o.Name, Problem: fmt.Sprintf("value does not marshal to JSON: %v", err)}
		}
		merged, err := merge(o.Name, old, v)
		if err != nil {
			return nil, err
		}
		params[o.Name] = merged
	}
	return params, nil
}

// merge overlays v on old, checking that v has old's shape.
func merge(path string, old, v any) (any, error) {
	if old == nil || v == nil {
		// A null default takes any value (age_max, trigger_review); a null
		// override switches a rule off where the rule allows it.
		return v, nil
	}
	if kindOf(old) != kindOf(v) {
		return nil, &ParamError{File: "option", Param: path, Problem: fmt.Sprintf("want %s, got %s", kindOf(old), kindOf(v))}
	}
	om, ok := old.(map[string]any)
	if !ok {
		return v, nil
	}
	vm := v.(map[string]any)
	out := DeepCopy(om).(map[string]any)
	for k, val := range vm {
		prev, ok := om[k]
		if !ok {
			return nil, &ParamError{File: "option", Param: path + "." + k, Problem: fmt.Sprintf("unknown key (want one of %s)", strings.Join(slices.Sorted(maps.Keys(om)), ", "))}
		}
		m, err := merge(path+"."+k, prev, val)
		if err != nil {
			return nil, err
		}
		out[k] = m
	}
	return out, nil
}

func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func DeepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = DeepCopy(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = DeepCopy(e)
		}
		return s
	}
	return v
}

// CheckDeadlines walks the parameters: every object with an "n" or a "unit"
// is a deadline and must have both, a known unit and a whole n ≥ 0.
func CheckDeadlines(file string, params map[string]any) error {
	keys := slices.Sorted(maps.Keys(params))
	for _, k := range keys {
		if err := checkDeadline(file, k, params[k]); err != nil {
			return err
		}
	}
	return nil
}

func checkDeadline(file, path string, v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	n, hasN := m["n"]
	u, hasU := m["unit"]
	if !hasN && !hasU {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := checkDeadline(file, path+"."+k, m[k]); err != nil {
				return err
			}
		}
		return nil
	}
	if !hasU {
		return &ParamError{File: file, Param: path, Problem: "a deadline needs a unit (R-TIME: e.g. {\"n\": 10, \"unit\": \"working_days\"})"}
	}
	unit, _ := u.(string)
	num, ok := n.(json.Number)
	if !ok {
		return &ParamError{File: file, Param: path + ".n", Problem: "want a whole number"}
	}
	i, err := num.Int64()
	if err != nil {
		return &ParamError{File: file, Param: path + ".n", Problem: fmt.Sprintf("want a whole number, got %s", num)}
	}
	if err := (calendar.Deadline{N: int(i), Unit: calendar.Unit(unit)}).Validate(); err != nil {
		return &ParamError{File: file, Param: path, Problem: err.Error()}
	}
	if len(m) != 2 {
		return &ParamError{File: file, Param: path, Problem: "a deadline has only n and unit"}
	}
	return nil
}

// TypedParams returns the parameters as the rules see them: those the
// manifest types as "date" turn from ISO dates into day numbers (null stays
// null). A value that is not a date is a *ParamError.
func TypedParams(types map[string]string, params map[string]any) (map[string]any, error) {
	if len(types) == 0 {
		return params, nil
	}
	out := maps.Clone(params)
	for _, name := range slices.Sorted(maps.Keys(types)) {
		switch t := types[name]; t {
		case "date":
			v, ok := out[name]
			if !ok {
				return nil, &ParamError{File: ManifestFile, Param: name, Problem: "param_types names a parameter the bundle does not define"}
			}
			if v == nil {
				continue
			}
			s, ok := v.(string)
			if !ok {
				return nil, &ParamError{File: "option", Param: name, Problem: fmt.Sprintf("want a date (YYYY-MM-DD), got %s", kindOf(v))}
			}
			d, err := calendar.ParseDate(s)
			if err != nil {
				return nil, &ParamError{File: "option", Param: name, Problem: err.Error()}
			}
			out[name] = json.Number(fmt.Sprint(d.Days()))
		default:
			return nil, &ParamError{File: ManifestFile, Param: name, Problem: fmt.Sprintf("unknown parameter type %q (want date)", t)}
		}
	}
	return out, nil
}
