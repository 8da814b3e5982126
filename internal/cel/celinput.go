package cel

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/common/types/traits"
)

// The case reaches CEL as typed objects (dsr.Person, dsr.Facts, ...). The
// checker learns their fields from the Go structs in cel.go, registered as
// cel-go native types; at run time, though, cel-go would wrap a nested
// struct in a new value on every read (facts.admission.date reads
// facts.admission afresh each time) and box every field it reads. A rule
// reads the same few fields many times over (the admission date a dozen
// times in actions.cel), so the engine gives CEL its own view of each
// struct instead: a celObject reads a field once per assessment, keeps the
// CEL value, and hands out the same nested object every time. celProvider
// wires the views into cel-go: the same types and field types as the
// native registration (so type checking is unchanged), with field getters
// that read the views.

// celObjectType is one input struct as CEL sees it.
type celObjectType struct {
	name   string
	typ    *types.Type
	goType reflect.Type
	fields map[string]*celObjectField
	order  []*celObjectField // by position in the struct
}

// celObjectField is one field of a celObjectType.
type celObjectField struct {
	name string
	slot int // position in the struct, and in celObject.vals
	kind reflect.Kind
	elem *celObjectType // a struct field, or a list of structs
}

// newCELObjectType describes Go struct type t (fields tagged `cel:"name"`),
// and nested struct types through objectTypes, named name.
func newCELObjectType(name string, t reflect.Type, byGo map[reflect.Type]*celObjectType) (*celObjectType, error) {
	ot := &celObjectType{name: name, typ: types.NewObjectType(name), goType: t, fields: map[string]*celObjectField{}}
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("cel")
		if tag == "" {
			return nil, fmt.Errorf("policies: %s.%s has no cel tag", t.Name(), sf.Name)
		}
		f := &celObjectField{name: tag, slot: i, kind: sf.Type.Kind()}
		switch f.kind {
		case reflect.Bool, reflect.Int, reflect.Int64, reflect.String:
		case reflect.Struct:
			f.elem = byGo[sf.Type]
		case reflect.Slice:
			f.elem = byGo[sf.Type.Elem()]
		}
		if (f.kind == reflect.Struct || f.kind == reflect.Slice) && f.elem == nil {
			return nil, fmt.Errorf("policies: %s.%s: no CEL type for %s", t.Name(), sf.Name, sf.Type)
		}
		if f.kind != reflect.Bool && f.kind != reflect.Int && f.kind != reflect.Int64 && f.kind != reflect.String && f.elem == nil {
			return nil, fmt.Errorf("policies: %s.%s: unsupported kind %s", t.Name(), sf.Name, f.kind)
		}
		ot.fields[tag] = f
		ot.order = append(ot.order, f)
	}
	return ot, nil
}

// celProvider is cel-go's type registry (with the input structs registered
// as native types, for the checker) whose field getters read celObjects.
type celProvider struct {
	*types.Registry
	objects map[string]*celObjectType
}

func (p *celProvider) FindStructFieldType(structType, fieldName string) (*types.FieldType, bool) {
	ft, found := p.Registry.FindStructFieldType(structType, fieldName)
	if !found {
		return ft, found
	}
	if ot := p.objects[structType]; ot != nil {
		if f := ot.fields[fieldName]; f != nil {
			// A view's field from the view; anything else (a struct a
			// rule built itself, dsr.Admission{date: 1}) as cel-go reads
			// a native struct.
			native := ft
			return &types.FieldType{
				Type: ft.Type,
				IsSet: func(target any) bool {
					if o, ok := target.(*celObject); ok {
						return !o.v.Field(f.slot).IsZero()
					}
					return native.IsSet(target)
				},
				GetFrom: func(target any) (any, error) {
					if o, ok := target.(*celObject); ok {
						return o.get(f.slot), nil
					}
					return native.GetFrom(target)
				},
			}, true
		}
	}
	return ft, found
}

// celObject is one struct of one assessment's input, as CEL reads it.
// Only one goroutine uses an assessment's input, so the cache is not
// guarded.
type celObject struct {
	t     *celObjectType
	v     reflect.Value // the struct, addressable
	vals  []ref.Val     // field values read so far, by slot
	arena *celArena
}

