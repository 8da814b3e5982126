// Package schema generates the JSON Schemas of the case and the assessment
// from the Go types in package dsr, and validates raw case JSON against the
// case schema before it is decoded.
//
// The schemas are what `dsr schema case|assessment` prints. They are
// generated with github.com/invopop/jsonschema from the json and jsonschema
// tags on dsr.Case and dsr.Assessment, with these types mapped by hand:
// calendar.Date is {"type":"string","format":"date"}, dsr.Rating a string
// enum, dsr.NHSNumber ten digits, optionally grouped 3-3-4 with a space or
// hyphen (as dsr.ParseNHSNumber reads them), dsr.EventType and dsr.ActionKind
// string enums, and time.Time {"type":"string","format":"date-time"}.
//
// The case schema rejects unknown fields (additionalProperties is false
// everywhere) and requires as_of, person, person.id, person.date_of_birth and
// each event's type; events may be null, as encoding/json writes a Case with
// no events. It checks the shape of the input only: the domain checks
// (the NHS number's Modulus 11 check digit, a date of birth on or before
// as_of, a history that does not contradict itself) are dsr.DecodeCase's.
package schema

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	invopop "github.com/invopop/jsonschema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// Names lists the schemas Generate knows, in the order `dsr schema` shows them.
var Names = []string{"case", "assessment"}

// Case returns the JSON Schema of dsr.Case. Each call builds a new schema
// that the caller may change.
func Case() *invopop.Schema {
	s := reflectType(reflect.TypeFor[dsr.Case](), true)
	s.Title = "dsrkit case"
	s.Description = "What a host system knows about one person on one date: the input to an assessment."
	// Required fields are set here, not from the json tags: circumstances
	// and events may be left out (every circumstance defaults to false).
	s.Required = []string{"as_of", "person"}
	s.Definitions["Person"].Required = []string{"id", "date_of_birth"}
	s.Definitions["Event"].Required = []string{"type"}
	// dsr.Case.Events has no omitempty, so a Case built in Go with no
	// events marshals as "events": null; DecodeCase reads that as no
	// events, and so does the schema.
	if ev, ok := s.Properties.Get("events"); ok && ev.Type == "array" {
		ev.Type = ""
		ev.Extras = map[string]any{"type": []string{"array", "null"}}
	}
	return s
}

// CaseFor returns the JSON Schema of a case for a bundle that declares
// inputs (R-INPUT-1, policies.Engine.Inputs): Case's, with "inputs" an
// object of exactly the declared inputs, each with its kind, range or
// values, description and source. With no declarations, "inputs" takes
// no member.
func CaseFor(decls []dsr.InputDecl) *invopop.Schema {
	s := Case()
	in, ok := s.Properties.Get("inputs")
	if !ok {
		panic("schema: dsr.Case has no inputs") // a programming error
	}
	props := invopop.NewProperties()
	for _, d := range decls {
		p := &invopop.Schema{Description: d.Description, Comments: "source: " + d.Source}
		switch d.Kind {
		case dsr.InputBool:
			p.Type = "boolean"
		case dsr.InputInt:
			p.Type = "integer"
			if d.Min != nil {
				p.Minimum = json.Number(strconv.FormatInt(*d.Min, 10))
			}
			if d.Max != nil {
				p.Maximum = json.Number(strconv.FormatInt(*d.Max, 10))
			}
		case dsr.InputEnum:
			p.Type = "string"
			for _, v := range d.Values {
				p.Enum = append(p.Enum, v)
			}
		}
		props.Set(d.Name, p)
	}
	*in = invopop.Schema{
		Type:                 "object",
		Description:          in.Description,
		Properties:           props,
		AdditionalProperties: invopop.FalseSchema,
	}
	return s
}

// Assessment returns the JSON Schema of dsr.Assessment. A field is required
// when its json tag has neither omitempty nor omitzero, so the schema
// describes what Engine.Assess always writes.
func Assessment() *invopop.Schema {
	s := reflectType(reflect.TypeFor[dsr.Assessment](), false)
	s.Title = "dsrkit assessment"
	s.Description = "What the rules decide about one case."
	return s
}

// Generate returns the schema named name ("case" or "assessment").
func Generate(name string) (*invopop.Schema, error) {
	switch name {
	case "case":
		return Case(), nil
	case "assessment":
		return Assessment(), nil
	}
	return nil, fmt.Errorf("schema: unknown schema %q (want %s)", name, strings.Join(Names, " or "))
}

// Marshal returns s as indented JSON ending in a newline.
func Marshal(s *invopop.Schema) ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return append(b, '\n'), nil
}

