package register

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// BatchResult says what AddAll (or CheckAll) does with each person given,
// by their position in the slice.
type BatchResult struct {
	// Added are the people added (or, for CheckAll, who would be).
	Added []int
	// Already are the people already on the register, so not added again:
	// a person ever added under the same local id, or a person on the
	// register who holds the same NHS number (each matched through its
	// pseudonym, never a scan).
	Already []int
}

// BatchError is AddAll's refusal: every person it could not add, by
// position. It matches what each failure matches (ErrInvalid,
// ErrConsentRequired, ErrConflict) with errors.Is and errors.As.
type BatchError struct {
	Failures []BatchFailure
}

// BatchFailure is one person AddAll could not add and why (the error Add
// would return for them, or a clash with another person of the batch).
type BatchFailure struct {
	Index int
	Err   error
}

// Error says how many were refused and why, the first five in full.
func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dsr: %d of the people to add refused, nothing added", len(e.Failures))
	for i, f := range e.Failures {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(e.Failures)-i)
			break
		}
		fmt.Fprintf(&b, "; #%d: %v", f.Index, f.Err)
	}
	return b.String()
}

// Unwrap returns each failure's error.
func (e *BatchError) Unwrap() []error {
	out := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		out[i] = f.Err
	}
	return out
}

// maxBatch bounds the people of one AddAll.
const maxBatch = 100_000

// AddAll puts many people on the register in one transaction, as Add puts
// one (the same checks, consent for inclusion included: R-CONS-1): either
// every person not already on the register is added, or, if any is
// refused, nobody and nothing is written and the error is a *BatchError
// naming each refusal by position. People already on the register (see
// BatchResult.Already) are skipped, not refused, so adding the same people
// twice adds nobody the second time. Two people of the batch with the same
// local id or NHS number are refused. The store must be a BatchStore.
func (r *Register) AddAll(ctx context.Context, people []NewPerson, by Actor, opts ...WriteOption) (BatchResult, error) {
	plan, err := r.planAll(ctx, people, by, opts, true)
	if err != nil || len(plan.reqs) == 0 {
		return plan.result, err
	}
	bs, ok := r.store.(BatchStore)
	if !ok {
		return BatchResult{}, fmt.Errorf("%w: AddAll: the store %T makes no batch appends (register.BatchStore)", dsr.ErrInvalid, r.store)
	}
	out, err := bs.AppendBatch(ctx, plan.reqs)
	if err != nil {
		return BatchResult{}, fmt.Errorf("dsr: adding %d people: %w", len(plan.result.Added), err)
	}
	last := out[len(out)-1]
	if err := r.checkpoint(ctx, last[len(last)-1], last[len(last)-1].Stream); err != nil {
		return plan.result, err
	}
	return plan.result, nil
}

// CheckAll checks people as AddAll would, writing nothing, and returns
// what AddAll would do, or its *BatchError.
func (r *Register) CheckAll(ctx context.Context, people []NewPerson, by Actor, opts ...WriteOption) (BatchResult, error) {
	plan, err := r.planAll(ctx, people, by, opts, false)
	return plan.result, err
}

type batchPlan struct {
	result BatchResult
	reqs   []AppendRequest
}

