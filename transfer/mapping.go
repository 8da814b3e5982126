package transfer

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
)

// Mapping says how an area's register sheet maps to the register: which
// column (by its heading) holds which field (Fields), and the area's words
// for the values. docs/transfer.md describes it; Wiltshire and NHSE are
// shipped. A mapping is JSON, read strictly by DecodeMapping.
type Mapping struct {
	// Name names the mapping (wiltshire, nhse, or the area's own).
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Sheet is the XLSX sheet to read (default: the first); export names
	// its sheet so too.
	Sheet string `json:"sheet,omitempty"`
	// HeaderRow is the row of the headings, from 1; 0 finds it: the first
	// of the first 30 rows that holds most of the mapping's headings.
	HeaderRow int `json:"header_row,omitempty"`
	// Columns are the columns, in the order export writes them.
	Columns []Column `json:"columns"`
}

// Column maps one column of the sheet to one field of the register.
type Column struct {
	// Heading is the column's heading, matched with case folded and runs
	// of white space and line breaks as one space (Heading); Aliases are
	// other headings that mean the same. Under a merged heading that spans
	// several columns, a column is also found as "GROUP / HEADING". A
	// column with no heading gives every row its Default.
	Heading string   `json:"heading,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
	// Field is the register's field (Fields: "nhs_number",
	// "entry.gender", "circumstances.in_crisis", ...).
	Field string `json:"field"`
	// Values maps the area's words to what the field takes ("F" to
	// "female", "Verbal" to "Y"), matched as Word folds them; a word not
	// listed goes to the field's converter as it is.
	Values map[string]string `json:"values,omitempty"`
	// Default is the value of a blank cell (or of every row, with no
	// Heading). consent.given_by takes "auto" (see docs/transfer.md).
	Default string `json:"default,omitempty"`
	// Required makes a sheet without the column an error.
	Required bool `json:"required,omitempty"`
}

//go:embed mappings/*.json
var shipped embed.FS

// Shipped lists the names of the mappings shipped with dsrkit.
func Shipped() []string { return []string{"nhse", "wiltshire"} }

// LoadMapping returns the shipped mapping of that name (Shipped), or reads
// the mapping file at that path.
func LoadMapping(nameOrPath string) (*Mapping, error) {
	var b []byte
	var err error
	if slices.Contains(Shipped(), nameOrPath) {
		b, err = shipped.ReadFile("mappings/" + nameOrPath + ".json")
	} else {
		b, err = os.ReadFile(nameOrPath)
	}
	if err != nil {
		return nil, fmt.Errorf("transfer: mapping %s: %w", nameOrPath, err)
	}
	return DecodeMapping(bytes.NewReader(b))
}

// DecodeMapping reads a mapping strictly: unknown keys, trailing data, an
// unknown field, a field mapped twice, or a heading used twice are
// refused with an error naming the column and matching dsr.ErrInvalid.
func DecodeMapping(r io.Reader) (*Mapping, error) {
	dec := json.NewDecoder(io.LimitReader(r, 1<<20))
	dec.DisallowUnknownFields()
	var m Mapping
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: mapping: %w", dsr.ErrInvalid, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%w: mapping: data after the mapping's object", dsr.ErrInvalid)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks the mapping as DecodeMapping does.
func (m *Mapping) Validate() error {
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, &dsr.ValidationError{Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if strings.TrimSpace(m.Name) == "" {
		fail("name", "required")
	}
	if m.HeaderRow < 0 {
		fail("header_row", "%d: want a row from 1, or 0 to find it", m.HeaderRow)
	}
	fields := map[string]bool{}
	headings := map[string]bool{}
	for i, c := range m.Columns {
		at := fmt.Sprintf("columns[%d]", i)
		spec, ok := fieldByName[c.Field]
		switch {
		case !ok:
			fail(at+".field", "unknown field %q: want one of %s", c.Field, strings.Join(FieldNames(), ", "))
			continue
		case fields[c.Field]:
			fail(at+".field", "%q is mapped twice", c.Field)
		}
		fields[c.Field] = true
		if Heading(c.Heading) == "" && c.Default == "" {
			fail(at+".heading", "required: a heading, or a default for every row")
		}
		for _, h := range append([]string{c.Heading}, c.Aliases...) {
			if Heading(h) == "" {
				continue
			}
			if headings[Heading(h)] {
				fail(at+".heading", "%q is used twice", h)
			}
			headings[Heading(h)] = true
		}
		for k := range c.Values {
			if Word(k) == "" {
				fail(at+".values", "a word that is empty once folded")
			}
		}
		if c.Default != "" && !(c.Field == "consent.given_by" && c.Default == "auto") {
			if _, _, err := spec.parse(c.applyValues(c.Default), parseEnv{}); err != nil {
				fail(at+".default", "%v", err)
			}
		}
	}
	if !fields["date_of_birth"] {
		fail("columns", "no column for date_of_birth (required by the register)")
	}
	if !fields["id"] && !fields["nhs_number"] {
		fail("columns", "no column for id or nhs_number: a person needs one")
	}
	if !fields["consent.date"] {
		fail("columns", "no column for consent.date: consent must be recorded per person (R-CONS-1)")
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: mapping %s: %w", dsr.ErrInvalid, m.Name, errors.Join(errs...))
	}
	return nil
}

// applyValues replaces an area's word with what Values maps it to.
func (c *Column) applyValues(cell string) string {
	if len(c.Values) == 0 {
		return cell
	}
	w := Word(cell)
	for k, v := range c.Values {
		if Word(k) == w {
			return v
		}
	}
	return cell
}

// exportWord is the area's word for v: the shortest (then first) word of
// Values that maps to it, or v.
func (c *Column) exportWord(v string) string {
	var words []string
	for k, to := range c.Values {
		if to == v {
			words = append(words, k)
		}
	}
	if len(words) == 0 {
		return v
	}
	sort.Slice(words, func(i, j int) bool {
		if len(words[i]) != len(words[j]) {
			return len(words[i]) < len(words[j])
		}
		return words[i] < words[j]
	})
	return words[0]
}
