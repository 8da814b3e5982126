package register

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
)

// dueCacheFormat is part of every due-cache key: a change to what the
// register puts in a person's items (documentItems, mergeItems) bumps it,
// so rows written by another build are recomputed, never served.
const dueCacheFormat = "due-cache 2"

// PolicyNamer is what rules implement to have their worklist items cached
// across processes (policies.Engine does): the bundle's name, version and
// the digest of its files and parameters in force, which key the cache.
type PolicyNamer interface {
	Policy() dsr.PolicyRef
}

// dueDigest is what a person's cached items were assessed with besides
// their stream and the date: the rules' policy (name, version, digest of
// files and parameters, engines) and the document kinds the register
// knows. It is "" (no persisted cache) for rules that do not name their
// policy.
func (r *Register) dueDigest() string {
	pn, ok := r.rules.(PolicyNamer)
	if !ok {
		return ""
	}
	p := pn.Policy()
	if p.Digest == "" {
		return ""
	}
	kinds := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	h := sha256.New()
	for _, s := range append([]string{dueCacheFormat, p.Name, p.Version, p.Digest, p.Engine}, kinds...) {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dueBatch is how many due-cache rows Due writes in one transaction.
const dueBatch = 512

// dueCached is Due's worklist of people through the persisted due cache of
// a SideStore: one pass over the streams' rows and due-cache rows (no
// records) serves every person whose row is for their stream's version
// and head, the date and the digest; only the others are read in full,
// checked and assessed, and their rows written. ok is false when the
// persisted cache does not apply (another store, rules without a policy
// digest, the cache turned off).
func (r *Register) dueCached(ctx context.Context, asOf calendar.Date) (items []WorkItem, ok bool, err error) {
	results, ok, err := r.duePeople(ctx, asOf)
	if !ok || err != nil {
		return nil, ok, err
	}
	n := 0
	for i := range results {
		n += len(results[i].items)
	}
	items = make([]WorkItem, 0, n)
	for i := range results {
		items = append(items, results[i].items...)
		results[i].items = nil
	}
	return items, true, nil
}

// duePeople is dueCached's pass, person by person, in stream order: each
// one's items and ratings.
func (r *Register) duePeople(ctx context.Context, asOf calendar.Date) (results []personItems, ok bool, err error) {
	ss, isSide := r.store.(SideStore)
	if !isSide || r.noDueCache {
		return nil, false, nil
	}
	digest := r.dueDigest()
	if digest == "" {
		return nil, false, nil
	}
	extra := []byte(asOf.String() + "\x00" + digest)
	var mu sync.Mutex
	var stale []string
	total := 0
	err = inParallel(ctx, r.workers, func(emit func(Stream, []byte) error) error {
		err := ss.Sides(ctx, personStreamPrefix, false, func(row Stream, _, due []byte) error {
			total++
			return emit(row, due)
		})
		if err != nil && ctx.Err() == nil {
			return fmt.Errorf("dsr: reading the register: %w", err)
		}
		return err
	}, func(row *Stream, due []byte) error {
		pi, hit := r.dueHit(ctx, row, due, asOf, extra)
		mu.Lock()
		defer mu.Unlock()
		if hit {
			results = append(results, pi)
		} else {
			stale = append(stale, row.Name)
		}
		return nil
	})
	if err != nil {
		return nil, true, err
	}
	if len(stale) > 0 {
		if err := r.dueStale(ctx, ss, stale, total, asOf, extra, &mu, &results); err != nil {
			return nil, true, err
		}
	}
	slices.SortFunc(results, func(a, b personItems) int { return strings.Compare(a.stream, b.stream) })
	return results, true, nil
}

// personItems are one person's worklist items, by their stream's name,
// and their ratings on the date (for List: a person may have no items).
type personItems struct {
	ratings dueRatings
	stream  string
	items   []WorkItem
}

// dueHit returns a person's items from their due row, if it is for the
// stream's row as it is now. The items are not kept in memory as well: the
// store has them, and a register of 100,000 people would hold them all.
func (r *Register) dueHit(ctx context.Context, row *Stream, due []byte, asOf calendar.Date, extra []byte) (personItems, bool) {
	if row.KeyDestroyed || !hmac.Equal(r.keys.StreamMAC(row), row.MAC) {
		return personItems{}, false // read in full: an erased person, or a broken row to report
	}
	if due == nil {
		return personItems{}, false
	}
	g, err := r.keys.aead(ctx, row)
	if err != nil {
		return personItems{}, false
	}
	pt, err := r.keys.openSide(g, row, sideDue, extra, due)
	if err != nil {
		return personItems{}, false
	}
	rt, rest, ok := parseDueRatings(pt)
	if !ok {
		return personItems{}, false
	}
	its, err := decodeItems(rest)
	if err != nil {
		return personItems{}, false
	}
	return personItems{stream: row.Name, items: its, ratings: rt}, true
}

// dueStale reads in full, checks and assesses the people dueCached could
// not serve from their rows, and writes their due rows. It reads each
// stream on its own when few are stale, else in one pass over them all.
func (r *Register) dueStale(ctx context.Context, ss SideStore, stale []string, total int, asOf calendar.Date, extra []byte, mu *sync.Mutex, results *[]personItems) error {
	slices.Sort(stale)
	var pmu sync.Mutex
	var pending []DueRow
	flush := func(all bool) {
		pmu.Lock()
		if len(pending) == 0 || (!all && len(pending) < dueBatch) {
			pmu.Unlock()
			return
		}
		batch := pending
		pending = nil
		pmu.Unlock()
		// A due row that cannot be written (a read-only database, say) is
		// not an error: the worklist is complete without it.
		_ = ss.PutDue(ctx, batch)
	}
	produce := func(emit func(Stream, []byte) error) error {
		if len(stale)*4 < total {
			for _, name := range stale {
				s, err := r.store.Stream(ctx, name)
				if errors.Is(err, ErrNotFound) {
					continue // gone since the first pass: a broken store Verify reports
				}
				if err != nil {
					return err
				}
				if err := emit(s, nil); err != nil {
					return err
				}
			}
			return nil
		}
		return r.store.Streams(ctx, personStreamPrefix, func(s Stream) error {
			if _, found := slices.BinarySearch(stale, s.Name); !found {
				return nil
			}
			return emit(s, nil)
		})
	}
	err := inParallel(ctx, r.workers, produce, func(s *Stream, _ []byte) error {
		if err := r.keys.checkStream(s); err != nil {
			return err
		}
		its, rt, err := r.assessRated(ctx, s, asOf)
		if err != nil {
			return err
		}
		mu.Lock()
		*results = append(*results, personItems{stream: s.Name, items: its, ratings: rt})
		mu.Unlock()
		if s.KeyDestroyed {
			return nil
		}
		g, err := r.keys.aead(ctx, s)
		if err != nil {
			return err
		}
		b, err := encodeItems(its)
		if err != nil {
			return err
		}
		b = append(rt.bytes(), b...)
		row := DueRow{Stream: s.Name, Version: s.Version,
			Data: r.keys.sealSide(g, s.Name, sideHeader{kind: sideDue, version: s.Version, head: s.Head, extra: extra}, b)}
		pmu.Lock()
		pending = append(pending, row)
		pmu.Unlock()
		flush(false)
		return nil
	})
	if err != nil {
		return err
	}
	flush(true)
	return nil
}

// inParallel runs work on what produce emits, in n goroutines, and returns
// the first error of either (the rest of the work is abandoned). produce
// runs in the caller's goroutine and waits when the workers are busy, so
// no more than a few streams are held at once.
func inParallel(ctx context.Context, n int, produce func(emit func(Stream, []byte) error) error, work func(*Stream, []byte) error) error {
	type job struct {
		s   Stream
		due []byte
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan job, 4*n)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	fail := func(err error) {
		once.Do(func() { first = err; cancel(err) })
	}
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				if err := work(&j.s, j.due); err != nil {
					fail(err)
				}
			}
		}()
	}
	perr := produce(func(s Stream, due []byte) error {
		select {
		case jobs <- job{s, due}:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(jobs)
	wg.Wait()
	if first != nil {
		return first
	}
	if perr != nil {
		return perr
	}
	return ctx.Err()
}

// dueWithReferrals finishes Due's worklist of people: the requests to join
// due, then the order of SortWorklist.
func (r *Register) dueWithReferrals(ctx context.Context, asOf calendar.Date, items []WorkItem, err error) ([]WorkItem, error) {
	if err != nil {
		return nil, err
	}
	refs, err := r.referralsDue(ctx, asOf)
	if err != nil {
		return nil, err
	}
	items = append(items, refs...)
	SortWorklist(items)
	return items, nil
}

// compareWork is SortWorklist's order: overdue first, then due date, due
// instant, person, request, kind and rule, each compared only when the
// ones before tie (a worklist of 100,000 items is compared some two million
// times).
func compareWork(a, b WorkItem) int {
	if a.Overdue != b.Overdue {
		if a.Overdue {
			return -1
		}
		return 1
	}
	if c := a.DueDate().Compare(b.DueDate()); c != 0 {
		return c
	}
	if c := a.DueAt.Compare(b.DueAt); c != 0 {
		return c
	}
	if c := strings.Compare(a.PersonID, b.PersonID); c != 0 {
		return c
	}
	if c := strings.Compare(a.ReferralID, b.ReferralID); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Kind), string(b.Kind)); c != 0 {
		return c
	}
	return strings.Compare(a.Rule, b.Rule)
}
