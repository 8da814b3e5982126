package dsr_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
)

// modulus11 recomputes the NHS number check independently of the package.
func modulus11(n string) bool {
	sum := 0
	for i := range 9 {
		sum += int(n[i]-'0') * (10 - i)
	}
	check := (11 - sum%11) % 11
	return check != 10 && int(n[9]-'0') == check
}

func FuzzParseNHSNumber(f *testing.F) {
	for _, s := range []string{
		"9997654323", "999 765 4323", "999-765-4323", "9990000050", "9990000000",
		"999765432", "99976543231", "999765432X", "", " ", "999  765 4323", "999 765 4323 ",
		"９９９７６５４３２３", "---", "999-",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := dsr.ParseNHSNumber(s)
		if err != nil {
			if !errors.Is(err, dsr.ErrInvalid) {
				t.Fatalf("ParseNHSNumber(%q) error %v does not match ErrInvalid", s, err)
			}
			if n != "" {
				t.Fatalf("ParseNHSNumber(%q) returned %q with an error", s, n)
			}
			return
		}
		if len(n) != 10 || strings.Trim(string(n), "0123456789") != "" {
			t.Fatalf("ParseNHSNumber(%q) = %q, want ten digits", s, n)
		}
		if !modulus11(string(n)) {
			t.Fatalf("ParseNHSNumber(%q) = %q, which fails the Modulus 11 check", s, n)
		}
		for _, form := range []string{string(n), n.String()} {
			back, err := dsr.ParseNHSNumber(form)
			if err != nil || back != n {
				t.Fatalf("ParseNHSNumber(%q) = %q, %v; want %q", form, back, err, n)
			}
		}
	})
}

// normalised returns c with what JSON cannot tell apart made equal: an empty
// scope and no scope, and instants in different locations.
func normalised(c dsr.Case) dsr.Case {
	c.Events = append([]dsr.Event(nil), c.Events...)
	for i := range c.Events {
		e := &c.Events[i]
		if len(e.Scope) == 0 {
			e.Scope = nil
		}
		if !e.At.IsZero() {
			e.At = e.At.UTC()
		}
	}
	return c
}

func FuzzDecodeCase(f *testing.F) {
	for _, s := range []string{
		caseJSON(""),
		caseJSON("", consented, admitted, discharged),
		caseJSON(`, "ehcp": true, "postcode": "ZZ99 3VZ"`, consented, admitted,
			`{"type": "transferred", "date": "2026-02-10", "security": "low", "hospital": "Hospital B"}`,
			`{"type": "review_held", "date": "2026-02-15", "kind": "post_admission"}`,
			`{"type": "rating_agreed", "date": "2026-02-15", "rating": "blue", "reason": "admitted", "by": "dsr meeting"}`),
		caseJSON("", `{"type": "blue_light_meeting", "at": "2026-03-20T14:00:00+00:00"}`,
			`{"type": "consent_withdrawn", "date": "2026-03-21", "scope": []}`),
		`{"as_of": "2026-03-30", "person": {"id": "p", "date_of_birth": "2010-05-01"}, "events": []}`,
		person(`"autism": true`, `"autism": "yes"`),
		caseJSON("", discharged),
		caseJSON("", admitted, `{"type": "admitted", "date": "2026-02-20"}`),
		caseJSON("", `{"type": "blue_light_meeting"}`),
		strings.Replace(caseJSON(""), `"as_of"`, `"AS_OF"`, 1),
		caseJSON("") + "}",
		`{"as_of": "2026-02-30"}`, `[]`, `null`, ``, `{"events": [{"type": "admitted", "date": null}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := dsr.UnmarshalCase(data)
		if err != nil {
			var ve *dsr.ValidationError
			if !errors.Is(err, dsr.ErrInvalid) || !errors.As(err, &ve) {
				t.Fatalf("error %v is not a ValidationError matching ErrInvalid", err)
			}
			if ve.Field == "" {
				t.Fatalf("error %v names no field", err)
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("an accepted case does not validate: %v", err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("an accepted case does not marshal: %v", err)
		}
		c2, err := dsr.UnmarshalCase(b)
		if err != nil {
			t.Fatalf("an accepted case re-marshalled as %s is rejected: %v", b, err)
		}
		if !reflect.DeepEqual(normalised(c), normalised(c2)) {
			t.Fatalf("round trip changed the case:\n%#v\n%#v", c, c2)
		}
		b2, err := json.Marshal(c2)
		if err != nil || string(b) != string(b2) {
			t.Fatalf("marshalling is not stable:\n%s\n%s (%v)", b, b2, err)
		}
		_ = dsr.Derive(&c) // never panics on a valid case
	})
}
