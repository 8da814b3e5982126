package dsr

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
)

// MaxInputBytes is the default size limit of one JSON input (a case, a new
// person, an event, a review or meeting update): a person's history is
// kilobytes, so 8 MiB is generous and still bounds memory.
const MaxInputBytes = 8 << 20

// DecodeStrict reads one JSON value from r into v (a non-nil pointer) and
// refuses, as the case contract does (DecodeCase), anything encoding/json
// would let through or guess at: more than limit bytes (refused, never cut),
// text that is not valid UTF-8, a null document, data after the value,
// unknown fields, keys that match a field only when case is ignored, a key
// given twice in one object at any depth, and values of the wrong JSON type
// or that a field's UnmarshalText or UnmarshalJSON rejects. Every problem is
// a *ValidationError naming the field by JSON path ("person.nhs_number",
// "events[2].date"; "$" for the document itself) and matching ErrInvalid;
// several come back joined. v is left unchanged on any problem. An error
// reading r is returned wrapped, and is not ErrInvalid.
//
// DecodeStrict checks the JSON only: domain rules (required fields, known
// words, dates in order) are the type's own Validate.
func DecodeStrict(r io.Reader, limit int64, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("dsr: DecodeStrict needs a non-nil pointer, got %T", v)
	}
	if limit <= 0 {
		limit = MaxInputBytes
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return fmt.Errorf("dsr: reading input: %w", err)
	}
	if int64(len(data)) > limit {
		return invalid("$", "", "input larger than the limit of %d bytes", limit)
	}
	return UnmarshalStrict(data, v)
}

// UnmarshalStrict is DecodeStrict over a byte slice, with no size limit
// beyond the slice's own.
func UnmarshalStrict(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("dsr: UnmarshalStrict needs a non-nil pointer, got %T", v)
	}
	if err := checkJSON(data, rv.Type().Elem()); err != nil {
		return err
	}
	fresh := reflect.New(rv.Type().Elem())
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(fresh.Interface()); err != nil {
		return decodeError(err) // checkJSON should have caught it
	}
	rv.Elem().Set(fresh.Elem())
	return nil
}

// MaxIDLength is the longest id the register takes.
const MaxIDLength = 64

// ValidID checks an id (of a person, review, meeting, request to join or
// member of staff) against the one character set the register takes:
// letters A–Z and a–z, digits, and - _ . : — from 1 to MaxIDLength
// characters. Ids are printed in worklists and stored for audit, so
// nothing else (no spaces, control characters, terminal escapes or
// non-ASCII look-alikes) is allowed. The error is a *ValidationError naming
// field and matching ErrInvalid.
func ValidID(field, id string) error {
	if e := checkID(field, id); e != nil {
		return e
	}
	return nil
}

func checkID(field, id string) *ValidationError {
	switch {
	case id == "":
		return invalid(field, "", "required: an id of 1 to %d letters, digits or - _ . :", MaxIDLength)
	case len(id) > MaxIDLength:
		return invalid(field, "", "id of %d bytes, longer than %d (want 1 to %d letters, digits or - _ . :)", len(id), MaxIDLength, MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		if !idChar(id[i]) {
			return invalid(field, "", "id %q has %q at byte %d (want only letters, digits or - _ . :)", id, id[i:i+1], i)
		}
	}
	return nil
}

func idChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return c == '-' || c == '_' || c == '.' || c == ':'
}
