package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/schema"
	"github.com/dsrkit/dsrkit/policies"
)

// maxCaseBytes bounds the input: a case is one person's history, kilobytes
// in practice.
const maxCaseBytes = 8 << 20

// runAssess is `dsr assess [--policy NAME|DIR] [--set NAME=VALUE]... [--timeout D] FILE|-`.
func runAssess(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fset := newFlagSet("assess")
	policy := fset.String("policy", policies.DefaultBundle, "embedded policy bundle `NAME`, a directory or a .tar.gz from dsr policy build")
	var params paramFlag
	fset.Var(&params, "set", "override the bundle parameter `NAME=VALUE` (repeatable)")
	timeoutFlag(ctx, fset)
	decisionLogFlag(ctx, fset)
	files, code, ok := parseCommand(fset, args, assessUsage, stdout, stderr, 1, "want one case file (or - for standard input)")
	if !ok {
		return code
	}

	raw, err := readInput(files[0], stdin)
	if err != nil {
		errorf(stderr, "assess: %v", err)
		return exitFailure
	}
	c, err := decodeCase(raw)
	if err != nil {
		return reportInvalid(stderr, err)
	}

	_, engine, err := loadPolicy(ctx, *policy, "", params)
	if err != nil {
		errorf(stderr, "%v", err)
		return exitFailure
	}
	a, err := engine.Assess(ctx, c)
	if err != nil {
		if errors.Is(err, dsr.ErrInvalid) {
			return reportInvalid(stderr, err)
		}
		errorf(stderr, "assess: %v", err)
		return exitFailure
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(a); err != nil {
		errorf(stderr, "assess: writing the assessment: %v", err)
		return exitFailure
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		errorf(stderr, "assess: %v", err)
		return exitFailure
	}
	return exitOK
}

// readInput reads the case from the file name, or from stdin for "-".
func readInput(name string, stdin io.Reader) ([]byte, error) {
	var r io.Reader = stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	raw, err := io.ReadAll(io.LimitReader(r, maxCaseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return raw, nil
}

// decodeCase validates raw case JSON against the case schema, then decodes
// it with the domain checks of dsr.DecodeCase. Every problem is a
// *dsr.ValidationError naming its field; several come back joined.
func decodeCase(raw []byte) (dsr.Case, error) {
	if len(raw) > maxCaseBytes {
		return dsr.Case{}, &dsr.ValidationError{Field: "$", Problem: fmt.Sprintf("larger than %d bytes", maxCaseBytes)}
	}
	serr := schema.ValidateCase(raw)
	if serr == nil {
		c, err := dsr.UnmarshalCase(raw)
		if err == nil {
			return c, nil
		}
		serr = err
	}
	return dsr.Case{}, everyFault(raw, serr)
}

// everyFault lists every problem of a case at once, the schema's and the
// domain's (a check digit, a date of birth after as_of, a history that
// contradicts itself): it drops the fields already faulted and decodes the
// rest again, until nothing new is found.
func everyFault(raw []byte, first error) error {
	errs := flatten(first)
	var doc any
	if json.Unmarshal(raw, &doc) != nil {
		return first // not JSON: already said
	}
	faulted := map[string]bool{}
	for range 8 { // each round finds the faults the last one hid
		for _, e := range errs {
			var ve *dsr.ValidationError
			if errors.As(e, &ve) && !faulted[ve.Field] {
				faulted[ve.Field] = true
				doc = dropPath(doc, ve.Field)
			}
		}
		rest, err := json.Marshal(doc)
		if err != nil {
			break
		}
		_, derr := dsr.UnmarshalCase(rest)
		found := false
		for _, e := range flatten(derr) {
			var ve *dsr.ValidationError
			if e != nil && errors.As(e, &ve) && !faultedAt(faulted, ve.Field) {
				errs, found = append(errs, e), true
			}
		}
		if !found {
			break
		}
	}
	return errors.Join(errs...)
}

// dropPath removes the value at a field path ("person.shoe_size",
// "events[0].colour") from a decoded JSON document, if it is there.
func dropPath(doc any, path string) any {
	if path == "" || path == "$" {
		return doc
	}
	head, rest, _ := strings.Cut(path, ".")
	name, index := head, -1
	if i := strings.IndexByte(head, '['); i >= 0 && strings.HasSuffix(head, "]") {
		if _, err := fmt.Sscanf(head[i:], "[%d]", &index); err != nil {
			return doc
		}
		name = head[:i]
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	if index < 0 {
		if rest == "" {
			delete(obj, name)
		} else {
			obj[name] = dropPath(obj[name], rest)
		}
		return obj
	}
	list, ok := obj[name].([]any)
	if !ok || index >= len(list) {
		return doc
	}
	if rest == "" {
		list[index] = nil // keep the other elements' indexes
	} else {
		list[index] = dropPath(list[index], rest)
	}
	return obj
}

// faultedAt reports whether field, or a field it is part of, is in faulted
// (a field dropped for one fault is not reported again as missing).
func faultedAt(faulted map[string]bool, field string) bool {
	for f := range faulted {
		if f == "$" || f == field || strings.HasPrefix(field, f+".") || strings.HasPrefix(field, f+"[") {
			return true
		}
	}
	return false
}

// reportInvalid writes one "dsr: invalid case: FIELD: PROBLEM" line per
// problem in err and returns the exit status: 2 when every problem is
// invalid input, 1 otherwise.
func reportInvalid(stderr io.Writer, err error) int {
	code := exitUsage
	for _, e := range flatten(err) {
		if errors.Is(e, dsr.ErrInvalid) {
			errorf(stderr, "invalid case: %s", strings.TrimPrefix(e.Error(), dsr.ErrInvalid.Error()+": "))
			continue
		}
		errorf(stderr, "%v", e)
		code = exitFailure
	}
	return code
}

// flatten unpacks errors joined with errors.Join.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

// param is one --set NAME=VALUE.
type param struct {
	name  string
	value any
}

// paramFlag collects repeated --set flags in order.
type paramFlag []param

func (p *paramFlag) String() string {
	if p == nil {
		return ""
	}
	parts := make([]string, len(*p))
	for i, q := range *p {
		parts[i] = fmt.Sprintf("%s=%v", q.name, q.value)
	}
	return strings.Join(parts, " ")
}

// options returns the overrides as policies.Load takes them.
func (p paramFlag) options() []policies.Option {
	opts := make([]policies.Option, len(p))
	for i, q := range p {
		opts[i] = policies.WithParam(q.name, q.value)
	}
	return opts
}

func (p *paramFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	*p = append(*p, param{name: name, value: parseValue(value)})
	return nil
}

// parseValue reads s as JSON if it is a JSON value, numbers as json.Number;
// otherwise s is a string ("2026-01-01", "days").
func parseValue(s string) any {
	if !json.Valid([]byte(s)) {
		return s
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return s
	}
	return v
}
