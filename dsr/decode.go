package dsr

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dsrkit/dsrkit/calendar"
)

// checkJSON walks the JSON document data alongside the Go type t it is about
// to be decoded into, and returns every problem it finds, joined, each a
// *ValidationError naming the field by its JSON path ("person.autism",
// "events[2].rating", "$" for the document itself). It reports what
// encoding/json would reject (wrong JSON types, unknown fields, text that a
// field's UnmarshalText or UnmarshalJSON rejects, malformed JSON, trailing
// data) and, stricter than encoding/json, keys that match a field only when
// case is ignored ("AS_OF") and keys given twice in one object. Null leaves a
// field at its zero value, as encoding/json does.
func checkJSON(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	c := &jsonChecker{dec: dec, data: data}
	if err := c.value(t, "$"); err != nil {
		if errors.Is(err, io.EOF) && len(bytes.TrimSpace(data)) > 0 {
			err = io.ErrUnexpectedEOF // the document stopped part way
		}
		c.errs = append(c.errs, syntaxProblem(err))
		return errors.Join(c.errs...)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		c.errs = append(c.errs, invalid("$", "", "trailing data after the JSON value"))
	}
	return errors.Join(c.errs...)
}

type jsonChecker struct {
	dec  *json.Decoder
	data []byte
	errs []error
}

// token reads the next token and refuses a string (key or value) whose
// bytes are not valid UTF-8: encoding/json would silently replace them with
// U+FFFD.
func (c *jsonChecker) token(path string) (json.Token, error) {
	start := c.dec.InputOffset()
	tok, err := c.dec.Token()
	if err != nil {
		return tok, err
	}
	if _, ok := tok.(string); ok && !utf8.Valid(c.data[start:c.dec.InputOffset()]) {
		c.errs = append(c.errs, invalid(path, "", "text is not valid UTF-8"))
	}
	return tok, nil
}

// syntaxProblem describes a failure to read the JSON text itself.
func syntaxProblem(err error) *ValidationError {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return invalid("$", "", "malformed JSON at byte %d: %v", se.Offset, se)
	case errors.Is(err, io.EOF):
		return invalid("$", "", "empty input, want a case object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("$", "", "truncated JSON")
	}
	return invalid("$", "", "malformed JSON: %v", err)
}

// fieldPath joins a JSON path and a member name; members of the document
// itself are named bare ("as_of", not "$.as_of"), as Validate names them. A
// name that is not a plain word is quoted: person["date of birth"], $[""].
func fieldPath(path, name string) string {
	plain := name != ""
	for _, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return path + "[" + strconv.Quote(name) + "]"
	case path == "$":
		return name
	}
	return path + "." + name
}

var (
	timeType            = reflect.TypeFor[time.Time]()
	dateType            = reflect.TypeFor[calendar.Date]()
	nhsType             = reflect.TypeFor[NHSNumber]()
	ratingType          = reflect.TypeFor[Rating]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	inputValueType      = reflect.TypeFor[InputValue]()
)

