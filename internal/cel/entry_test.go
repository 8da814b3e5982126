package cel

import (
	"testing"

	"cel.dev/cel-go/common/types"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// R-DATA-1: the rules see the register entry's placement out of area and
// section 117 aftercare as facts, false when the entry has neither.
func TestInputCarriesTheEntrysFacts(t *testing.T) {
	yes := true
	params := types.NewStringInterfaceMap(types.DefaultTypeAdapter, map[string]any{})
	c := dsr.Case{AsOf: calendar.MustParseDate("2026-02-01"), Person: dsr.Person{ID: "a", DateOfBirth: calendar.MustParseDate("1990-01-01")}}
	f := dsr.Derive(&c)
	in := buildCELInput(&c, &f, params)
	if in.facts.OutOfAreaPlacement || in.facts.Section117 {
		t.Errorf("no entry: %+v", in.facts)
	}
	in.release()
	c.Entry = &dsr.Entry{Placement: "out_of_area", Section117: &yes}
	f = dsr.Derive(&c)
	in = buildCELInput(&c, &f, params)
	if !in.facts.OutOfAreaPlacement || !in.facts.Section117 {
		t.Errorf("facts = %+v, want out_of_area_placement and section_117", in.facts)
	}
	in.release()
}
