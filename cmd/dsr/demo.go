package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"text/tabwriter"
	"time"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/progress"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
)

const demoUsageText = `Usage: dsr demo [--db FILE] [--people N] [--seed N] [--as-of DATE] [--quiet] [--timeout D]

Create (or reopen) a SQLite register, load a synthetic population generated
deterministically from the seed (NHS numbers from the 999 test range, no
real people), and print the worklist and a summary by rating.

Options:
  --db FILE      the register file (default dsr-demo.db)
  --people N     how many synthetic people to load into a new register (default 240)
  --seed N       the seed of the population (default 1)
  --as-of DATE   the date of the worklist (default 2026-04-01)
  --policy NAME  embedded policy bundle (default %s)
` + progressUsageText + timeoutUsageText

func demoUsage(w io.Writer) { fmt.Fprintf(w, demoUsageText, policies.DefaultBundle) }

var demoStaff = register.Actor{ID: "demo-loader", Role: "admin"}

// runDemo is `dsr demo`.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("demo")
	db := fset.String("db", "dsr-demo.db", "register file")
	people := fset.Int("people", 240, "people")
	seed := fset.Uint64("seed", 1, "seed")
	asOfFlag := fset.String("as-of", "2026-04-01", "date")
	policy := fset.String("policy", policies.DefaultBundle, "policy bundle")
	keyFile := fset.String("key-file", "", "the register's key file")
	prog := addProgressFlags(fset)
	timeoutFlag(ctx, fset)
	if _, code, ok := parseCommand(fset, args, demoUsage, stdout, stderr, 0, ""); !ok {
		return code
	}
	asOf, err := calendar.ParseDate(*asOfFlag)
	if err != nil {
		err = fmt.Errorf("--as-of: %w", err)
	} else if *people < 1 || *people > 100_000 {
		err = fmt.Errorf("--people %d: want 1 to 100000", *people)
	}
	if err != nil {
		errorf(stderr, "demo: %v", err)
		demoUsage(stderr)
		return exitUsage
	}
	start := time.Now()
	noon := asOf.Start().Add(12 * time.Hour)
	if registerMissing(*db) {
		errorf(stderr, "demo: creating the register %s", *db)
	}
	reg, store, _, err := openRegister(ctx, *db, *policy, nil, *keyFile, stderr, register.WithClock(func() time.Time { return noon }))
	if err != nil {
		errorf(stderr, "demo: %v", err)
		return exitFailure
	}
	defer store.Close()

	bar := prog.start(stderr, "demo", "people", *people)
	ids, refused, err := loadDemo(ctx, reg, *people, *seed, asOf, bar)
	bar.Finish()
	if err != nil {
		errorf(stderr, "demo: %v", err)
		return exitFailure
	}
	items, err := reg.Due(ctx, asOf)
	if err != nil {
		errorf(stderr, "demo: %v", err)
		return exitFailure
	}
	printWorklist(stdout, items, nil, asOf)
	if err := printSummary(ctx, stdout, reg, ids, refused, items, asOf); err != nil {
		errorf(stderr, "demo: %v", err)
		return exitFailure
	}
	if err := reg.Verify(ctx); err != nil {
		errorf(stderr, "demo: %v", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "\nRegister %s verified (hash chain intact); done in %s.\n", shownDB(*db), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "Try: go run ./cmd/dsr register history %s --db %s\n", ids[0], shownDB(*db))
	return exitOK
}

func demoID(i int) string { return fmt.Sprintf("syn-%04d", i+1) }

