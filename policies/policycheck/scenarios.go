package policycheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// LoadFunc loads an engine with a scenario's parameter overrides (the
// scenario folder's params.json; empty when it has none).
type LoadFunc func(params map[string]any) (*policies.Engine, error)

// Loader returns a LoadFunc that loads bundle with opts, then one
// policies.WithParam per scenario parameter, in name order.
func Loader(bundle fs.FS, opts ...policies.Option) LoadFunc {
	return func(params map[string]any) (*policies.Engine, error) {
		all := slices.Clone(opts)
		for _, name := range slices.Sorted(maps.Keys(params)) {
			all = append(all, policies.WithParam(name, params[name]))
		}
		return policies.Load(context.Background(), bundle, all...)
	}
}

// ScenarioResult is the outcome of one scenario folder.
type ScenarioResult struct {
	Name string // the folder's name
	// Problems lists what differs from want.json (or why the scenario
	// could not run); none when it passed.
	Problems []string
	// Assessment is the indented assessment JSON when the scenario failed
	// after assessing, for the reader of a report.
	Assessment []byte
}

// Passed reports whether the scenario passed.
func (r ScenarioResult) Passed() bool { return len(r.Problems) == 0 }

// ScenarioResults runs every scenario folder under dir in fsys, loading one
// engine per distinct params.json with load, and returns one result per
// folder in name order, for use outside go test (dsr policy test;
// policytest.RunScenarios runs them as subtests). The error is for a dir
// that cannot be read; a scenario that cannot run is a result with
// problems.
//
// A scenario folder holds:
//
//   - description.md: what the case is and what the rules should say, in
//     plain English (required, not empty);
//   - case.json: the case (the dsr.Case contract; NHS numbers from the 999
//     test range only);
//   - want.json: a partial assessment. Keys: eligible, on_register, rating,
//     agreed_rating, rating_of_record, review_type, consent ({valid, given_by}), actions (the
//     complete list, compared as a multiset on kind, from, due, due_at,
//     rule and overdue; due_at compared as an instant) and reason_rules
//     (rule ids that must appear among the reasons or consent.reasons).
//     Keys not named are not checked; an unknown key fails the scenario;
//     Or, for a case the engine must refuse (a declared input out of
//     range, R-INPUT-1), the one key refused: a list of {field, rule},
//     every problem of the refusal, compared as a set;
//   - params.json (optional): parameter overrides, applied with
//     policies.WithParam.
func ScenarioResults(fsys fs.FS, dir string, load LoadFunc) ([]ScenarioResult, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	type loaded struct {
		engine *policies.Engine
		err    error
	}
	engines := map[string]loaded{}
	var results []ScenarioResult
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		r := ScenarioResult{Name: e.Name()}
		r.Problems, r.Assessment = runScenario(fsys, path.Join(dir, e.Name()), load, func(key string, load func() (*policies.Engine, error)) (*policies.Engine, error) {
			l, ok := engines[key]
			if !ok {
				eng, err := load()
				l = loaded{eng, err}
				engines[key] = l
			}
			return l.engine, l.err
		})
		results = append(results, r)
	}
	return results, nil
}

func runScenario(fsys fs.FS, folder string, load LoadFunc, cached func(string, func() (*policies.Engine, error)) (*policies.Engine, error)) ([]string, []byte) {
	sc, err := readScenario(fsys, folder)
	if err != nil {
		return []string{err.Error()}, nil
	}
	key, err := json.Marshal(sc.params) // map keys marshal sorted: a canonical key
	if err != nil {
		return []string{fmt.Sprintf("params.json: %v", err)}, nil
	}
	eng, err := cached(string(key), func() (*policies.Engine, error) { return load(sc.params) })
	if err != nil {
		return []string{fmt.Sprintf("loading the engine with params %s: %v", key, err)}, nil
	}
	got, err := eng.Assess(context.Background(), sc.c)
	if refused, ok := sc.want["refused"]; ok {
		return compareRefused(sc.want, refused, err), nil
	}
	if err != nil {
		return []string{fmt.Sprintf("Assess: %v", err)}, nil
	}
	raw, err := json.Marshal(got)
	if err != nil {
		return []string{fmt.Sprintf("marshalling the assessment: %v", err)}, nil
	}
	var gotMap map[string]any
	if err := json.Unmarshal(raw, &gotMap); err != nil {
		return []string{fmt.Sprintf("decoding the assessment: %v", err)}, nil
	}
	problems := CompareAssessment(sc.want, gotMap)
	if len(problems) == 0 {
		return nil, nil
	}
	pretty, _ := json.MarshalIndent(got, "", "  ")
	return problems, pretty
}

type scenario struct {
	c      dsr.Case
	want   map[string]any
	params map[string]any
}

