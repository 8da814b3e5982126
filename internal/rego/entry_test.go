package rego

import (
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// R-DATA-1: the rules see the register entry's placement out of area and
// section 117 aftercare as facts, present only when they hold.
func TestInputCarriesTheEntrysFacts(t *testing.T) {
	yes := true
	c := dsr.Case{AsOf: calendar.MustParseDate("2026-02-01"), Person: dsr.Person{ID: "a", DateOfBirth: calendar.MustParseDate("1990-01-01")}}
	get := func(c *dsr.Case, key string) *ast.Term {
		f := dsr.Derive(c)
		facts := buildInput(c, &f).Get(ast.StringTerm("facts"))
		return facts.Value.(ast.Object).Get(ast.StringTerm(key))
	}
	for _, key := range []string{"out_of_area_placement", "section_117"} {
		if v := get(&c, key); v != nil {
			t.Errorf("no entry: facts.%s = %v, want absent", key, v)
		}
	}
	c.Entry = &dsr.Entry{Placement: "out_of_area", Section117: &yes}
	for _, key := range []string{"out_of_area_placement", "section_117"} {
		if v := get(&c, key); v == nil || !v.Equal(ast.BooleanTerm(true)) {
			t.Errorf("facts.%s = %v, want true", key, v)
		}
	}
}
