package cel

import (
	"fmt"
	"maps"
	"reflect"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"

	"github.com/dsrkit/dsrkit/dsr"
)

// A bundle's declared inputs (R-INPUT-1) reach CEL as the variable inputs,
// of an object type made for the bundle (dsr.Inputs) with one typed field
// per input: bool, int or string. The checker therefore type-checks a rule
// that reads them (inputs.self_harm > 2 is an int comparison; an undeclared
// inputs.nope, or inputs.self_harm == true, fails at load). The type is a Go
// struct built at load (reflect.StructOf), registered as a native type and
// read through the same views as the national input (celinput.go).

const celInputsType = celPkg + "Inputs"

// celDeclared is the bundle's declared inputs as CEL sees them.
type celDeclared struct {
	decls []dsr.InputDecl
	goTyp reflect.Type
	obj   *celObjectType
}

// newCELDeclared describes the declarations; nil when there are none.
func newCELDeclared(decls []dsr.InputDecl) *celDeclared {
	if len(decls) == 0 {
		return nil
	}
	fields := make([]reflect.StructField, len(decls))
	for i, d := range decls {
		var t reflect.Type
		switch d.Kind {
		case dsr.InputBool:
			t = reflect.TypeFor[bool]()
		case dsr.InputInt:
			t = reflect.TypeFor[int64]()
		default:
			t = reflect.TypeFor[string]()
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: t, Tag: reflect.StructTag(`cel:"` + d.Name + `"`)}
	}
	t := reflect.StructOf(fields)
	obj, err := newCELObjectType(celInputsType, t, nil)
	if err != nil {
		panic(err) // only bool, int64 and string fields: cannot fail
	}
	return &celDeclared{decls: decls, goTyp: t, obj: obj}
}

// declare registers the inputs' type with reg and returns the object views
// with it and the variable's declaration.
func (d *celDeclared) declare(reg *types.Registry) (map[string]*celObjectType, []cel.EnvOption, error) {
	if err := reg.RegisterNativeType(d.goTyp, types.NativeTypeAlias(celInputsType), types.ParseStructTags(true)); err != nil {
		return nil, nil, err
	}
	objects := maps.Clone(celObjectTypes)
	objects[celInputsType] = d.obj
	return objects, []cel.EnvOption{cel.Variable("inputs", cel.ObjectType(celInputsType))}, nil
}

// value is one case's inputs: the value given (validated by the facade)
// or the declaration's default, for every declared input.
func (d *celDeclared) value(arena *celArena, given map[string]dsr.InputValue) ref.Val {
	v := reflect.New(d.goTyp).Elem()
	for i, decl := range d.decls {
		in, ok := given[decl.Name]
		if !ok {
			in = decl.Default()
		}
		f := v.Field(i)
		switch decl.Kind {
		case dsr.InputBool:
			b, _ := in.Bool()
			f.SetBool(b)
		case dsr.InputInt:
			n, _ := in.Int()
			f.SetInt(n)
		default:
			s, _ := in.Word()
			f.SetString(s)
		}
	}
	return arena.object(d.obj, v)
}