func readScenario(fsys fs.FS, folder string) (*scenario, error) {
	desc, err := fs.ReadFile(fsys, path.Join(folder, "description.md"))
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(desc)) == 0 {
		return nil, fmt.Errorf("%s: description.md is empty", folder)
	}
	b, err := fs.ReadFile(fsys, path.Join(folder, "case.json"))
	if err != nil {
		return nil, err
	}
	c, err := dsr.UnmarshalCase(b)
	if err != nil {
		return nil, fmt.Errorf("case.json: %w", err)
	}
	// Synthetic people only: NHS numbers from the 999 test range.
	if c.Person.NHSNumber != "" && !c.Person.NHSNumber.IsTest() {
		return nil, fmt.Errorf("case.json: NHS number %s is not in the 999 test range", c.Person.NHSNumber)
	}
	sc := &scenario{c: c}
	if err := readJSON(fsys, path.Join(folder, "want.json"), &sc.want); err != nil {
		return nil, err
	}
	switch err := readJSON(fsys, path.Join(folder, "params.json"), &sc.params); {
	case errors.Is(err, fs.ErrNotExist):
		sc.params = map[string]any{}
	case err != nil:
		return nil, err
	}
	return sc, nil
}

func readJSON(fsys fs.FS, name string, v any) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path.Base(name), err)
	}
	return nil
}

// compareRefused checks that the case was refused as invalid with exactly
// the problems want lists (want.json's "refused": a list of {field, rule}),
// compared as sets; "refused" takes no other key beside it.
func compareRefused(all map[string]any, want any, err error) []string {
	if len(all) != 1 {
		return []string{"want.json: \"refused\" takes no other key"}
	}
	wl, ok := want.([]any)
	if !ok || len(wl) == 0 {
		return []string{"want.json: refused must be a non-empty list of {field, rule}"}
	}
	var wantSet []string
	for _, w := range wl {
		m, ok := w.(map[string]any)
		field, _ := m["field"].(string)
		rule, _ := m["rule"].(string)
		if !ok || field == "" || len(m) > 2 || (len(m) == 2 && rule == "") {
			return []string{fmt.Sprintf("want.json: a refusal is {\"field\": ..., \"rule\": ...}, got %s", show(w))}
		}
		wantSet = append(wantSet, field+" ("+rule+")")
	}
	if err == nil {
		return []string{fmt.Sprintf("assessed, want refused: %s", strings.Join(wantSet, ", "))}
	}
	if !errors.Is(err, dsr.ErrInvalid) {
		return []string{fmt.Sprintf("Assess: %v, want the case refused as invalid", err)}
	}
	var gotSet []string
	for _, e := range flattenJoined(err) {
		var ve *dsr.ValidationError
		if errors.As(e, &ve) {
			gotSet = append(gotSet, ve.Field+" ("+ve.Rule+")")
		}
	}
	slices.Sort(wantSet)
	slices.Sort(gotSet)
	if !slices.Equal(wantSet, gotSet) {
		return []string{fmt.Sprintf("refused with %s, want %s (%v)", strings.Join(gotSet, ", "), strings.Join(wantSet, ", "), err)}
	}
	return nil
}

// flattenJoined lists the errors an errors.Join holds (err itself if
// none).
func flattenJoined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flattenJoined(e)...)
		}
		return out
	}
	return []error{err}
}

// CompareAssessment checks every key of a partial want (see ScenarioResults)
// against an assessment decoded as generic JSON, and returns the problems
// found, none when they agree.
func CompareAssessment(want, got map[string]any) []string {
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(want)) {
		w := want[k]
		switch k {
		case "actions":
			problems = append(problems, compareActions(w, got["actions"])...)
		case "reason_rules":
			problems = append(problems, compareReasonRules(w, got)...)
		case "consent":
			wc, ok := w.(map[string]any)
			if !ok {
				problems = append(problems, "want.json: consent must be an object")
				continue
			}
			gc, _ := got["consent"].(map[string]any)
			for _, ck := range slices.Sorted(maps.Keys(wc)) {
				if ck != "valid" && ck != "given_by" {
					problems = append(problems, fmt.Sprintf("want.json: unknown consent key %q", ck))
					continue
				}
				if !sameValue(wc[ck], gc[ck]) {
					problems = append(problems, fmt.Sprintf("consent.%s: want %s, got %s", ck, show(wc[ck]), show(gc[ck])))
				}
			}
		case "eligible", "on_register", "rating", "agreed_rating", "rating_of_record", "review_type":
			if !sameValue(w, got[k]) {
				problems = append(problems, fmt.Sprintf("%s: want %s, got %s", k, show(w), show(got[k])))
			}
		default:
			problems = append(problems, fmt.Sprintf("want.json: unknown key %q", k))
		}
	}
	return problems
}

