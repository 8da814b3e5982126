package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ListArg is a set or list argument of a message: each element as text (a
// string as it is, anything else as its literal).
type ListArg []string

// FormatMessage fills a message from its args, the same for every engine:
// each arg is a string (%s), an int64 (%d), a bool, or a ListArg, which
// renders sorted and joined with ", ".
func FormatMessage(msg string, args []any) string {
	for i, a := range args {
		if l, ok := a.(ListArg); ok {
			slices.Sort(l)
			args[i] = strings.Join(l, ", ")
		}
	}
	return fmt.Sprintf(msg, args...)
}

// FormatMessages fills every "message" that has "args" (anywhere in v), as
// FormatMessage does for the assessment's reasons, and drops the args.
func FormatMessages(v any) error {
	switch x := v.(type) {
	case map[string]any:
		if raw, ok := x["args"]; ok {
			msg, isStr := x["message"].(string)
			list, isList := raw.([]any)
			if !isStr || !isList {
				return errors.New(`"args" needs a "message" string and must be an array`)
			}
			args := make([]any, len(list))
			for i, a := range list {
				args[i] = jsonFmtArg(a)
			}
			x["message"] = FormatMessage(msg, args)
			delete(x, "args")
		}
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if err := FormatMessages(x[k]); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := FormatMessages(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonFmtArg is a JSON value as a FormatMessage argument.
func jsonFmtArg(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		return x.String()
	case string, bool:
		return x
	case []any:
		elems := make(ListArg, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				elems[i] = s
			} else {
				elems[i] = fmt.Sprint(jsonFmtArg(e))
			}
		}
		return elems
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return strings.TrimSpace(string(b))
}

// DecodeDecision reads a decision (as Program.Decide returns it, messages
// formatted) into out, strictly: a field out does not have is a broken
// contract.
func DecodeDecision(point string, m map[string]any, out any) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return PointError(point, "%v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		return PointError(point, "%v", err)
	}
	return nil
}