var (
	_ ref.Val        = (*celObject)(nil)
	_ traits.Indexer = (*celObject)(nil)
)

// get is the CEL value of field slot.
func (o *celObject) get(slot int) ref.Val {
	if v := o.vals[slot]; v != nil {
		return v
	}
	f, fv := o.t.order[slot], o.v.Field(slot)
	var v ref.Val
	switch f.kind {
	case reflect.Bool:
		v = types.Bool(fv.Bool())
	case reflect.Int, reflect.Int64:
		v = celBoxInt(fv.Int())
	case reflect.String:
		v = types.String(fv.String())
	case reflect.Struct:
		v = o.arena.object(f.elem, fv)
	case reflect.Slice:
		elems := make([]ref.Val, fv.Len())
		for i := range elems {
			elems[i] = o.arena.object(f.elem, fv.Index(i))
		}
		v = types.NewRefValList(types.DefaultTypeAdapter, elems)
	}
	o.vals[slot] = v
	return v
}

func (o *celObject) Get(key ref.Val) ref.Val {
	s, ok := key.(types.String)
	if !ok {
		return types.MaybeNoSuchOverloadErr(key)
	}
	f := o.t.fields[string(s)]
	if f == nil {
		return types.NewErr("no such field: %s", s)
	}
	return o.get(f.slot)
}

func (o *celObject) ConvertToNative(t reflect.Type) (any, error) {
	switch t {
	case o.t.goType:
		return o.v.Interface(), nil
	case reflect.PointerTo(o.t.goType):
		return o.v.Addr().Interface(), nil
	}
	return nil, fmt.Errorf("type conversion error from %s to %v", o.t.name, t)
}

func (o *celObject) ConvertToType(t ref.Type) ref.Val {
	switch {
	case t == types.TypeType:
		return o.t.typ
	case t.TypeName() == o.t.name:
		return o
	}
	return types.NewErr("type conversion error from '%s' to '%s'", o.t.name, t.TypeName())
}

func (o *celObject) Equal(other ref.Val) ref.Val {
	x, ok := other.(*celObject)
	if !ok || x.t != o.t {
		return types.False
	}
	return types.Bool(reflect.DeepEqual(o.v.Interface(), x.v.Interface()))
}

func (o *celObject) Type() ref.Type { return o.t.typ }
func (o *celObject) Value() any     { return o }

func (o *celObject) String() string {
	var b strings.Builder
	b.WriteString(o.t.name + "{")
	for i, f := range o.t.order {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %v", f.name, o.get(i))
	}
	b.WriteString("}")
	return b.String()
}

// celArena holds an assessment's objects and their field caches, so that
// the input is a handful of allocations, however many fields the rules
// read. It overflows to the heap (a long consent history).
type celArena struct {
	objs  [10]celObject
	nobj  int
	slots [72]ref.Val
	nslot int
}

func (a *celArena) object(t *celObjectType, v reflect.Value) *celObject {
	var o *celObject
	if a.nobj < len(a.objs) {
		o = &a.objs[a.nobj]
		a.nobj++
	} else {
		o = new(celObject)
	}
	n := len(t.order)
	if a.nslot+n <= len(a.slots) {
		o.vals = a.slots[a.nslot : a.nslot+n : a.nslot+n]
		a.nslot += n
	} else {
		o.vals = make([]ref.Val, n)
	}
	o.t, o.v, o.arena = t, v, a
	return o
}

// Day numbers (dates since 1970) are the input's commonest values; boxing
// one as a CEL value costs an allocation, every time. celInt hands out
// the day numbers of 1970-2079 (and every small number) boxed once, on
// first use of a CEL rule.
const celInternedInts = 40_000

var celIntTable = sync.OnceValue(func() []ref.Val {
	t := make([]ref.Val, celInternedInts)
	for i := range t {
		t[i] = types.Int(i)
	}
	return t
})

func celBoxInt(i int64) ref.Val {
	if i >= 0 && i < celInternedInts {
		return celIntTable()[i]
	}
	return types.Int(i)
}
