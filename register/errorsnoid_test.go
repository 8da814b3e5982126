package register_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// TestErrorsNameNobody: the register's errors say what went wrong and
// never carry the person's local id or NHS number: errors are printed by
// the CLI, shown by hosts and logged.
func TestErrorsNameNobody(t *testing.T) {
	reg, _, _ := newReg(t)
	const id = "zq-ident-7731"
	np := regPerson(id, 7)
	nhs := string(np.Person.NHSNumber)
	mustAdd(t, reg, np)
	gone := regPerson("zq-gone-5512", 8)
	mustAdd(t, reg, gone)
	require.NoError(t, reg.Record(regCtx, gone.Person.ID, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: regDay("2026-04-01")}, regStaff))
	noConsent := regPerson("zq-noconsent-4410", 9)
	noConsent.Events = nil

	var errs []error
	add := func(err error) { require.Error(t, err); errs = append(errs, err) }
	add(reg.Add(regCtx, np, regStaff))
	add(reg.Add(regCtx, noConsent, regStaff))
	add(reg.Record(regCtx, "zq-unknown-9981", dsr.Event{Type: dsr.EventDischarged, Date: regDay("2026-03-01")}, regStaff))
	add(reg.Record(regCtx, id, dsr.Event{Type: dsr.EventDischarged, Date: regDay("2026-03-01")}, regStaff))
	add(reg.Record(regCtx, id, dsr.Event{Type: dsr.EventAdmitted, Date: regDay("2027-01-01")}, regStaff))
	add(reg.Agree(regCtx, id, dsr.Unrated, "x", regStaff))
	add(reg.Remove(regCtx, id, register.RemovalReason("bored"), regStaff, ""))
	add(reg.Report(regCtx, id, regDay("2027-01-01"), dsr.Circumstances{}, regStaff))
	add(reg.UpdateDetails(regCtx, id, register.Details{Person: dsr.Person{ID: "zq-other-3321"}}, regStaff))
	_, err := reg.Details(regCtx, gone.Person.ID, regStaff)
	add(err)
	_, err = reg.Details(regCtx, "zq-unknown-9981", regStaff)
	add(err)
	_, err = reg.Case(regCtx, gone.Person.ID, regDay("2026-04-01"), regStaff)
	add(err)
	_, err = reg.Assess(regCtx, "zq-unknown-9981", regDay("2026-04-01"))
	add(err)
	for _, err := range errs {
		msg := err.Error()
		for _, secret := range []string{id, nhs, gone.Person.ID, noConsent.Person.ID, "zq-unknown-9981", "zq-other-3321", np.Name, np.Address} {
			if strings.Contains(msg, secret) {
				t.Errorf("an error names %q: %s", secret, msg)
			}
		}
	}
	var ce *register.ConsentError
	require.ErrorAs(t, errs[1], &ce)
	require.Equal(t, noConsent.Person.ID, ce.PersonID, "the id stays in the error's field for the host")
}
