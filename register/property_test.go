package register_test

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/memstore"
)

// regMachine drives a register through random legal operations and keeps a
// model of who should be on it.
type regMachine struct {
	reg      *register.Register
	store    *memstore.Store
	clk      *regClock
	today    calendar.Date
	next     int
	people   map[string]register.NewPerson // every person the register was asked to add
	held     []string                      // added, not removed, not erased
	erased   map[string][]byte             // erased, with the key they had
	refused  map[string]bool               // refused at the consent gate
	pending  map[string]bool               // requests to join not yet decided
	requests int
}

// pickHeld draws a person held on the register. An action that needs one
// is not applicable while nobody is held (every add so far was refused),
// and rapid's state machine skips it then, as its documentation asks.
func (m *regMachine) pickHeld(t *rapid.T) string {
	if len(m.held) == 0 {
		t.Skip("action not applicable yet: nobody is held on the register")
	}
	return rapid.SampledFrom(m.held).Draw(t, "person")
}

func (m *regMachine) drop(id string) {
	m.held = slices.DeleteFunc(m.held, func(s string) bool { return s == id })
}

func (m *regMachine) add(t *rapid.T) {
	m.next++
	id := fmt.Sprintf("p%03d", m.next)
	age := rapid.IntRange(5, 40).Draw(t, "age")
	np := register.NewPerson{
		Details: register.Details{
			Person: dsr.Person{
				ID: id, NHSNumber: dsr.TestNHSNumber(m.next), DateOfBirth: m.today.AddDays(-age*365 - rapid.IntRange(0, 364).Draw(t, "days")),
				Autism: rapid.Bool().Draw(t, "autism"), LearningDisability: true,
				LacksCapacity: rapid.Bool().Draw(t, "lacks_capacity"), GillickCompetent: rapid.Bool().Draw(t, "gillick"),
			},
			Name: fmt.Sprintf("Synthetic Person %03d", m.next), Address: fmt.Sprintf("%d Model Lane", m.next),
		},
		Circumstances: dsr.Circumstances{InCrisis: rapid.Bool().Draw(t, "crisis")},
	}
	if by := rapid.SampledFrom([]string{"", dsr.BySelf, dsr.ByParent, dsr.ByBestInterests, dsr.ByDeputy}).Draw(t, "given_by"); by != "" {
		np.Events = []dsr.Event{{Type: dsr.EventConsentGiven, Date: m.today.AddDays(-rapid.IntRange(0, 30).Draw(t, "consent_days_ago")), GivenBy: by}}
	}
	m.people[id] = np
	want := consent.National2023.Evaluate(consent.SubjectOf(np.Person), consent.FromEvents(np.Events), consent.Inclusion, m.today).Valid
	err := m.reg.Add(regCtx, np, regStaff)
	switch {
	case want && err == nil:
		m.held = append(m.held, id)
	case !want && errors.Is(err, register.ErrConsentRequired):
		m.refused[id] = true
	default:
		t.Fatalf("adding %s (consent valid %v): %v", id, want, err)
	}
}

func (m *regMachine) record(t *rapid.T) {
	id := m.pickHeld(t)
	ev := rapid.SampledFrom([]dsr.Event{
		{Type: dsr.EventReviewHeld, Kind: dsr.ReviewCommunity, Date: m.today},
		{Type: dsr.EventRegisterReviewed, Date: m.today},
		{Type: dsr.EventCrisisTeamEpisode, Date: m.today},
	}).Draw(t, "event")
	if err := m.reg.Record(regCtx, id, ev, regStaff); err != nil {
		t.Fatalf("recording for %s: %v", id, err)
	}
}

func (m *regMachine) report(t *rapid.T) {
	id := m.pickHeld(t)
	c := dsr.Circumstances{InCrisis: rapid.Bool().Draw(t, "crisis"), MentalHealthDeteriorating: rapid.Bool().Draw(t, "deteriorating")}
	if err := m.reg.Report(regCtx, id, m.today, c, regStaff); err != nil {
		t.Fatalf("reporting for %s: %v", id, err)
	}
}

func (m *regMachine) agree(t *rapid.T) {
	id := m.pickHeld(t)
	r := rapid.SampledFrom([]dsr.Rating{dsr.Green, dsr.Amber, dsr.Red, dsr.Blue}).Draw(t, "rating")
	if err := m.reg.Agree(regCtx, id, r, "agreed at the register meeting", regStaff); err != nil {
		t.Fatalf("agreeing for %s: %v", id, err)
	}
}

func (m *regMachine) withdraw(t *rapid.T) {
	id := m.pickHeld(t)
	st, err := m.store.Stream(regCtx, m.reg.PersonStream(id))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.reg.Record(regCtx, id, dsr.Event{Type: dsr.EventConsentWithdrawn, Date: m.today}, regStaff); err != nil {
		t.Fatalf("withdrawing for %s: %v", id, err)
	}
	m.drop(id)
	m.erased[id] = st.Key
}