// reflectType reflects t with the dsrkit mappings. With requiredByHand, no
// field is required until the caller says so; otherwise a field is required
// when its json tag lacks omitempty and omitzero.
func reflectType(t reflect.Type, requiredByHand bool, textTypes ...bool) *invopop.Schema {
	// enums remembers the schemas the mapper made with an enum, and how many
	// values it gave. A field's jsonschema tag appends its own enum values
	// to the same schema (dsr.Assessment's rating fields allow "", an
	// event's rating does not); when it does, the tag's list wins.
	enums := map[*invopop.Schema]int{}
	enum := func(values ...string) *invopop.Schema {
		s := &invopop.Schema{Type: "string"}
		for _, v := range values {
			s.Enum = append(s.Enum, v)
		}
		enums[s] = len(values)
		return s
	}
	r := &invopop.Reflector{
		ExpandedStruct:             true,
		RequiredFromJSONSchemaTags: requiredByHand,
		Mapper: func(t reflect.Type) *invopop.Schema {
			switch t {
			case reflect.TypeFor[calendar.Date]():
				return &invopop.Schema{Type: "string", Format: "date"}
			case reflect.TypeFor[dsr.NHSNumber]():
				// Grouped 3-3-4 or not, as dsr.ParseNHSNumber reads it.
				return &invopop.Schema{Type: "string", Pattern: "^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$"}
			case reflect.TypeFor[dsr.Rating]():
				return enum("", dsr.Green.String(), dsr.Amber.String(), dsr.Red.String(), dsr.Blue.String())
			case reflect.TypeFor[dsr.EventType]():
				return enum(stringsOf(dsr.EventTypes)...)
			case reflect.TypeFor[dsr.ActionKind]():
				return enum(stringsOf(dsr.ActionKinds)...)
			case reflect.TypeFor[dsr.InputValue]():
				// A declared input's value (R-INPUT-1): CaseFor gives each
				// input its own kind and range.
				return &invopop.Schema{OneOf: []*invopop.Schema{{Type: "boolean"}, {Type: "integer"}, {Type: "string"}}}
			}
			// A type that writes itself as text (a bluelight.Role, a
			// cetr.KLOE) is a string in JSON, whatever its Go kind.
			if tm := reflect.TypeFor[encoding.TextMarshaler](); t != reflect.TypeFor[time.Time]() && (t.Implements(tm) || reflect.PointerTo(t).Implements(tm)) {
				return &invopop.Schema{Type: "string"}
			}
			if len(textTypes) > 0 && textTypes[0] {
				if s := textSchema(t); s != nil {
					return s
				}
			}
			return nil // time.Time is built in: {"type":"string","format":"date-time"}
		},
	}
	s := r.ReflectFromType(t)
	for e, n := range enums {
		if len(e.Enum) > n {
			e.Enum = e.Enum[n:]
		}
	}
	return s
}

func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// Validator checks raw JSON against a compiled schema. It is safe for
// concurrent use.
type Validator struct {
	schema *jsonschema.Schema
}

// NewValidator compiles s (formats such as date and date-time are asserted,
// not just annotations).
func NewValidator(s *invopop.Schema) (*Validator, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return Compile(b)
}

// Compile compiles a JSON Schema document, such as `dsr schema case`
// prints, as NewValidator does.
func Compile(schemaJSON []byte) (*Validator, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaJSON))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	url := "urn:dsrkit:schema"
	if m, ok := doc.(map[string]any); ok {
		if id, ok := m["$id"].(string); ok && id != "" {
			url = id
		}
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	compiled, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return &Validator{schema: compiled}, nil
}

var caseValidator = sync.OnceValues(func() (*Validator, error) { return NewValidator(Case()) })

// ValidateCase checks raw case JSON against the case schema, compiled once.
// It returns nil, or every problem joined with errors.Join, each a
// *dsr.ValidationError naming the field ("person.nhs_number",
// "events[2].type") and matching dsr.ErrInvalid.
func ValidateCase(raw []byte) error {
	v, err := caseValidator()
	if err != nil {
		return err
	}
	return v.Validate(raw)
}

// Validate checks raw JSON against the schema. Malformed JSON is one
// problem at "$". Problems are as for ValidateCase.
func (v *Validator) Validate(raw []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return &dsr.ValidationError{Field: "$", Problem: fmt.Sprintf("malformed JSON at byte %d: %v", se.Offset, se)}
		}
		if errors.Is(err, io.EOF) {
			return &dsr.ValidationError{Field: "$", Problem: "empty input, want a JSON object"}
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return &dsr.ValidationError{Field: "$", Problem: "truncated JSON"}
		}
		return &dsr.ValidationError{Field: "$", Problem: "malformed JSON: " + err.Error()}
	}
	err = v.schema.Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("schema: %w", err)
	}
	problems := leaves(ve, nil)
	slices.SortStableFunc(problems, func(a, b *dsr.ValidationError) int { return strings.Compare(a.Field, b.Field) })
	problems = slices.CompactFunc(problems, func(a, b *dsr.ValidationError) bool { return *a == *b })
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return errors.Join(errs...)
}

var printer = message.NewPrinter(language.English)

