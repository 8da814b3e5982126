package dsr

import (
	"fmt"
	"strings"
)

// Rating is a person's register rating. The zero value is Unrated: a person
// who is not eligible, or not yet rated. Unrated is never GREEN.
type Rating uint8

// The ratings (docs/rules.md#rating, R-RAG-*).
const (
	Unrated Rating = iota // not rated; JSON ""
	Green                 // R-RAG-GREEN: risks managed in the community
	Amber                 // R-RAG-AMBER: at risk without urgent intervention
	Red                   // R-RAG-RED: immediate risk of admission
	Blue                  // R-RAG-BLUE: in hospital now
)

var ratingNames = [...]string{"", "green", "amber", "red", "blue"}

// String returns "red", "amber", "green", "blue", or "" for Unrated.
func (r Rating) String() string {
	if int(r) < len(ratingNames) {
		return ratingNames[r]
	}
	return fmt.Sprintf("Rating(%d)", uint8(r))
}

// ParseRating parses a rating word, ignoring case ("RED", "red"). The empty
// string is Unrated; any other word is an error wrapping ErrInvalid.
func ParseRating(s string) (Rating, error) {
	for i, n := range ratingNames {
		if strings.EqualFold(s, n) {
			return Rating(i), nil
		}
	}
	return Unrated, fmt.Errorf("%w: unknown rating %q (want red, amber, green or blue)", ErrInvalid, s)
}

// MarshalText implements encoding.TextMarshaler.
func (r Rating) MarshalText() ([]byte, error) {
	if int(r) >= len(ratingNames) {
		return nil, fmt.Errorf("%w: rating %d out of range", ErrInvalid, uint8(r))
	}
	return []byte(ratingNames[r]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler; unknown words are
// rejected.
func (r *Rating) UnmarshalText(b []byte) error {
	v, err := ParseRating(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Severity orders ratings by community risk: Unrated 0, Green 1, Amber 2,
// Red 3. Blue (in hospital) is not on this scale and returns 4.
func (r Rating) Severity() int { return int(r) }