// sameValue compares JSON values, treating an absent value as the zero value
// of what is wanted (omitempty fields).
func sameValue(want, got any) bool {
	if got == nil {
		switch w := want.(type) {
		case nil:
			return true
		case string:
			return w == ""
		case bool:
			return !w
		case []any:
			return len(w) == 0
		}
	}
	return reflect.DeepEqual(want, got)
}

func show(v any) string {
	if v == nil {
		return "(absent)"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// actionKey is what an expected action is compared on.
type actionKey struct {
	Kind, From, Due, DueAt, Rule string
	Overdue                      bool
}

func (k actionKey) String() string {
	due := "due " + k.Due
	if k.DueAt != "" {
		due = "due_at " + k.DueAt
	}
	return fmt.Sprintf("%s from %s %s %s overdue=%v", k.Kind, k.From, due, k.Rule, k.Overdue)
}

var actionFields = []string{"kind", "from", "due", "due_at", "rule", "overdue"}

func toActionKey(v any, strict bool) (actionKey, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return actionKey{}, fmt.Errorf("an action must be an object, got %s", show(v))
	}
	if strict {
		for f := range m {
			if !slices.Contains(actionFields, f) {
				return actionKey{}, fmt.Errorf("unknown action key %q in %s", f, show(v))
			}
		}
		if _, ok := m["kind"]; !ok {
			return actionKey{}, fmt.Errorf("action without kind: %s", show(v))
		}
		if _, ok := m["rule"]; !ok {
			return actionKey{}, fmt.Errorf("action without rule: %s", show(v))
		}
	}
	str := func(f string) string {
		s, _ := m[f].(string)
		return s
	}
	k := actionKey{Kind: str("kind"), From: str("from"), Due: str("due"), Rule: str("rule")}
	k.Overdue, _ = m["overdue"].(bool)
	if s := str("due_at"); s != "" {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return actionKey{}, fmt.Errorf("due_at %q: %v", s, err)
		}
		k.DueAt = at.UTC().Format(time.RFC3339) // compare instants, not spellings
	}
	return k, nil
}

// compareActions compares want and got as multisets of actionKey.
func compareActions(want, got any) []string {
	wl, ok := want.([]any)
	if !ok && want != nil {
		return []string{"want.json: actions must be a list"}
	}
	gl, _ := got.([]any)
	count := map[actionKey]int{}
	var problems []string
	for _, w := range wl {
		k, err := toActionKey(w, true)
		if err != nil {
			problems = append(problems, "want.json: "+err.Error())
			continue
		}
		count[k]++
	}
	var unexpected, gotKeys []string
	for _, g := range gl {
		k, err := toActionKey(g, false)
		if err != nil {
			problems = append(problems, "assessment: "+err.Error())
			continue
		}
		gotKeys = append(gotKeys, k.String())
		if count[k] > 0 {
			count[k]--
			continue
		}
		unexpected = append(unexpected, k.String())
	}
	var missing []string
	for k, c := range count {
		for range c {
			missing = append(missing, k.String())
		}
	}
	if len(missing) == 0 && len(unexpected) == 0 {
		return problems
	}
	sort.Strings(missing)
	sort.Strings(unexpected)
	sort.Strings(gotKeys)
	var b strings.Builder
	b.WriteString("actions differ:")
	for _, m := range missing {
		b.WriteString("\n  - missing:    " + m)
	}
	for _, u := range unexpected {
		b.WriteString("\n  + unexpected: " + u)
	}
	b.WriteString("\n  got:")
	if len(gotKeys) == 0 {
		b.WriteString(" (none)")
	}
	for _, g := range gotKeys {
		b.WriteString("\n    " + g)
	}
	return append(problems, b.String())
}

// compareReasonRules checks that every wanted rule id appears among the
// assessment's reasons or consent.reasons.
func compareReasonRules(want any, got map[string]any) []string {
	wl, ok := want.([]any)
	if !ok {
		return []string{"want.json: reason_rules must be a list of rule ids"}
	}
	seen := map[string]bool{}
	collect := func(v any) {
		rs, _ := v.([]any)
		for _, r := range rs {
			if m, ok := r.(map[string]any); ok {
				if id, ok := m["rule"].(string); ok {
					seen[id] = true
				}
			}
		}
	}
	collect(got["reasons"])
	if c, ok := got["consent"].(map[string]any); ok {
		collect(c["reasons"])
	}
	var problems []string
	for _, w := range wl {
		id, _ := w.(string)
		if !seen[id] {
			ids := slices.Sorted(maps.Keys(seen))
			problems = append(problems, fmt.Sprintf("reason_rules: %s not among the reasons (got %s)", show(w), strings.Join(ids, ", ")))
		}
	}
	return problems
}
