package register

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// maxDetailsText bounds a name or an address.
const maxDetailsText = 500

// A change of details is kept as a JSON merge patch (RFC 7396) over the
// JSON of Details: only the members that changed, a null for one removed.
// So a details_updated record says what changed and nothing else (R-DATA-1),
// and replaying the patches rebuilds the details as they stood at each
// record.

// ChangeDetails applies patch, a JSON merge patch over the person's Details
// (members "person", "name", "address", "entry"; null removes a member), and
// records what changed as a details_updated record. The result is decoded
// as strictly as any input and checked as Add checks a new person (the
// person's id cannot change; consent for inclusion must hold; an NHS number
// belongs to one person): a fault returns a *ValidationError naming the
// field and writes nothing. A patch that changes nothing writes nothing.
// It returns the details as changed and the paths of the members that
// changed ("entry.placement", "name"), sorted.
func (r *Register) ChangeDetails(ctx context.Context, id string, patch []byte, by Actor, opts ...WriteOption) (Details, []string, error) {
	if err := checkIDs(by, "id", id); err != nil {
		return Details{}, nil, err
	}
	if err := by.validate(); err != nil {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
	}
	var p map[string]any
	if err := dsr.UnmarshalStrict(patch, &p); err != nil {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
	}
	if p == nil {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", invalid("details", "R-DATA-1", "want a JSON object of the members to change"))
	}
	st, err := r.writable(ctx, id, opts)
	if err != nil {
		return Details{}, nil, err
	}
	cur, err := detailsObject(st.details)
	if err != nil {
		return Details{}, nil, err
	}
	merged, err := json.Marshal(mergePatch(cur, p))
	if err != nil {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
	}
	var d Details
	if err := dsr.UnmarshalStrict(merged, &d); err != nil {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
	}
	return r.changeDetails(ctx, st, d, by, opts)
}

// changeDetails checks d against the person's state and records the
// difference from their current details.
func (r *Register) changeDetails(ctx context.Context, st *personState, d Details, by Actor, opts []WriteOption) (Details, []string, error) {
	id := st.id
	if d.Person.ID != id {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", invalid("person.id", "", "the local id cannot change: a new id is a new person"))
	}
	w, err := r.whenOf(opts, st.lastDay())
	if err != nil {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
	}
	c := st.caseOn(w.day, true)
	c.Person = d.Person
	errs := []error{c.Validate(), d.validate(w.day)}
	if err := errors.Join(errs...); err != nil {
		return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
	}
	old, err := detailsObject(st.details)
	if err != nil {
		return Details{}, nil, err
	}
	next, err := detailsObject(d)
	if err != nil {
		return Details{}, nil, err
	}
	diff := mergeDiff(old, next)
	if len(diff) == 0 {
		return d, nil, nil
	}
	dec, err := r.consentOn(ctx, &c)
	if err != nil {
		return Details{}, nil, err
	}
	if !dec.Valid {
		return Details{}, nil, &ConsentError{PersonID: id, Reasons: dec.Reasons}
	}
	if d.Person.NHSNumber != st.details.Person.NHSNumber {
		if err := r.claimNHS(ctx, d.Person.NHSNumber, st.stream, by); err != nil {
			return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
		}
	}
	if nameKey(d.Name) != nameKey(st.details.Name) {
		if err := r.indexName(ctx, d.Name, st.stream, by); err != nil {
			return Details{}, nil, fmt.Errorf("dsr: updating a person: %w", err)
		}
	}
	changes, err := json.Marshal(diff)
	if err != nil {
		return Details{}, nil, err
	}
	err = r.append(ctx, st.stream, st.version, st.key(), by, false,
		draft{RecordDetailsUpdated, payload{Changes: changes, Occurred: w.at}})
	if err != nil {
		return Details{}, nil, err
	}
	return d, patchPaths(diff, ""), nil
}

// validate checks what Case.Validate does not: the register entry and the
// free text of the details.
func (d *Details) validate(asOf calendar.Date) error {
	errs := []error{
		dsr.CheckText("name", "R-DATA-1", d.Name, maxDetailsText),
		dsr.CheckText("address", "R-DATA-1", d.Address, maxDetailsText),
		d.Entry.Validate("entry", asOf),
	}
	return errors.Join(errs...)
}

// detailsObject is d as a JSON object, numbers kept exact.
func detailsObject(d Details) (map[string]any, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("dsr: encoding details: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("dsr: encoding details: %w", err)
	}
	return m, nil
}

// mergePatch applies an RFC 7396 merge patch to target (which it may
// change) and returns the result.
func mergePatch(target map[string]any, patch map[string]any) map[string]any {
	if target == nil {
		target = map[string]any{}
	}
	for k, v := range patch {
		switch v := v.(type) {
		case nil:
			delete(target, k)
		case map[string]any:
			sub, _ := target[k].(map[string]any)
			target[k] = mergePatch(sub, v)
		default:
			target[k] = v
		}
	}
	return target
}

// mergeDiff returns the merge patch that turns from into to: members
// removed are null, objects are compared member by member, anything else
// (arrays among them) is replaced whole.
func mergeDiff(from, to map[string]any) map[string]any {
	out := map[string]any{}
	for k := range from {
		if _, ok := to[k]; !ok {
			out[k] = nil
		}
	}
	for k, v := range to {
		old, had := from[k]
		sub, isObj := v.(map[string]any)
		oldSub, wasObj := old.(map[string]any)
		switch {
		case had && isObj && wasObj:
			if d := mergeDiff(oldSub, sub); len(d) > 0 {
				out[k] = d
			}
		case !had || !reflect.DeepEqual(old, v):
			out[k] = v
		}
	}
	return out
}

// patchPaths lists the leaf members a merge patch sets or removes, as
// dotted paths, sorted.
func patchPaths(p map[string]any, prefix string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(p)) {
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		if sub, ok := p[k].(map[string]any); ok && len(sub) > 0 {
			out = append(out, patchPaths(sub, path)...)
			continue
		}
		out = append(out, path)
	}
	return out
}

// applyChanges applies a recorded change of details to d.
func applyChanges(d *Details, changes json.RawMessage) {
	cur, err := detailsObject(*d)
	if err != nil {
		return
	}
	var p map[string]any
	dec := json.NewDecoder(bytes.NewReader(changes))
	dec.UseNumber()
	if dec.Decode(&p) != nil {
		return
	}
	b, err := json.Marshal(mergePatch(cur, p))
	if err != nil {
		return
	}
	var next Details
	if json.Unmarshal(b, &next) == nil {
		*d = next
	}
}

// changedPaths lists the members a recorded change of details touched.
func changedPaths(changes json.RawMessage) []string {
	var p map[string]any
	if json.Unmarshal(changes, &p) != nil {
		return nil
	}
	return patchPaths(p, "")
}

// nameKey is the form of a name the name index is keyed by: case folded,
// runs of white space as one space.
func nameKey(name string) string {
	return strings.Join(strings.Fields(strings.ToLower(name)), " ")
}