// planAll checks every person and builds the appends that add them: one
// claim per new NHS number, one append per name index stream, one new
// stream per person (unless build is false: only the checks).
func (r *Register) planAll(ctx context.Context, people []NewPerson, by Actor, opts []WriteOption, build bool) (batchPlan, error) {
	var plan batchPlan
	if err := by.validate(); err != nil {
		return plan, fmt.Errorf("dsr: adding people: %w", err)
	}
	if len(people) > maxBatch {
		return plan, fmt.Errorf("dsr: adding people: %w", invalid("people", "", "%d people, at most %d in one write", len(people), maxBatch))
	}
	w, err := r.whenOf(opts, calendar.Date{})
	if err != nil {
		return plan, fmt.Errorf("dsr: adding people: %w", err)
	}
	var fails []BatchFailure
	fail := func(i int, err error) { fails = append(fails, BatchFailure{Index: i, Err: err}) }
	type person struct {
		i      int
		stream string
		drafts []draft
	}
	var (
		add      []person
		ids      = map[string]int{}
		nhs      = map[string]int{} // index stream → position
		claims   []AppendRequest
		names    = map[string][]string{} // name index stream → person streams
		nameList []string
	)
	for i := range people {
		np := &people[i]
		if err := ctx.Err(); err != nil {
			return plan, err
		}
		if err := checkIDs(by, "person.id", np.Person.ID); err != nil {
			fail(i, err)
			continue
		}
		drafts, err := r.prepareAdd(ctx, np, w)
		if err != nil {
			fail(i, err)
			continue
		}
		if j, dup := ids[np.Person.ID]; dup {
			fail(i, fmt.Errorf("dsr: %w", invalid("person.id", "", "the same local id as person #%d of the batch: %v", j, ErrConflict)))
			continue
		}
		ids[np.Person.ID] = i
		stream := r.PersonStream(np.Person.ID)
		switch _, err := r.store.Stream(ctx, stream); {
		case err == nil:
			plan.result.Already = append(plan.result.Already, i)
			continue
		case !errors.Is(err, ErrNotFound):
			return batchPlan{}, err
		}
		if n := np.Person.NHSNumber; n != "" {
			idx := r.nhsStream(n)
			if j, dup := nhs[idx]; dup {
				fail(i, fmt.Errorf("dsr: %w", invalid("person.nhs_number", "", "the same NHS number as person #%d of the batch: one NHS number, one person", j)))
				continue
			}
			holder, s, err := r.nhsHolder(ctx, n)
			if err != nil {
				return batchPlan{}, err
			}
			if holder != "" {
				held, err := r.holds(ctx, holder, n)
				if err != nil {
					return batchPlan{}, err
				}
				if held {
					plan.result.Already = append(plan.result.Already, i)
					continue
				}
			}
			nhs[idx] = i
			if !build {
				add = append(add, person{i: i})
				plan.result.Added = append(plan.result.Added, i)
				continue
			}
			d := draft{RecordNHSClaimed, payload{Claim: stream}}
			var req AppendRequest
			if s == nil {
				key, err := r.newStreamKey(ctx, idx)
				if err != nil {
					return batchPlan{}, err
				}
				req, err = r.request(idx, 0, key, by, false, d)
				if err != nil {
					return batchPlan{}, err
				}
			} else {
				g, err := r.keys.aead(ctx, s)
				if err != nil {
					return batchPlan{}, err
				}
				if req, err = r.request(idx, s.Version, streamKey{aead: g}, by, false, d); err != nil {
					return batchPlan{}, err
				}
			}
			claims = append(claims, req)
		}
		if nameKey(np.Name) != "" {
			idx := r.nameStream(np.Name)
			if _, seen := names[idx]; !seen {
				nameList = append(nameList, idx)
			}
			names[idx] = append(names[idx], stream)
		}
		add = append(add, person{i: i, stream: stream, drafts: drafts})
		plan.result.Added = append(plan.result.Added, i)
	}
	if len(fails) > 0 {
		return batchPlan{}, &BatchError{Failures: fails}
	}
	if !build {
		return plan, nil
	}
	plan.reqs = claims
	for _, idx := range nameList {
		held, s, err := r.nameIndex(ctx, idx)
		if err != nil {
			return batchPlan{}, err
		}
		var ds []draft
		for _, stream := range names[idx] {
			if !contains(held, stream) {
				ds = append(ds, draft{RecordNameIndexed, payload{Claim: stream}})
			}
		}
		if len(ds) == 0 {
			continue
		}
		var key streamKey
		var version int64
		if s == nil {
			if key, err = r.newStreamKey(ctx, idx); err != nil {
				return batchPlan{}, err
			}
		} else {
			g, err := r.keys.aead(ctx, s)
			if err != nil {
				return batchPlan{}, err
			}
			key, version = streamKey{aead: g}, s.Version
		}
		req, err := r.request(idx, version, key, by, false, ds...)
		if err != nil {
			return batchPlan{}, err
		}
		plan.reqs = append(plan.reqs, req)
	}
	for _, p := range add {
		key, err := r.newStreamKey(ctx, p.stream)
		if err != nil {
			return batchPlan{}, err
		}
		req, err := r.request(p.stream, 0, key, by, false, p.drafts...)
		if err != nil {
			return batchPlan{}, err
		}
		plan.reqs = append(plan.reqs, req)
	}
	return plan, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
