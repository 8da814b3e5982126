package dsr_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
)

type strictInner struct {
	Name string            `json:"name"`
	Tags map[string]string `json:"tags"`
}

type strictEmbedded struct {
	Extra string `json:"extra"`
}

type strictDoc struct {
	strictEmbedded
	ID    string         `json:"id"`
	Count int            `json:"count"`
	Date  dsr.Rating     `json:"rating"`
	Inner *strictInner   `json:"inner"`
	List  []strictInner  `json:"list"`
	Any   map[string]any `json:"any"`
}

func TestDecodeStrictRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, in, field, problem string
	}{
		{"trailing data", `{"id": "a"} {}`, "$", "trailing data"},
		{"a stray brace", `{"id": "a"}}`, "$", "trailing data"},
		{"null document", `null`, "$", "null"},
		{"empty", ``, "$", "empty input"},
		{"duplicate key", `{"id": "a", "id": "b"}`, "id", "given twice"},
		{"duplicate key in a nested object", `{"inner": {"name": "a", "name": "b"}}`, "inner.name", "given twice"},
		{"duplicate key in an array element", `{"list": [{}, {"name": "a", "name": "b"}]}`, "list[1].name", "given twice"},
		{"duplicate key in a map", `{"inner": {"tags": {"x": "1", "x": "2"}}}`, "inner.tags.x", "given twice"},
		{"duplicate key inside an untyped value", `{"any": {"k": {"z": 1, "z": 2}}}`, "any.k.z", "given twice"},
		{"wrong case", `{"ID": "a"}`, "ID", `did you mean "id"`},
		{"wrong case of an embedded field", `{"Extra": "a"}`, "Extra", `did you mean "extra"`},
		{"unknown field", `{"colour": "a"}`, "colour", "unknown field"},
		{"invalid UTF-8 in a value", "{\"id\": \"a\xff\"}", "id", "UTF-8"},
		{"invalid UTF-8 in a key", "{\"i\xffd\": \"a\"}", "$", "UTF-8"},
		{"invalid UTF-8 in a map value", "{\"inner\": {\"tags\": {\"x\": \"\xc3\"}}}", "inner.tags.x", "UTF-8"},
		{"wrong type", `{"count": "3"}`, "count", "want a whole number"},
		{"a bad word", `{"rating": "purple"}`, "rating", "purple"},
		{"a map that is not an object", `{"inner": {"tags": []}}`, "inner.tags", "want"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var d strictDoc
			err := dsr.DecodeStrict(strings.NewReader(tc.in), 0, &d)
			if !errors.Is(err, dsr.ErrInvalid) {
				t.Fatalf("DecodeStrict(%q) = %v, want ErrInvalid", tc.in, err)
			}
			var ve *dsr.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v is not a *ValidationError", err)
			}
			found := false
			for _, e := range flattenErrors(err) {
				if errors.As(e, &ve) && ve.Field == tc.field && strings.Contains(ve.Problem, tc.problem) {
					found = true
				}
			}
			if !found {
				t.Fatalf("DecodeStrict(%q) = %v, want a problem at %s containing %q", tc.in, err, tc.field, tc.problem)
			}
		})
	}
}

func flattenErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenErrors(e)...)
		}
		return out
	}
	return []error{err}
}

func TestDecodeStrictRefusesOversizeInputWithoutCuttingIt(t *testing.T) {
	in := `{"id": "` + strings.Repeat("a", 100) + `"}`
	var d strictDoc
	err := dsr.DecodeStrict(strings.NewReader(in), int64(len(in)-1), &d)
	var ve *dsr.ValidationError
	if !errors.As(err, &ve) || ve.Field != "$" || !strings.Contains(ve.Problem, "larger than the limit") {
		t.Fatalf("DecodeStrict over the limit = %v, want a $ size error", err)
	}
	if d.ID != "" {
		t.Fatalf("DecodeStrict filled %q from a refused input", d.ID)
	}
	if err := dsr.DecodeStrict(strings.NewReader(in), int64(len(in)), &d); err != nil || len(d.ID) != 100 {
		t.Fatalf("DecodeStrict at the limit = %v (id %d bytes), want it decoded", err, len(d.ID))
	}
}

func TestDecodeStrictAccepts(t *testing.T) {
	var d strictDoc
	in := `{"id": "a", "extra": "e", "count": 3, "rating": "red", "inner": {"name": "n", "tags": {"x": "1"}}, "list": [], "any": {"k": [1, "two", null]}}`
	if err := dsr.DecodeStrict(strings.NewReader(in), 0, &d); err != nil {
		t.Fatal(err)
	}
	if d.Extra != "e" || d.Count != 3 || d.Date != dsr.Red || d.Inner.Tags["x"] != "1" {
		t.Fatalf("decoded %+v", d)
	}
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"p1", "A-b_c.d:e", strings.Repeat("x", dsr.MaxIDLength), "0"} {
		if err := dsr.ValidID("id", id); err != nil {
			t.Errorf("ValidID(%q) = %v, want nil", id, err)
		}
	}
	for _, id := range []string{"", "p 1", "p1\n", "p\x1b[31m", strings.Repeat("x", dsr.MaxIDLength+1), "pé", "p/1", "p\x00", "p\xff", "p\t"} {
		err := dsr.ValidID("person.id", id)
		var ve *dsr.ValidationError
		if !errors.As(err, &ve) || ve.Field != "person.id" || !errors.Is(err, dsr.ErrInvalid) {
			t.Errorf("ValidID(%q) = %v, want a person.id ValidationError", id, err)
		}
	}
}
