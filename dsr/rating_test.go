package dsr_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
)

func TestRatingWordsRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		rating dsr.Rating
		word   string
	}{
		{"an unrated person is written as the empty word, not green", dsr.Unrated, ""},
		{"GREEN: risks managed in the community (R-RAG-GREEN)", dsr.Green, "green"},
		{"AMBER: at risk without urgent intervention (R-RAG-AMBER)", dsr.Amber, "amber"},
		{"RED: immediate risk of admission (R-RAG-RED)", dsr.Red, "red"},
		{"BLUE: in hospital now (R-RAG-BLUE)", dsr.Blue, "blue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.word, tt.rating.String())
			text, err := tt.rating.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.word, string(text))

			var back dsr.Rating
			require.NoError(t, back.UnmarshalText(text))
			assert.Equal(t, tt.rating, back)

			parsed, err := dsr.ParseRating(tt.word)
			require.NoError(t, err)
			assert.Equal(t, tt.rating, parsed)

			js, err := json.Marshal(tt.rating)
			require.NoError(t, err)
			assert.JSONEq(t, `"`+tt.word+`"`, string(js))
		})
	}
}

func TestParseRatingIgnoresCase(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want dsr.Rating
	}{
		{"a rating shouted in capitals is still RED", "RED", dsr.Red},
		{"a rating in title case is still AMBER", "Amber", dsr.Amber},
		{"a rating in mixed case is still GREEN", "gReEn", dsr.Green},
		{"a rating in capitals is still BLUE", "BLUE", dsr.Blue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dsr.ParseRating(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestParseRatingRejectsUnknownWords(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"purple is not a rating", "purple"},
		{"unrated is written as the empty word, not spelt out", "unrated"},
		{"a rating with a space around it is not trimmed", " red"},
		{"a single letter is not a rating", "r"},
		{"a number is not a rating", "1"},
		{"a Go-style name is not a rating", "Rating(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dsr.ParseRating(tt.in)
			require.ErrorIs(t, err, dsr.ErrInvalid)
			assert.Equal(t, dsr.Unrated, got)

			r := dsr.Amber
			require.ErrorIs(t, r.UnmarshalText([]byte(tt.in)), dsr.ErrInvalid)
			assert.Equal(t, dsr.Amber, r, "a rejected word leaves the rating as it was")

			var holder struct {
				Rating dsr.Rating `json:"rating"`
			}
			require.ErrorIs(t, json.Unmarshal([]byte(`{"rating":"`+tt.in+`"}`), &holder), dsr.ErrInvalid)
		})
	}
}

func TestUnratedIsNeverGreen(t *testing.T) {
	var zero dsr.Rating
	assert.Equal(t, dsr.Unrated, zero, "the zero Rating is Unrated")
	assert.NotEqual(t, dsr.Green, zero, "an unrated person is not GREEN (R-RAG-GREEN needs eligibility)")
	assert.Empty(t, zero.String())
	assert.Less(t, zero.Severity(), dsr.Green.Severity())

	var a dsr.Assessment
	js, err := json.Marshal(a)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(js, &m))
	assert.Equal(t, "", m["rating"], "an assessment with no rating says so with an empty word")
	assert.Equal(t, "", m["agreed_rating"])

	var e dsr.Event
	js, err = json.Marshal(e)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "rating", "an event with no rating leaves it out")
}

func TestRatingOutOfRangeDoesNotMarshal(t *testing.T) {
	r := dsr.Rating(9)
	assert.Equal(t, "Rating(9)", r.String())
	_, err := r.MarshalText()
	require.ErrorIs(t, err, dsr.ErrInvalid)
	_, err = json.Marshal(r)
	require.Error(t, err)
	assert.True(t, errors.Is(err, dsr.ErrInvalid))
}

func TestRatingSeverityOrdersCommunityRisk(t *testing.T) {
	assert.Less(t, dsr.Unrated.Severity(), dsr.Green.Severity())
	assert.Less(t, dsr.Green.Severity(), dsr.Amber.Severity())
	assert.Less(t, dsr.Amber.Severity(), dsr.Red.Severity())
	assert.Equal(t, 4, dsr.Blue.Severity(), "BLUE is off the community scale (R-RAG-BLUE)")
}
