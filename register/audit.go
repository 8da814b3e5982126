package register

import (
	"cmp"
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The roles an Actor may have. They are kept in the clear with every
// record, with the actor's id: staff ids and roles are not the person's
// data. A host (or the service) decides who may do what by role; the
// register refuses a role outside this set.
const (
	// RoleViewer reads people's records.
	RoleViewer = "viewer"
	// RoleCoordinator keeps people's records: adds, records, reports,
	// agrees ratings, files reviews and meetings.
	RoleCoordinator = "coordinator"
	// RoleAnalyst reads for reporting and policy comparisons.
	RoleAnalyst = "analyst"
	// RoleAdmin runs the register: rekeys, verifies, reads the audit.
	RoleAdmin = "admin"
)

// Roles lists the roles an Actor may have.
var Roles = []string{RoleViewer, RoleCoordinator, RoleAnalyst, RoleAdmin}

const auditStreamPrefix = "audit/"

// auditStream names the stream of the reads of a person's data: "audit/"
// and the person's pseudonym, the same as their stream's.
func (r *Register) auditStream(id string) string {
	return auditStreamPrefix + r.keys.pseudonymOf("person", id)
}

// ReadOption refines one read.
type ReadOption func(*readOpts)

type readOpts struct{ why string }

// Because records why a read was made (a meeting, a request) with its
// audit record, sealed like the person's records.
func Because(why string) ReadOption { return func(o *readOpts) { o.why = why } }

// ReadAudit is what a read's audit record holds, sealed: what was read and
// why, if given.
type ReadAudit struct {
	What string `json:"what"`
	Why  string `json:"why,omitempty"`
}

// maxAuditRetries bounds the retries of a read's audit record when other
// reads of the same person race it.
const maxAuditRetries = 50

// audit appends the audit record of a read of person id's data (what) by
// by to the person's audit stream, in the same keyed chain as every
// record. The read's data is returned only once its audit is written.
func (r *Register) audit(ctx context.Context, id, what string, by Actor, opts []ReadOption) error {
	var o readOpts
	for _, f := range opts {
		f(&o)
	}
	name := r.auditStream(id)
	d := draft{AuditRead, payload{Read: &ReadAudit{What: what, Why: o.why}}}
	for range maxAuditRetries {
		s, err := r.store.Stream(ctx, name)
		var key streamKey
		switch {
		case err == nil && s.KeyDestroyed:
			return nil // an erased person's reads are no longer kept: nothing identifiable is read
		case errors.Is(err, ErrNotFound):
			if key, err = r.newStreamKey(ctx, name); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("dsr: auditing a read of a person: %w", err)
		default:
			if err := r.keys.checkStream(&s); err != nil {
				return err
			}
			g, err := r.keys.aead(ctx, &s)
			if err != nil {
				return err
			}
			key = streamKey{aead: g}
		}
		err = r.append(ctx, name, s.Version, key, by, false, d)
		if !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("dsr: auditing a read of a person: %d writers raced: %w", maxAuditRetries, ErrConflict)
}

// AuditEntry is one line of a person's audit: a write to their records or
// a read of them.
type AuditEntry struct {
	Seq int64     `json:"seq"`
	At  time.Time `json:"at"`
	By  Actor     `json:"by"`
	// Read is set for a read; Type is the record's type for a write (its
	// real type while the person's records can be read, the audit type
	// once erased).
	Read bool   `json:"read,omitempty"`
	Type string `json:"type"`
	// What and Why say what was read and why (empty once erased).
	What string `json:"what,omitempty"`
	Why  string `json:"why,omitempty"`
	// Occurred is when what a write records happened, for one entered
	// after the fact (At); At is when it was entered.
	Occurred time.Time `json:"occurred,omitzero"`
}

// Audit lists who wrote and who read a person's records, in log order.
// After erasure it still lists who and when, by audit type. It is itself
// not audited: it holds nothing identifiable. by must be an admin.
func (r *Register) Audit(ctx context.Context, id string, by Actor) ([]AuditEntry, error) {
	if err := by.validate(); err != nil {
		return nil, fmt.Errorf("dsr: auditing a person: %w", err)
	}
	if by.Role != RoleAdmin {
		return nil, fmt.Errorf("dsr: auditing a person: %w", invalid("by.role", "", "%q may not read the audit: it takes %s", by.Role, RoleAdmin))
	}
	var out []AuditEntry
	for _, name := range []string{r.PersonStream(id), r.auditStream(id)} {
		s, err := r.store.Stream(ctx, name)
		if errors.Is(err, ErrNotFound) && strings.HasPrefix(name, auditStreamPrefix) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("dsr: the person's record: %w", err)
		}
		if err := r.keys.checkStream(&s); err != nil {
			return nil, err
		}
		var g cipher.AEAD
		if !s.KeyDestroyed {
			if g, err = r.keys.aead(ctx, &s); err != nil {
				return nil, err
			}
		}
		for i := range s.Records {
			rec := &s.Records[i]
			e := AuditEntry{Seq: rec.Seq, At: rec.At, By: Actor{rec.ActorID, rec.ActorRole}, Type: rec.Type, Read: rec.Type == AuditRead}
			if g != nil {
				p, err := openPayload(g, rec)
				if err != nil {
					return nil, err
				}
				e.Type = realType(rec, &p)
				if p.Read != nil {
					e.What, e.Why = p.Read.What, p.Read.Why
				}
				e.Occurred = p.Occurred
			}
			out = append(out, e)
		}
	}
	bulk, err := r.bulkReadsOf(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("dsr: reading the register's bulk reads: %w", err)
	}
	out = append(out, bulk...)
	slices.SortFunc(out, func(a, b AuditEntry) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}
