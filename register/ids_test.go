package register_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// Every write method refuses an id outside the documented character set,
// naming the field, and writes nothing: a newline or a terminal escape in
// an id would forge a row of the worklist or a line of the audit trail.
func TestWritesRefuseBadIDs(t *testing.T) {
	reg, store, _ := newReg(t)
	mustAdd(t, reg, regPerson("p1", 1))
	before := logLength(t, store) // the add's records (its NHS number's claim among them)
	bad := []string{"", "p1\nforged", "p1\x1b[2J", strings.Repeat("p", dsr.MaxIDLength+1), "p 1", "pé"}
	ev := dsr.Event{Type: dsr.EventReviewHeld, Date: regDay("2026-03-20"), Kind: dsr.ReviewCommunity}
	for _, id := range bad {
		writes := map[string]struct {
			field string
			err   error
		}{
			"Add":           {"person.id", reg.Add(regCtx, regPerson(id, 2), regStaff)},
			"Record":        {"id", reg.Record(regCtx, id, ev, regStaff)},
			"Report":        {"id", reg.Report(regCtx, id, regDay("2026-04-01"), dsr.Circumstances{}, regStaff)},
			"UpdateDetails": {"id", reg.UpdateDetails(regCtx, id, register.Details{Person: dsr.Person{ID: id}}, regStaff)},
			"Agree":         {"id", reg.Agree(regCtx, id, dsr.Red, "", regStaff)},
			"Remove":        {"id", reg.Remove(regCtx, id, register.RemovedMovedArea, regStaff, "")},
			"Refer":         {"id", reg.Refer(regCtx, register.Referral{ID: id, Source: "self", Received: regDay("2026-03-30")}, regStaff)},
			"Refer person":  {"person_id", reg.Refer(regCtx, register.Referral{ID: "r1", PersonID: id + "\n", Source: "self", Received: regDay("2026-03-30")}, regStaff)},
			"Decide":        {"id", reg.Decide(regCtx, id, register.Accept, "r", "n", regStaff)},
			"File":          {"id", reg.File(regCtx, id, register.Document{}, nil, regStaff)},
			"Record by":     {"by.id", reg.Record(regCtx, "p1", ev, register.Actor{ID: id + "\n", Role: "coordinator"})},
		}
		for name, w := range writes {
			var ve *dsr.ValidationError
			if !errors.As(w.err, &ve) || !errors.Is(w.err, dsr.ErrInvalid) {
				t.Errorf("%s with id %q = %v, want a ValidationError", name, id, w.err)
				continue
			}
			if !strings.Contains(w.err.Error(), w.field+": ") {
				t.Errorf("%s with id %q = %v, want it to name %s", name, id, w.err, w.field)
			}
		}
	}
	if n := logLength(t, store); n != before {
		t.Fatalf("the log holds %d records after refused writes, want the %d of the add", n, before)
	}
}
