package calendar

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// oneOffYears are the data years in which a proclamation moved a holiday or
// added one, so the data and the standing rules differ.
var oneOffYears = map[int]bool{2020: true, 2022: true, 2023: true}

func TestDataAndStandingRulesAgreeInYearsWithNoOneOffs(t *testing.T) {
	src := EnglandAndWalesSource()
	ew := englandAndWales{}
	checked := 0
	for y := src.FirstYear; y <= src.LastYear; y++ {
		if oneOffYears[y] {
			continue
		}
		rules := standingHolidays(y)
		require.Equal(t, rules[:], ew.InYear(y), "data and standing rules for %d, names included", y)
		checked++
	}
	require.Equal(t, 8, checked, "2018, 2019, 2021 and 2024-2028")
}

func TestDataAndStandingRulesDifferOnlyByTheOneOffs(t *testing.T) {
	ew := englandAndWales{}
	diff := func(y int) (onlyData, onlyRules []string) {
		rules := standingHolidays(y)
		data := ew.InYear(y)
		inData := map[Date]bool{}
		for _, h := range data {
			inData[h.Date] = true
		}
		inRules := map[Date]bool{}
		for _, h := range rules {
			inRules[h.Date] = true
			if !inData[h.Date] {
				onlyRules = append(onlyRules, h.Date.String())
			}
		}
		for _, h := range data {
			if !inRules[h.Date] {
				onlyData = append(onlyData, h.Date.String())
			}
		}
		return onlyData, onlyRules
	}
	for y, want := range map[int][2][]string{
		2020: {{"2020-05-08"}, {"2020-05-04"}},                             // VE Day
		2022: {{"2022-06-02", "2022-06-03", "2022-09-19"}, {"2022-05-30"}}, // Platinum Jubilee, State Funeral
		2023: {{"2023-05-08"}, nil},                                        // Coronation
	} {
		onlyData, onlyRules := diff(y)
		require.Equal(t, want[0], onlyData, "%d: only in the data", y)
		require.Equal(t, want[1], onlyRules, "%d: only in the rules", y)
	}
}

func TestTableCoversItsYearsExactly(t *testing.T) {
	tbl := ewTable()
	ew := englandAndWales{}
	// The first and last day of the table, and the days just outside it,
	// agree with the rules whichever way they are answered.
	for _, d := range []Date{
		MustParseDate("1899-12-25"), MustParseDate("1899-12-26"), MustParseDate("1900-01-01"),
		MustParseDate("2199-12-26"), MustParseDate("2199-12-31"), MustParseDate("2200-01-01"),
	} {
		_, inTable := tbl.index(d)
		_, byRule := ruleName(d)
		require.Equal(t, byRule, ew.IsHoliday(d), "%s (in table: %v)", d, inTable)
	}
	require.Equal(t, 8*(tableLastYear-tableFirstYear+1)+3, len(tbl.list),
		"eight a year, plus three extra days: Platinum Jubilee, State Funeral, Coronation (the others were moves)")
}

func TestBuildRejectsBadData(t *testing.T) {
	for name, data := range map[string]string{
		"not JSON":          `nope`,
		"no source":         `{"events": []}`,
		"years reversed":    `{"source": {"first_year": 2028, "last_year": 2018}, "events": []}`,
		"years off table":   `{"source": {"first_year": 1800, "last_year": 2028}, "events": []}`,
		"event out of year": `{"source": {"first_year": 2026, "last_year": 2026}, "events": [{"date": "2027-01-01"}]}`,
		"empty year":        `{"source": {"first_year": 2026, "last_year": 2027}, "events": [{"date": "2026-01-01"}]}`,
	} {
		_, err := buildEW([]byte(data))
		require.Error(t, err, name)
	}
	_, err := buildEW(englandAndWalesJSON)
	require.NoError(t, err)
}

func TestEventName(t *testing.T) {
	require.Equal(t, "Boxing Day (substitute day)", eventName("Boxing Day", "Substitute day"))
	require.Equal(t, "Queen's Diamond Jubilee (extra bank holiday)", eventName("Queen's Diamond Jubilee", "Extra bank holiday"))
	require.Equal(t, "Good Friday", eventName(" Good Friday ", ""))
	require.Equal(t, "Holiday", eventName("", ""))
}

func TestRuleNameAgreesWithStandingHolidaysEveryDay(t *testing.T) {
	for y := 2200; y <= 2600; y++ {
		want := map[Date]string{}
		for _, h := range standingHolidays(y) {
			want[h.Date] = h.Name
		}
		for d := NewDate(y, 1, 1); d.Year() == y; d = d.AddDays(1) {
			name, ok := ruleName(d)
			w, isHoliday := want[d]
			if ok != isHoliday || name != w {
				t.Fatalf("ruleName(%s) = %q, %v; want %q, %v", d, name, ok, w, isHoliday)
			}
		}
	}
}
