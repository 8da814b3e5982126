package schema

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// generated returns the schema as the JSON `dsr schema NAME` prints,
// decoded into maps.
func generated(t *testing.T, name string) map[string]any {
	t.Helper()
	s, err := Generate(name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("schema %s is not JSON: %v", name, err)
	}
	return doc
}

// at follows a path of object keys through a decoded schema.
func at(t *testing.T, doc map[string]any, path ...string) map[string]any {
	t.Helper()
	cur := doc
	for _, p := range path {
		next, ok := cur[p].(map[string]any)
		if !ok {
			t.Fatalf("schema has no object at %s", strings.Join(path, "/"))
		}
		cur = next
	}
	return cur
}

func TestCaseSchemaTypes(t *testing.T) {
	doc := generated(t, "case")
	date := map[string]any{"type": "string", "format": "date"}
	tests := []struct {
		name string
		path []string
		want map[string]any // keys that must have these values
	}{
		{"as_of is a date", []string{"properties", "as_of"}, date},
		{"date of birth is a date", []string{"$defs", "Person", "properties", "date_of_birth"}, date},
		{"an event's date is a date", []string{"$defs", "Event", "properties", "date"}, date},
		{"an event's at is an instant", []string{"$defs", "Event", "properties", "at"},
			map[string]any{"type": "string", "format": "date-time"}},
		{"the NHS number is ten digits, grouped 3-3-4 or not", []string{"$defs", "Person", "properties", "nhs_number"},
			map[string]any{"type": "string", "pattern": "^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$"}},
		{"an agreed rating is a rating word, never unrated", []string{"$defs", "Event", "properties", "rating"},
			map[string]any{"type": "string", "enum": []any{"red", "amber", "green", "blue"}}},
		{"a circumstance is a boolean", []string{"$defs", "Circumstances", "properties", "in_crisis"},
			map[string]any{"type": "boolean"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := at(t, doc, tt.path...)
			for k, v := range tt.want {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s = %#v, want %#v", k, got[k], v)
				}
			}
		})
	}
	t.Run("the event type is one of dsr.EventTypes", func(t *testing.T) {
		enum := at(t, doc, "$defs", "Event", "properties", "type")["enum"].([]any)
		if len(enum) != len(dsr.EventTypes) {
			t.Fatalf("enum has %d values, want %d", len(enum), len(dsr.EventTypes))
		}
		for i, et := range dsr.EventTypes {
			if enum[i] != string(et) {
				t.Errorf("enum[%d] = %v, want %s", i, enum[i], et)
			}
		}
	})
}

func TestCaseSchemaRequiredFields(t *testing.T) {
	doc := generated(t, "case")
	tests := []struct {
		path []string
		want []any
	}{
		{nil, []any{"as_of", "person"}},
		{[]string{"$defs", "Person"}, []any{"id", "date_of_birth"}},
		{[]string{"$defs", "Event"}, []any{"type"}},
		{[]string{"$defs", "Circumstances"}, nil},
	}
	for _, tt := range tests {
		got, _ := at(t, doc, tt.path...)["required"].([]any)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: required = %v, want %v", strings.Join(tt.path, "/"), got, tt.want)
		}
	}
}

func TestSchemasRejectUnknownFields(t *testing.T) {
	for _, name := range Names {
		doc := generated(t, name)
		objects := map[string]map[string]any{"(root)": doc}
		for def, v := range at(t, doc, "$defs") {
			objects[def] = v.(map[string]any)
		}
		for def, obj := range objects {
			if obj["type"] != "object" {
				t.Errorf("%s %s: type %v, want object", name, def, obj["type"])
			}
			if obj["additionalProperties"] != false {
				t.Errorf("%s %s: additionalProperties = %v, want false", name, def, obj["additionalProperties"])
			}
		}
	}
}

func TestAssessmentSchemaTypes(t *testing.T) {
	doc := generated(t, "assessment")
	ratings := []any{"", "red", "amber", "green", "blue"}
	for _, f := range []string{"rating", "agreed_rating"} {
		if got := at(t, doc, "properties", f)["enum"]; !reflect.DeepEqual(got, ratings) {
			t.Errorf("%s enum = %v, want %v (unrated is \"\", never green)", f, got, ratings)
		}
	}
	action := at(t, doc, "$defs", "Action", "properties")
	for _, f := range []string{"from", "due"} {
		if got := action[f].(map[string]any)["format"]; got != "date" {
			t.Errorf("action %s format = %v, want date", f, got)
		}
	}
	if got := action["due_at"].(map[string]any)["format"]; got != "date-time" {
		t.Errorf("action due_at format = %v, want date-time", got)
	}
	kinds := action["kind"].(map[string]any)["enum"].([]any)
	if len(kinds) != len(dsr.ActionKinds) {
		t.Errorf("action kind enum has %d values, want %d", len(kinds), len(dsr.ActionKinds))
	}
	required, _ := doc["required"].([]any)
	for _, f := range []string{"as_of", "policy", "eligible", "consent", "on_register", "rating", "actions", "reasons"} {
		if !slices.Contains(required, any(f)) {
			t.Errorf("assessment does not require %s", f)
		}
	}
}

func TestGenerateUnknownName(t *testing.T) {
	if _, err := Generate("person"); err == nil || !strings.Contains(err.Error(), "case or assessment") {
		t.Errorf("Generate(person) error = %v", err)
	}
}