func (m *regMachine) remove(t *rapid.T) {
	id := m.pickHeld(t)
	if err := m.reg.Remove(regCtx, id, register.RemovedMovedArea, regStaff, "transfer letter"); err != nil {
		t.Fatalf("removing %s: %v", id, err)
	}
	m.drop(id)
}

func (m *regMachine) refer(t *rapid.T) {
	m.requests++
	id := fmt.Sprintf("r%03d", m.requests)
	if err := m.reg.Refer(regCtx, register.Referral{ID: id, Source: "professional", Received: m.today}, regStaff); err != nil {
		t.Fatal(err)
	}
	m.pending[id] = true
}

func (m *regMachine) decide(t *rapid.T) {
	if len(m.pending) == 0 {
		t.Skip("action not applicable yet: no request to join is waiting for a decision")
	}
	var ids []string
	for id := range m.pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	id := rapid.SampledFrom(ids).Draw(t, "request")
	if err := m.reg.Decide(regCtx, id, register.Accept, "at risk of admission", "add with consent", regStaff); err != nil {
		t.Fatal(err)
	}
	delete(m.pending, id)
}

func (m *regMachine) tick(t *rapid.T) {
	m.today = m.today.AddDays(rapid.IntRange(1, 40).Draw(t, "days"))
	m.clk.Set(m.today)
}

// check is every invariant of the register.
func (m *regMachine) check(t *rapid.T) {
	if err := m.reg.Verify(regCtx); err != nil {
		t.Fatalf("the chain does not verify after legal operations: %v", err)
	}
	raw := m.store.Raw()
	for id, np := range m.people {
		for _, b := range raw {
			if bytes.Contains(b, []byte(np.Person.NHSNumber)) || bytes.Contains(b, []byte(np.Name)) {
				t.Fatalf("%s's identifiers are held in plain text", id)
			}
		}
	}
	for id := range m.refused {
		if _, err := m.reg.Details(regCtx, id, regStaff); !errors.Is(err, register.ErrNotFound) {
			t.Fatalf("%s was refused at the consent gate but something is held: %v", id, err)
		}
	}
	for id, key := range m.erased {
		if _, err := m.reg.Details(regCtx, id, regStaff); !errors.Is(err, register.ErrErased) {
			t.Fatalf("%s withdrew consent but their details read: %v", id, err)
		}
		for _, b := range raw {
			if bytes.Contains(b, key) {
				t.Fatalf("%s withdrew consent but their key is still held", id)
			}
		}
	}
	var want []string
	for _, id := range m.held {
		if d, err := m.reg.Details(regCtx, id, regStaff); err != nil || d.Person.NHSNumber != m.people[id].Person.NHSNumber {
			t.Fatalf("%s is on the register but their details do not read: %v", id, err)
		}
		a, err := m.reg.Assess(regCtx, id, m.today)
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range a.Actions {
			want = append(want, fmt.Sprintf("%s %s %s %s", id, act.Kind, act.DueDate(), act.Rule))
		}
	}
	for id := range m.pending {
		want = append(want, fmt.Sprintf("request %s", id))
	}
	items, err := m.reg.Due(regCtx, m.today)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i, it := range items {
		if i > 0 && items[i-1].Overdue == it.Overdue && items[i-1].DueDate().After(it.DueDate()) {
			t.Fatalf("worklist out of order at %d", i)
		}
		if i > 0 && !items[i-1].Overdue && it.Overdue {
			t.Fatalf("an overdue item follows one that is not, at %d", i)
		}
		if it.ReferralID != "" {
			got = append(got, "request "+it.ReferralID)
		} else {
			got = append(got, fmt.Sprintf("%s %s %s %s", it.PersonID, it.Kind, it.DueDate(), it.Rule))
		}
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Fatalf("Due is not exactly the unmet actions of the people on the register:\n got %v\nwant %v", got, want)
	}
}

func TestRegisterInvariantsHoldAfterAnyLegalOperations(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		store := memstore.New()
		clk := &regClock{}
		m := &regMachine{store: store, clk: clk, today: regDay("2026-01-05"), people: map[string]register.NewPerson{},
			erased: map[string][]byte{}, refused: map[string]bool{}, pending: map[string]bool{}}
		clk.Set(m.today)
		reg, err := register.Open(regCtx, store, regRules{}, register.WithKeys(register.MemoryKey()), register.WithClock(clk.Now), register.WithConsentPolicy(consent.National2023), register.WithWorkers(2))
		if err != nil {
			t.Fatal(err)
		}
		m.reg = reg
		t.Repeat(map[string]func(*rapid.T){
			"add": m.add, "record": m.record, "report": m.report, "agree": m.agree,
			"withdraw": m.withdraw, "remove": m.remove, "refer": m.refer, "decide": m.decide, "tick": m.tick,
			"": m.check,
		})
	})
}
