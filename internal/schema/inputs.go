package schema

import (
	"fmt"
	"reflect"
	"strings"

	invopop "github.com/invopop/jsonschema"
)

// Input is one command's JSON input, for Inputs.
type Input struct {
	// Name names the input (a command: "plan", "hold"); Type is the Go
	// type its JSON decodes into. With Many, the command also takes an
	// array of them.
	Name string
	Type reflect.Type
	Many bool
}

// Inputs returns one schema for the inputs of a group of commands: each
// input's schema under $defs by its name, and the document valid when any
// of them is. Types are reflected as Case's are (unknown fields refused,
// the dsrkit mappings), nothing required: the commands' own checks say
// what is missing, naming the field.
func Inputs(title, description string, inputs []Input) *invopop.Schema {
	root := &invopop.Schema{Version: invopop.Version, Title: title, Description: description, Definitions: invopop.Definitions{}}
	for _, in := range inputs {
		s := reflectType(in.Type, true)
		for name, def := range s.Definitions {
			if prev, ok := root.Definitions[name]; ok && prev != def && !sameSchema(prev, def) {
				panic(fmt.Sprintf("schema: two types named %s among the inputs of %s", name, title))
			}
			root.Definitions[name] = def
		}
		s.Definitions, s.Version, s.ID = nil, "", ""
		s.Title = in.Name
		one := s
		if in.Many {
			one = &invopop.Schema{Title: in.Name, OneOf: []*invopop.Schema{s, {Type: "array", Items: s, MinItems: ptr(uint64(1))}}}
		}
		root.Definitions[in.Name] = one
		root.AnyOf = append(root.AnyOf, &invopop.Schema{Ref: "#/$defs/" + in.Name})
	}
	return root
}

func ptr[T any](v T) *T { return &v }

func sameSchema(a, b *invopop.Schema) bool {
	x, err1 := a.MarshalJSON()
	y, err2 := b.MarshalJSON()
	return err1 == nil && err2 == nil && strings.EqualFold(string(x), string(y))
}