// leaves turns the validator's tree of errors into one ValidationError per
// failed keyword, naming the field.
func leaves(e *jsonschema.ValidationError, out []*dsr.ValidationError) []*dsr.ValidationError {
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			out = leaves(c, out)
		}
		return out
	}
	at := fieldPath(e.InstanceLocation)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			out = append(out, &dsr.ValidationError{Field: join(at, m), Problem: "required"})
		}
	case *kind.AdditionalProperties:
		for _, p := range k.Properties {
			out = append(out, &dsr.ValidationError{Field: join(at, p), Problem: "unknown field"})
		}
	case *kind.Type:
		out = append(out, &dsr.ValidationError{Field: at,
			Problem: fmt.Sprintf("want %s, got %s", strings.Join(k.Want, " or "), k.Got)})
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = jsonText(w)
		}
		out = append(out, &dsr.ValidationError{Field: at,
			Problem: fmt.Sprintf("unknown value %s (want one of %s)", jsonText(k.Got), strings.Join(want, ", "))})
	default:
		out = append(out, &dsr.ValidationError{Field: at, Problem: e.ErrorKind.LocalizedString(printer)})
	}
	return out
}

// fieldPath writes a JSON Pointer's tokens as the dotted path dsr uses:
// ["events", "2", "type"] is "events[2].type"; the root is "$". Every
// property in the case schema has a name that is not a number, so a numeric
// token is an array index.
func fieldPath(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		if _, err := strconv.Atoi(t); err == nil {
			b.WriteString("[" + t + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(segment(t))
	}
	if b.Len() == 0 {
		return "$"
	}
	return b.String()
}

// jsonText writes a JSON value compactly, strings quoted.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func join(path, name string) string {
	if path == "$" {
		return segment(name)
	}
	return path + "." + segment(name)
}

// segment quotes a property name unless it is a plain identifier, so an
// unknown field called "" or "a.b" still names something.
func segment(name string) string {
	for i, r := range name {
		if r != '_' && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (i == 0 || r < '0' || r > '9') {
			return strconv.Quote(name)
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

// Reflect returns the JSON Schema of the Go type t with the same mappings
// as Case (dates, ratings, NHS numbers, event and action kinds), every
// object closed to unknown fields and no field required unless its
// jsonschema tag says so: the shape of a request or response body of the
// HTTP service (package server), whose strict decoder and the types' own
// checks then enforce the rest. id, when given, becomes the schema's $id,
// so the schema's own "#/$defs/..." references resolve when it is
// embedded in another document (an OpenAPI document).
func Reflect(t reflect.Type, id string) *invopop.Schema {
	s := reflectType(t, true, true)
	nullable(s)
	for _, d := range s.Definitions {
		nullable(d)
	}
	if id != "" {
		s.ID = invopop.ID(id)
	}
	return s
}

// textSchema is the schema of a type other than a struct that encodes
// itself as text (encoding.TextMarshaler): a string, and for a small
// integer type (the enumerations of cetr and bluelight) the enum of the
// words its values encode to and decode from.
func textSchema(t reflect.Type) *invopop.Schema {
	if t.Kind() == reflect.Struct || t.Kind() == reflect.Pointer || !t.Implements(reflect.TypeFor[encoding.TextMarshaler]()) ||
		!reflect.PointerTo(t).Implements(reflect.TypeFor[encoding.TextUnmarshaler]()) {
		return nil
	}
	s := &invopop.Schema{Type: "string"}
	if t.Kind() != reflect.Uint8 && t.Kind() != reflect.Int8 {
		return s
	}
	for i := range 256 {
		v := reflect.New(t).Elem()
		if t.Kind() == reflect.Uint8 {
			v.SetUint(uint64(i))
		} else {
			v.SetInt(int64(int8(i)))
		}
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			continue
		}
		back := reflect.New(t)
		if back.Interface().(encoding.TextUnmarshaler).UnmarshalText(b) != nil || back.Elem().Interface() != v.Interface() {
			continue
		}
		s.Enum = append(s.Enum, string(b))
	}
	return s
}

// nullable lets every array and map property of s, at any depth, be null
// too: encoding/json writes a nil slice or map so.
func nullable(s *invopop.Schema) {
	if s == nil {
		return
	}
	if s.Properties != nil {
		for p := s.Properties.Oldest(); p != nil; p = p.Next() {
			nullable(p.Value)
			if p.Value.Type == "array" || (p.Value.Type == "object" && p.Value.AdditionalProperties != nil && p.Value.Properties == nil) {
				if p.Value.Extras == nil {
					p.Value.Extras = map[string]any{}
				}
				p.Value.Extras["type"] = []string{p.Value.Type, "null"}
				p.Value.Type = ""
			}
		}
	}
	nullable(s.Items)
	if s.AdditionalProperties != nil {
		nullable(s.AdditionalProperties)
	}
}
