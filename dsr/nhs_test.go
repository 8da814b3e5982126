package dsr_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/dsr"
)

// Valid test numbers, their check digits worked out by hand with the
// Modulus 11 weights 10 down to 2:
//
//	999 765 432: 90+81+72+49+36+25+16+9+4 = 382; 382 mod 11 = 8; 11-8 = 3
//	999 000 005: 90+81+72+10 = 253; 253 mod 11 = 0; 11-0 = 11, written 0
//	999 888 777: 90+81+72+56+48+40+28+21+14 = 450; 450 mod 11 = 10; 11-10 = 1
//	999 000 000: 90+81+72 = 243; 243 mod 11 = 1; 11-1 = 10, so no valid number
func TestParseNHSNumberAcceptsValidNumbers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want dsr.NHSNumber
	}{
		{"ten digits that pass the Modulus 11 check", "9997654323", "9997654323"},
		{"a remainder of 0 gives check digit 0", "9990000050", "9990000050"},
		{"a remainder of 10 gives check digit 1", "9998887771", "9998887771"},
		{"grouped 3-3-4 with spaces as printed on letters", "999 765 4323", "9997654323"},
		{"grouped 3-3-4 with hyphens", "999-765-4323", "9997654323"},
		{"grouped with a space then a hyphen", "999 765-4323", "9997654323"},
		{"grouped after the third digit only", "999 7654323", "9997654323"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dsr.ParseNHSNumber(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, got.IsTest(), "synthetic people use the 999 range")
			assert.Equal(t, "999 "+string(got[3:6])+" "+string(got[6:]), got.String())
		})
	}
}

func TestParseNHSNumberRejectsBadNumbers(t *testing.T) {
	tests := []struct {
		name, in, why string
	}{
		{"a wrong check digit fails the Modulus 11 check", "9997654324", "Modulus 11"},
		{"two digits swapped fail the Modulus 11 check", "9996754323", "Modulus 11"},
		{"a number whose check digit would be 10 is never valid", "9990000000", "Modulus 11"},
		{"another number whose check digit would be 10", "9991234560", "Modulus 11"},
		{"nine digits are too few", "999765432", "9 digits"},
		{"eleven digits are too many", "99976543231", "more than 10"},
		{"the empty string has no digits", "", "0 digits"},
		{"a letter is not a digit", "999765432X", "not a digit"},
		{"a letter O is not a zero", "999O000050", "not a digit"},
		{"a full-width digit is not a digit", "999765432３", "not a digit"},
		{"a leading space is out of place", " 9997654323", "out of place"},
		{"a trailing space is out of place", "9997654323 ", "out of place"},
		{"two spaces between groups are out of place", "999  765 4323", "out of place"},
		{"grouping 4-3-3 is out of place", "9997 654 323", "out of place"},
		{"a dot is not a separator", "999.765.4323", "not a digit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dsr.ParseNHSNumber(tt.in)
			require.ErrorIs(t, err, dsr.ErrInvalid)
			assert.Contains(t, err.Error(), tt.why)
			assert.Empty(t, got)

			var n dsr.NHSNumber
			require.ErrorIs(t, n.UnmarshalText([]byte(tt.in+"x")), dsr.ErrInvalid)
		})
	}
}

func TestNHSNumberJSON(t *testing.T) {
	var p dsr.Person
	require.NoError(t, json.Unmarshal([]byte(`{"nhs_number":"999 765 4323"}`), &p))
	assert.Equal(t, dsr.NHSNumber("9997654323"), p.NHSNumber, "a spaced number is held as ten digits")

	js, err := json.Marshal(p)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"nhs_number":"9997654323"`)

	require.NoError(t, json.Unmarshal([]byte(`{"nhs_number":""}`), &p))
	assert.Empty(t, p.NHSNumber, "an empty NHS number is not given")
	js, err = json.Marshal(p)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "nhs_number", "a person without an NHS number leaves it out")
}

func TestNHSNumberIsTest(t *testing.T) {
	assert.True(t, dsr.NHSNumber("9997654323").IsTest())
	// 943 476 5919 is the format's published worked example, not a test number.
	assert.False(t, dsr.NHSNumber("9434765919").IsTest())
	assert.False(t, dsr.NHSNumber("").IsTest())
	assert.Equal(t, "", dsr.NHSNumber("").String())
}

func TestTestNHSNumberCountsValidNumbersOnly(t *testing.T) {
	assert.Equal(t, dsr.NHSNumber("9990000018"), dsr.TestNHSNumber(0),
		"999 000 000 would need check digit 10, so numbering starts at 999 000 001")
	assert.Equal(t, dsr.NHSNumber("9990000026"), dsr.TestNHSNumber(1))
}

// TestNHSNumber always gives a valid number in the 999 range, whatever the
// sequence number.
func TestTestNHSNumberIsAlwaysValid(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		seq := rapid.OneOf(rapid.IntRange(0, 999_999), rapid.Int()).Draw(t, "seq")
		n := dsr.TestNHSNumber(seq)
		if !n.IsTest() || len(n) != 10 {
			t.Fatalf("TestNHSNumber(%d) = %q, want ten digits starting 999", seq, n)
		}
		back, err := dsr.ParseNHSNumber(string(n))
		if err != nil {
			t.Fatalf("TestNHSNumber(%d) = %q does not parse: %v", seq, n, err)
		}
		if back != n {
			t.Fatalf("ParseNHSNumber(%q) = %q", n, back)
		}
		if spaced, err := dsr.ParseNHSNumber(n.String()); err != nil || spaced != n {
			t.Fatalf("the printed form %q does not parse back: %q, %v", n.String(), spaced, err)
		}
	})
}

func TestTestNHSNumbersAreDistinctAndValid(t *testing.T) {
	seen := map[dsr.NHSNumber]int{}
	for seq := 0; seq < 5000; seq++ {
		n := dsr.TestNHSNumber(seq)
		if _, err := dsr.ParseNHSNumber(string(n)); err != nil || !n.IsTest() {
			t.Fatalf("dsr.TestNHSNumber(%d) = %s: not a valid test number (%v)", seq, n, err)
		}
		if prev, ok := seen[n]; ok {
			t.Fatalf("dsr.TestNHSNumber(%d) = dsr.TestNHSNumber(%d) = %s", seq, prev, n)
		}
		seen[n] = seq
	}
	if dsr.TestNHSNumber(dsr.TestNHSNumbers-1) == dsr.TestNHSNumber(dsr.TestNHSNumbers-2) || dsr.TestNHSNumber(dsr.TestNHSNumbers) != dsr.TestNHSNumber(0) {
		t.Fatal("the last test numbers collide, or numbering does not wrap")
	}
}