func TestExampleCasesAreValid(t *testing.T) {
	files, err := filepath.Glob("../../examples/cases/*.json")
	if err != nil || len(files) < 4 {
		t.Fatalf("example cases: %v, %v", files, err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateCase(raw); err != nil {
			t.Errorf("%s: %v", filepath.Base(f), err)
		}
	}
}

const valid = `{"as_of": "2026-04-01", "person": {"id": "person-a", "date_of_birth": "2010-09-14"},
  "events": [{"type": "consent_given", "date": "2026-03-24", "given_by": "parent"}]}`

func TestValidateCaseNamesTheField(t *testing.T) {
	if err := ValidateCase([]byte(valid)); err != nil {
		t.Fatalf("valid case rejected: %v", err)
	}
	tests := []struct {
		name, from, to string
		field, problem string
	}{
		{"unknown field", `"as_of"`, `"colour": "blue", "as_of"`, "colour", "unknown field"},
		{"unknown nested field", `"given_by"`, `"signed": true, "given_by"`, "events[0].signed", "unknown field"},
		{"missing id", `"id": "person-a", `, ``, "person.id", "required"},
		{"empty id", `"id": "person-a"`, `"id": ""`, "person.id", "minLength"},
		{"missing event type", `"type": "consent_given", `, ``, "events[0].type", "required"},
		{"unknown event type", `consent_given`, `consent_sought`, "events[0].type", `unknown value "consent_sought"`},
		{"date that does not exist", `2026-03-24`, `2026-02-29`, "events[0].date", "not valid date"},
		{"number for a string", `"person-a"`, `17`, "person.id", "want string, got number"},
		{"string for a boolean", `"date_of_birth"`, `"autism": "yes", "date_of_birth"`, "person.autism", "want boolean, got string"},
		{"NHS number grouped with underscores", `"id"`, `"nhs_number": "999_100_0011", "id"`, "person.nhs_number", "pattern"},
		{"events not a list", `"events": [`, `"events": {"0": `, "events", "want null or array, got object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(valid, tt.from, tt.to, 1)
			if in == valid {
				t.Fatalf("test does not change the case")
			}
			if tt.name == "events not a list" {
				in = strings.Replace(in, "}]}", "}}}", 1)
			}
			err := ValidateCase([]byte(in))
			if !errors.Is(err, dsr.ErrInvalid) {
				t.Fatalf("error %v does not match dsr.ErrInvalid", err)
			}
			var ve *dsr.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v holds no *dsr.ValidationError", err)
			}
			if ve.Field != tt.field || !strings.Contains(ve.Problem, tt.problem) {
				t.Errorf("got %s: %s; want %s: …%s…", ve.Field, ve.Problem, tt.field, tt.problem)
			}
		})
	}
}

func TestValidateCaseReportsEveryProblem(t *testing.T) {
	in := `{"person": {"autism": 1, "extra": true}, "events": [{"date": "2026-01-01"}]}`
	err := ValidateCase([]byte(in))
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		fields = append(fields, e.(*dsr.ValidationError).Field)
	}
	want := []string{"as_of", "events[0].type", "person.autism", "person.date_of_birth", "person.extra", "person.id"}
	if !reflect.DeepEqual(fields, want) {
		t.Errorf("fields = %v, want %v", fields, want)
	}
}

func TestValidateCaseMalformedJSON(t *testing.T) {
	for _, in := range []string{"", "{", `{"as_of": }`, valid + "{}"} {
		var ve *dsr.ValidationError
		if err := ValidateCase([]byte(in)); !errors.As(err, &ve) || ve.Field != "$" {
			t.Errorf("ValidateCase(%q) = %v, want a problem at $", in, err)
		}
	}
}

func TestFieldPath(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{nil, "$"},
		{[]string{"as_of"}, "as_of"},
		{[]string{"person", "nhs_number"}, "person.nhs_number"},
		{[]string{"events", "3", "type"}, "events[3].type"},
		{[]string{"events", "0", "scope", "1"}, "events[0].scope[1]"},
		{[]string{"person", ""}, `person.""`},
		{[]string{"a.b", "c d"}, `"a.b"."c d"`},
	}
	for _, tt := range tests {
		if got := fieldPath(tt.in); got != tt.want {
			t.Errorf("fieldPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// The generator gives a fresh schema each time, so callers may change it.
func TestCaseReturnsAFreshSchema(t *testing.T) {
	a := Case()
	a.Title = "changed"
	a.Definitions["Person"].Required = nil
	if b := Case(); b.Title == "changed" || len(b.Definitions["Person"].Required) != 2 {
		t.Errorf("Case() shares state between calls")
	}
}

// A case a Go host builds and marshals with encoding/json passes the schema,
// including one with no events ("events": null).
func TestGoMarshalledCasesAreValid(t *testing.T) {
	dob, asOf := calendar.MustParseDate("1990-01-31"), calendar.MustParseDate("2026-04-01")
	cases := []dsr.Case{
		{AsOf: asOf, Person: dsr.Person{ID: "person-a", DateOfBirth: dob}},
		{AsOf: asOf, Person: dsr.Person{ID: "person-b", NHSNumber: dsr.TestNHSNumber(42), DateOfBirth: dob, Autism: true},
			Circumstances: dsr.Circumstances{InCrisis: true},
			Events: []dsr.Event{
				{Type: dsr.EventConsentGiven, Date: calendar.MustParseDate("2026-03-02"), GivenBy: dsr.BySelf, Scope: []string{dsr.ScopeDSR}},
				{Type: dsr.EventRatingAgreed, Date: calendar.MustParseDate("2026-03-03"), Rating: dsr.Amber, By: "meeting"},
				{Type: dsr.EventBlueLightMeeting, At: time.Date(2026, 3, 30, 17, 30, 0, 0, calendar.London)},
			}},
	}
	for _, c := range cases {
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		if err := ValidateCase(raw); err != nil {
			t.Errorf("%s: %v", raw, err)
		}
		if _, err := dsr.UnmarshalCase(raw); err != nil {
			t.Errorf("dsr.UnmarshalCase(%s): %v", raw, err)
		}
	}
}