// loadDemo adds the synthetic population unless the register already holds
// it, and returns the ids of the people and how many the consent gate
// refused.
func loadDemo(ctx context.Context, reg *register.Register, n int, seed uint64, asOf calendar.Date, bar *progress.Reporter) (ids []string, refused int, err error) {
	rng := rand.New(rand.NewPCG(seed, 0x64737221))
	_, verr := reg.Version(ctx, demoID(0))
	fresh := errors.Is(verr, register.ErrNotFound)
	for i := range n {
		bar.Add(1)
		np := synthPerson(rng, i, asOf)
		if !fresh {
			if _, err := reg.Version(ctx, np.Person.ID); err == nil {
				ids = append(ids, np.Person.ID)
			} else if errors.Is(err, register.ErrNotFound) {
				refused++
			}
			continue
		}
		switch err := reg.Add(ctx, np, demoStaff); {
		case errors.Is(err, register.ErrConsentRequired):
			refused++
		case err != nil:
			return nil, 0, fmt.Errorf("adding %s: %w", np.Person.ID, err)
		default:
			ids = append(ids, np.Person.ID)
		}
	}
	if fresh {
		for i, ref := range []register.Referral{
			{ID: "req-001", Source: "family", Received: asOf.AddDays(-35), Summary: "family asks for inclusion after a placement breakdown"},
			{ID: "req-002", Source: "professional", Received: asOf.AddDays(-6), Summary: "school SENCO reports escalating behaviour"},
			{ID: "req-003", Source: "self", Received: asOf.AddDays(-20), Summary: "asks to join"},
		} {
			if err := reg.Refer(ctx, ref, demoStaff); err != nil {
				return nil, 0, err
			}
			if i == 2 {
				if err := reg.Decide(ctx, ref.ID, register.Decline, "not at risk of admission now", "signposted to the community team; re-refer if things change", demoStaff); err != nil {
					return nil, 0, err
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil, 0, errors.New("nobody is on the register")
	}
	return ids, refused, nil
}

// synthPerson draws synthetic person i: a realistic mix of ages, diagnoses,
// consent, circumstances and history, all before asOf.
func synthPerson(rng *rand.Rand, i int, asOf calendar.Date) register.NewPerson {
	pct := func(p int) bool { return rng.IntN(100) < p }
	between := func(lo, hi int) int { return lo + rng.IntN(hi-lo+1) }
	var age int
	switch r := rng.IntN(10); {
	case r < 3:
		age = between(5, 15)
	case r < 5:
		age = between(16, 25)
	default:
		age = between(26, 65)
	}
	dob := asOf.AddDays(-age*365 - rng.IntN(365))
	p := dsr.Person{
		ID: demoID(i), NHSNumber: dsr.TestNHSNumber(100000 + i), DateOfBirth: dob,
		LocalAuthority: "Synthetic Borough", Postcode: "ZZ99 3VZ",
		KnownToKeyworker: pct(30), KnownToServices: pct(50),
	}
	switch rng.IntN(3) {
	case 0:
		p.Autism = true
	case 1:
		p.LearningDisability = true
	default:
		p.Autism, p.LearningDisability = true, true
	}
	p.EHCP = age < 26 && pct(40)
	p.LacksCapacity = age >= 16 && pct(20)
	p.GillickCompetent = age < 16 && pct(20)

	np := register.NewPerson{Details: register.Details{Person: p, Name: fmt.Sprintf("Synthetic Person %04d", i+1), Address: fmt.Sprintf("%d Example Street, Testtown", i+1)}}
	c := &np.Circumstances
	c.InCrisis = pct(18)
	c.CommunityCannotManage = c.InCrisis && pct(70)
	c.AdmissionBeingConsidered = pct(5)
	c.MentalHealthDeteriorating = pct(20)
	c.PlacementBreakdownRisk = pct(10)
	c.EscalatingBehaviour = pct(12)
	c.SeriousHarmRisk = pct(5)
	c.UnstableEnvironment = pct(25)
	c.LookedAfterOrCareLeaver = age < 26 && pct(20)
	c.SpecialistBehaviourServices = pct(25)
	c.NoPlannedTransition = age >= 14 && age < 26 && pct(20)

	consented := asOf.AddDays(-between(20, 400))
	if consented.Before(dob) {
		consented = dob
	}
	ev := func(e dsr.Event) { np.Events = append(np.Events, e) }
	ev(dsr.Event{Type: dsr.EventReferralReceived, Date: consented.AddDays(-rng.IntN(14)), By: []string{"self", "family", "professional"}[rng.IntN(3)]})
	if np.Events[0].Date.Before(dob) {
		np.Events[0].Date = dob
	}
	ageThen := calendar.YearsBetween(dob, consented)
	sixteenth := dob.AddMonths(16 * 12)
	switch {
	case pct(3):
		// No consent recorded: the register refuses to hold them (R-CONS-1).
	case ageThen < 16:
		by := dsr.ByParent
		if p.GillickCompetent && pct(50) {
			by = dsr.BySelf
		}
		ev(dsr.Event{Type: dsr.EventConsentGiven, Date: consented, GivenBy: by})
		if !asOf.Before(sixteenth) { // confirmed at 16 (R-CONS-3)
			confirm := dsr.Event{Type: dsr.EventConsentGiven, Date: sixteenth.AddDays(rng.IntN(max(1, min(20, asOf.Sub(sixteenth)+1)))), GivenBy: dsr.BySelf}
			if p.LacksCapacity {
				confirm.GivenBy = dsr.ByBestInterests
			}
			ev(confirm)
		}
	case p.LacksCapacity:
		ev(dsr.Event{Type: dsr.EventConsentGiven, Date: consented, GivenBy: []string{dsr.ByBestInterests, dsr.ByDeputy, dsr.ByAttorney}[rng.IntN(3)]})
	default:
		ev(dsr.Event{Type: dsr.EventConsentGiven, Date: consented, GivenBy: dsr.BySelf})
	}
	if d := consented.AddDays(between(10, 60)); pct(40) && d.Before(asOf) {
		ev(dsr.Event{Type: dsr.EventReviewHeld, Kind: dsr.ReviewCommunity, Date: d})
	}
	if pct(10) {
		in := asOf.AddDays(-between(200, 400))
		if in.After(dob) {
			ev(dsr.Event{Type: dsr.EventAdmitted, Date: in, Security: "general", LegalStatus: "s2"})
			ev(dsr.Event{Type: dsr.EventDischarged, Date: in.AddDays(between(10, 60))})
		}
	}
	if pct(12) {
		in := asOf.AddDays(-between(3, 120))
		ev(dsr.Event{Type: dsr.EventAdmitted, Date: in, Security: []string{"general", "picu", "low", "medium"}[rng.IntN(4)],
			LegalStatus: []string{"informal", "s2", "s3"}[rng.IntN(3)], OutOfArea: pct(25)})
	}
	if rv := asOf.AddDays(-between(5, 100)); pct(55) && rv.After(consented) {
		ev(dsr.Event{Type: dsr.EventRegisterReviewed, Date: rv})
		if pct(50) {
			r := []dsr.Rating{dsr.Green, dsr.Amber, dsr.Red}[rng.IntN(3)]
			ev(dsr.Event{Type: dsr.EventRatingAgreed, Date: rv, Rating: r, Reason: "agreed at the register meeting", By: "chair"})
		}
	}
	return np
}

// printSummary prints people by rating, with agreed ratings that differ
// from the suggestion (R-RAG-AGREED).
func printSummary(ctx context.Context, w io.Writer, reg *register.Register, ids []string, refused int, items []register.WorkItem, asOf calendar.Date) error {
	type row struct{ people, differs, overdue int }
	rows := map[dsr.Rating]*row{}
	for _, r := range []dsr.Rating{dsr.Red, dsr.Amber, dsr.Green, dsr.Blue, dsr.Unrated} {
		rows[r] = &row{}
	}
	onRegister := 0
	for _, id := range ids {
		a, err := reg.Assess(ctx, id, asOf)
		if err != nil {
			return err
		}
		if a.OnRegister {
			onRegister++
		}
		rows[a.Rating].people++
		if a.AgreedRating != dsr.Unrated && a.AgreedRating != a.Rating {
			rows[a.Rating].differs++
		}
	}
	for _, it := range items {
		if it.Overdue && it.PersonID != "" {
			rows[it.Rating].overdue++
		}
	}
	fmt.Fprintf(w, "\nSummary on %s: %d people held, %d on the register (eligible, consent valid), %d refused at the consent gate (R-CONS-1)\n\n",
		asOf, len(ids), onRegister, refused)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SUGGESTED\tPEOPLE\tAGREED DIFFERS\tOVERDUE ITEMS")
	for _, r := range []dsr.Rating{dsr.Red, dsr.Amber, dsr.Green, dsr.Blue, dsr.Unrated} {
		name := ratingWord(r)
		if r == dsr.Unrated {
			name = "not eligible"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", name, rows[r].people, rows[r].differs, rows[r].overdue)
	}
	return tw.Flush()
}
