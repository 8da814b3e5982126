package fhirtest

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCompileRefusesWhatIsNotTheFHIRSchema(t *testing.T) {
	_, err := Compile(filepath.Join(t.TempDir(), "missing.json"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a missing schema: %v, want os.ErrNotExist (so Schema skips locally and fails under CI)", err)
	}
	dir := t.TempDir()
	for name, doc := range map[string]string{
		"draft7.json": `{"$schema": "http://json-schema.org/draft-07/schema#", "definitions": {}}`,
		"small.json":  `{"$schema": "http://json-schema.org/draft-06/schema#", "definitions": {"A": {}}}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Compile(p); err == nil || errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
}

func TestSchemaValidatesAndNamesTheEntry(t *testing.T) {
	v := Schema(t)
	ok := `{"resourceType": "Bundle", "type": "collection", "entry": [{"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "gender": "female"}}]}`
	if err := v.Validate([]byte(ok)); err != nil {
		t.Fatalf("a valid bundle: %v", err)
	}
	for name, doc := range map[string]string{
		"gender":   `{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Patient", "gender": "f"}}]}`,
		"type":     `{"resourceType": "Bundle", "type": "pile"}`,
		"unknown":  `{"resourceType": "Bundle", "type": "collection", "colour": "red"}`,
		"resource": `{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Flag", "status": "active"}}]}`,
	} {
		if err := v.Validate([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