// value reads one JSON value of Go type t at path. It returns an error only
// when the JSON text cannot be read further; problems with the value are
// collected in c.errs.
func (c *jsonChecker) value(t reflect.Type, path string) error {
	tok, err := c.token(path)
	if err != nil {
		return err
	}
	if tok == nil {
		if path == "$" { // a null document would decode to the zero value
			c.errs = append(c.errs, invalid(path, "", "null, want %s", want(t)))
		}
		return nil // null leaves the zero value
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pt := reflect.PointerTo(t)
	switch {
	case t == inputValueType:
		if _, ok := tok.(json.Delim); ok {
			c.errs = append(c.errs, invalid(path, "", "want %s, got %s", want(t), got(tok)))
			return c.skipAt(tok, path)
		}
		raw, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		if err := new(InputValue).UnmarshalJSON(raw); err != nil {
			c.errs = append(c.errs, invalid(path, "", "want %s, got %s", want(t), got(tok)))
		}
		return nil
	case pt.Implements(jsonUnmarshalerType):
		if _, ok := tok.(json.Delim); ok {
			return c.skipAt(tok, path) // encoding/json will judge it
		}
		raw, err := json.Marshal(tok)
		if err != nil {
			return err
		}
		if err := reflect.New(t).Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			c.errs = append(c.errs, invalid(path, "", "want %s, got %s", want(t), got(tok)))
		}
		return nil
	case pt.Implements(textUnmarshalerType):
		s, ok := tok.(string)
		if !ok {
			c.errs = append(c.errs, invalid(path, "", "want %s, got %s", want(t), got(tok)))
			return c.skipAt(tok, path)
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			c.errs = append(c.errs, invalid(path, "", "%s", textProblem(err)))
		}
		return nil
	}
	ok := true
	switch t.Kind() {
	case reflect.Struct:
		if tok != json.Delim('{') {
			ok = false
			break
		}
		return c.object(t, path)
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			break // encoding/json judges other keys
		}
		if tok != json.Delim('{') {
			ok = false
			break
		}
		return c.mapObject(t, path)
	case reflect.Slice, reflect.Array:
		if tok != json.Delim('[') {
			ok = false
			break
		}
		for i := 0; c.dec.More(); i++ {
			if err := c.value(t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		_, err := c.dec.Token() // ']'
		return err
	case reflect.Bool:
		_, ok = tok.(bool)
	case reflect.String:
		_, ok = tok.(string)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, isNum := tok.(json.Number)
		_, err := strconv.ParseInt(string(n), 10, t.Bits())
		ok = isNum && err == nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, isNum := tok.(json.Number)
		_, err := strconv.ParseUint(string(n), 10, t.Bits())
		ok = isNum && err == nil
	case reflect.Float32, reflect.Float64:
		n, isNum := tok.(json.Number)
		_, err := strconv.ParseFloat(string(n), t.Bits())
		ok = isNum && err == nil
	default: // interfaces: encoding/json judges them
	}
	if !ok {
		c.errs = append(c.errs, invalid(path, "", "want %s, got %s", want(t), got(tok)))
	}
	return c.skipAt(tok, path)
}

// mapObject reads the members of a JSON object (after its '{') into map
// type t (string keys).
func (c *jsonChecker) mapObject(t reflect.Type, path string) error {
	return c.members(path, func(p string) error { return c.value(t.Elem(), p) })
}

// members reads the members of a JSON object at path (after its '{', up to
// and including its '}'), refusing a key given twice, and reads each
// member's value with read, at the member's path.
func (c *jsonChecker) members(path string, read func(p string) error) error {
	seen := map[string]bool{}
	for c.dec.More() {
		tok, err := c.token(path)
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		p := fieldPath(path, key)
		if seen[key] {
			c.errs = append(c.errs, invalid(p, "", "given twice"))
		}
		seen[key] = true
		if err := read(p); err != nil {
			return err
		}
	}
	_, err := c.dec.Token() // '}'
	return err
}

// object reads the members of a JSON object (after its '{') into struct t.
func (c *jsonChecker) object(t reflect.Type, path string) error {
	fields := jsonFields(t)
	seen := make(map[string]bool, len(fields))
	for c.dec.More() {
		tok, err := c.token(path)
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		p := fieldPath(path, key)
		ft, known := fields[key]
		switch {
		case !known:
			problem := "unknown field"
			for name := range fields {
				if strings.EqualFold(name, key) {
					problem = fmt.Sprintf("unknown field (names are lower case: did you mean %q?)", name)
				}
			}
			c.errs = append(c.errs, invalid(p, "", "%s", problem))
			tok, err := c.token(p)
			if err != nil {
				return err
			}
			if err := c.skipAt(tok, p); err != nil {
				return err
			}
			continue
		case seen[key]:
			c.errs = append(c.errs, invalid(p, "", "given twice"))
		}
		seen[key] = true
		if err := c.value(ft, p); err != nil {
			return err
		}
	}
	_, err := c.dec.Token() // '}'
	return err
}

// skipAt reads the rest of a value at path whose first token was tok,
// whatever its shape, still refusing keys given twice in one object and
// text that is not valid UTF-8 at any depth.
func (c *jsonChecker) skipAt(tok json.Token, path string) error {
	switch tok {
	case json.Delim('{'):
		return c.members(path, func(p string) error {
			v, err := c.token(p)
			if err != nil {
				return err
			}
			return c.skipAt(v, p)
		})
	case json.Delim('['):
		for i := 0; c.dec.More(); i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			v, err := c.token(p)
			if err != nil {
				return err
			}
			if err := c.skipAt(v, p); err != nil {
				return err
			}
		}
		_, err := c.dec.Token() // ']'
		return err
	}
	return nil
}

var jsonFieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields maps the JSON names of struct t's fields to their types, as
// encoding/json names them (the json tag's name, else the Go name), with
// the fields of embedded structs promoted unless an outer field has the name.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if m, ok := jsonFieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := make(map[string]reflect.Type, t.NumField())
	var promoted []map[string]reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if tag == "-" {
			continue
		}
		if ft := f.Type; f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				promoted = append(promoted, jsonFields(ft))
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	for _, p := range promoted {
		for name, ft := range p {
			if _, ok := m[name]; !ok {
				m[name] = ft
			}
		}
	}
	jsonFieldCache.Store(t, m)
	return m
}

// want describes the JSON a Go type takes.
func want(t reflect.Type) string {
	switch t {
	case timeType:
		return "an RFC 3339 instant as a string (such as 2026-03-30T14:00:00+01:00)"
	case dateType:
		return "a date as a string (YYYY-MM-DD)"
	case nhsType:
		return "an NHS number as a string of 10 digits"
	case ratingType:
		return "a rating as a string (red, amber, green or blue)"
	case inputValueType:
		return "true or false, a whole number or a string"
	}
	if reflect.PointerTo(t).Implements(textUnmarshalerType) {
		return "a string"
	}
	switch t.Kind() {
	case reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return fmt.Sprintf("a whole number that fits %s", t.Kind())
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// got describes a JSON token, quoting short strings.
func got(tok json.Token) string {
	switch v := tok.(type) {
	case string:
		if len(v) > 40 {
			return "a string"
		}
		return fmt.Sprintf("the string %q", v)
	case json.Number:
		return "the number " + string(v)
	case bool:
		return strconv.FormatBool(v) + " (a boolean)"
	case json.Delim:
		if v == '[' {
			return "an array"
		}
		return "an object"
	}
	return "null"
}

// textProblem turns an UnmarshalText error into plain words, dropping the
// package prefixes and sentinels that a field name makes redundant.
func textProblem(err error) string {
	msg := err.Error()
	msg = strings.TrimSuffix(msg, ": "+calendar.ErrBadDate.Error())
	msg = strings.TrimPrefix(msg, ErrInvalid.Error()+": ")
	msg = strings.TrimPrefix(msg, "calendar: ")
	return msg
}
