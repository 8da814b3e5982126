package disclosure

import (
	"encoding/json"
	"testing"

	"pgregory.net/rapid"
)

// TestSmallCounts checks each count from 0 to 12 by hand.
func TestSmallCounts(t *testing.T) {
	want := []string{"0", "*", "*", "*", "*", "5", "5", "5", "10", "10", "10", "10", "10"}
	for n, w := range want {
		if got := Of(n).String(); got != w {
			t.Errorf("Of(%d) = %s, want %s", n, got, w)
		}
	}
	if got := Of(-3).String(); got != "0" {
		t.Errorf("Of(-3) = %s, want 0", got)
	}
}

// TestPublishedCountsNeverShowASmallNumber is R-REPORT-1's property: a
// published count, and a total of published counts, is "*" or a multiple
// of 5, and a published figure is within 2 of the exact one.
func TestPublishedCountsNeverShowASmallNumber(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		exact := rapid.SliceOfN(rapid.IntRange(0, 200), 0, 12).Draw(t, "cells")
		cells := make([]Count, len(exact))
		for i, n := range exact {
			cells[i] = Of(n)
			v, ok := cells[i].Value()
			if !ok {
				if n < 1 || n > 4 {
					t.Fatalf("%d suppressed", n)
				}
				continue
			}
			if v%5 != 0 || v-n > 2 || n-v > 2 {
				t.Fatalf("Of(%d) published %d", n, v)
			}
		}
		total := Sum(cells...)
		if v, ok := total.Value(); ok {
			want := 0
			for _, c := range cells {
				x, _ := c.Value()
				want += x
			}
			if v != want || v%5 != 0 {
				t.Fatalf("total %d, want %d (from the published cells)", v, want)
			}
		}
	})
}

func TestSumAndPercent(t *testing.T) {
	cases := []struct {
		cells []int
		want  string
	}{
		{nil, "0"},
		{[]int{0, 0}, "0"},
		{[]int{3, 2}, "*"},    // 5 people, every cell hidden: not "0"
		{[]int{3, 7}, "5"},    // from the published cells: * + 5
		{[]int{12, 13}, "25"}, // 10 + 15, not Of(25)
		{[]int{11, 11}, "20"}, // 10 + 10, though 22 would round to 20 too
		{[]int{8, 8}, "20"},   // 10 + 10, where Of(16) would be 15
	}
	for _, c := range cases {
		cells := make([]Count, len(c.cells))
		for i, n := range c.cells {
			cells[i] = Of(n)
		}
		if got := Sum(cells...).String(); got != c.want {
			t.Errorf("Sum%v = %s, want %s", c.cells, got, c.want)
		}
	}
	if got := Percent(Of(10), Of(40)); got != "25%" {
		t.Errorf("Percent(10, 40) = %s", got)
	}
	if got := Percent(Of(3), Of(40)); got != "*" {
		t.Errorf("Percent(*, 40) = %s", got)
	}
	if got := Percent(Of(0), Of(0)); got != "-" {
		t.Errorf("Percent(0, 0) = %s", got)
	}
}

func TestJSON(t *testing.T) {
	b, err := json.Marshal([]Count{Of(0), Of(3), Of(12)})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[0,"*",10]` {
		t.Errorf("got %s", b)
	}
}
