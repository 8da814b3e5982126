package cetr_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
)

// Worked example 7 (docs/rules.md#worked-example-7).
func TestWorkedExample7PanelWithoutExpertByExperienceIsInvalid(t *testing.T) {
	p := cetr.Panel{Type: cetr.CTR, Members: []cetr.Member{
		{Name: commissioner, Role: cetr.Chair},
		{Name: "Clinical Expert B", Role: cetr.ClinicalExpert, TrainingExpires: d("2026-12-31")},
	}}
	err := p.Validate(d("2026-03-02"))
	require.Error(t, err)
	assert.ErrorIs(t, err, cetr.ErrInvalidPanel)
	assert.ErrorIs(t, err, cetr.ErrInvalid)
	assert.ErrorIs(t, err, dsr.ErrInvalid)
	var pe *cetr.PanelError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, cetr.ExpertByExperience, pe.Role)
	assert.Equal(t, "members", pe.Field)
	assert.Equal(t, "R-CETR-PANEL", pe.Rule)
	assert.Equal(t, -1, pe.Index)
	assert.Equal(t, "panel: members (expert_by_experience): no independent expert by experience (R-CETR-PANEL)", err.Error())
}

func TestPanelRules(t *testing.T) {
	on := d("2026-03-02")
	with := func(i int, f func(*cetr.Member)) []cetr.Member {
		ms := panelOf()
		f(&ms[i])
		return ms
	}
	delegate := cetr.Member{Name: "Deputy E", Role: cetr.Chair, Delegate: true, DecisionAuthority: true}
	tests := []struct {
		rule, name string
		typ        cetr.Type
		education  cetr.Requirement
		members    []cetr.Member
		want       []string // fields of the errors, in order; nil = valid
		wantRoles  []cetr.Role
	}{
		{"R-CETR-PANEL", "chair, clinical expert and expert by experience is a valid CTR panel", cetr.CTR, "", panelOf(), nil, nil},
		{"R-CETR-PANEL", "no chair is invalid", cetr.CTR, "", panelOf()[1:], []string{"members"}, []cetr.Role{cetr.Chair}},
		{"R-CETR-PANEL", "no clinical expert is invalid", cetr.CTR, "", slices.Delete(panelOf(), 1, 2), []string{"members"}, []cetr.Role{cetr.ClinicalExpert}},
		{"R-CETR-PANEL", "no expert by experience is invalid", cetr.CTR, "", panelOf()[:2], []string{"members"}, []cetr.Role{cetr.ExpertByExperience}},
		{"R-CETR-PANEL", "an empty panel lacks all three seats", cetr.CTR, "", nil, []string{"members", "members", "members"}, []cetr.Role{cetr.Chair, cetr.ClinicalExpert, cetr.ExpertByExperience}},
		{"R-CETR-PANEL", "two chairs is invalid", cetr.CTR, "", panelOf(delegate), []string{"members[3].role"}, []cetr.Role{cetr.Chair}},
		{"R-CETR-PANEL", "a delegated chair with authority to decide is valid", cetr.CTR, "", append([]cetr.Member{delegate}, panelOf()[1:]...), nil, nil},
		{"R-CETR-PANEL", "a delegated chair without authority to decide is invalid", cetr.CTR, "",
			with(0, func(m *cetr.Member) { m.Name, m.Delegate = "Deputy E", true }), []string{"members[0].decision_authority"}, []cetr.Role{cetr.Chair}},
		{"R-CETR-PANEL", "a chair who is neither the commissioner nor a delegate is invalid", cetr.CTR, "",
			with(0, func(m *cetr.Member) { m.Name = "Manager F" }), []string{"members[0].delegate"}, []cetr.Role{cetr.Chair}},
		{"R-CETR-PANEL", "a delegate is not independent: the chair's delegate cannot also be the clinical expert", cetr.CTR, "",
			[]cetr.Member{delegate, {Name: "Deputy E", Role: cetr.ClinicalExpert, TrainingExpires: d("2026-12-31")}, panelOf()[2]},
			[]string{"members[1].name"}, []cetr.Role{cetr.ClinicalExpert}},
		{"R-CETR-PANEL", "the chair cannot also be the expert by experience", cetr.CTR, "",
			with(2, func(m *cetr.Member) { m.Name = commissioner }), []string{"members[2].name"}, []cetr.Role{cetr.ExpertByExperience}},
		{"R-CETR-PANEL", "one person cannot hold both independent seats", cetr.CTR, "",
			with(2, func(m *cetr.Member) { m.Name = "Clinical Expert B" }), []string{"members[2].name"}, []cetr.Role{cetr.ExpertByExperience}},
		{"R-CETR-PANEL", "a clinical expert in day-to-day care cannot sit as independent", cetr.CTR, "",
			with(1, func(m *cetr.Member) { m.DayToDayCare = true }), []string{"members[1].day_to_day_care"}, []cetr.Role{cetr.ClinicalExpert}},
		{"R-CETR-PANEL", "an expert by experience with a declared conflict cannot sit as independent", cetr.CTR, "",
			with(2, func(m *cetr.Member) { m.Conflict = "sibling works on the ward" }), []string{"members[2].conflict"}, []cetr.Role{cetr.ExpertByExperience}},
		{"R-CETR-PANEL", "training lapsed the day before the review", cetr.CTR, "",
			with(1, func(m *cetr.Member) { m.TrainingExpires = d("2026-03-01") }), []string{"members[1].training_expires"}, []cetr.Role{cetr.ClinicalExpert}},
		{"R-CETR-PANEL", "training that expires on the review day is still current", cetr.CTR, "",
			with(1, func(m *cetr.Member) { m.TrainingExpires = on }), nil, nil},
		{"R-CETR-PANEL", "no training recorded for an independent member", cetr.CTR, "",
			with(2, func(m *cetr.Member) { m.TrainingExpires = d("") }), []string{"members[2].training_expires"}, []cetr.Role{cetr.ExpertByExperience}},
		{"R-CETR-PANEL", "a non-independent member in day-to-day care, with a conflict and no training may sit",
			cetr.CTR, "", panelOf(cetr.Member{Name: "Nurse G", Role: cetr.Provider, DayToDayCare: true, Conflict: "named nurse"}), nil, nil},
		{"R-CETR-PANEL", "every member has a name", cetr.CTR, "", panelOf(cetr.Member{Role: cetr.Advocate}), []string{"members[3].name"}, []cetr.Role{cetr.Advocate}},
		{"R-CETR-PANEL", "an unknown role is invalid", cetr.CTR, "", panelOf(cetr.Member{Name: "H", Role: "judge"}), []string{"members[3].role"}, []cetr.Role{"judge"}},
		{"R-CETR-PANEL", "a CETR without an education professional is valid where only advised", cetr.CETR, cetr.Advised, panelOf(), nil, nil},
		{"R-CETR-PANEL", "a CETR without an education or children's social care professional is invalid where required",
			cetr.CETR, cetr.Required, panelOf(), []string{"members"}, []cetr.Role{cetr.Education}},
		{"R-CETR-PANEL", "a children's social care professional meets the education requirement", cetr.CETR, cetr.Required,
			panelOf(cetr.Member{Name: "Social Worker I", Role: cetr.ChildrensSocialCare}), nil, nil},
		{"R-CETR-PANEL", "the education requirement does not apply to a CTR", cetr.CTR, cetr.Required, panelOf(), nil, nil},
		{"R-CETR-PANEL", "every problem comes back at once", cetr.CETR, cetr.Required,
			[]cetr.Member{{Name: "Deputy E", Role: cetr.Chair, Delegate: true}, {Name: "Expert C", Role: cetr.ExpertByExperience, DayToDayCare: true, Conflict: "friend", TrainingExpires: d("2025-01-01")}},
			[]string{"members[0].decision_authority", "members[1].day_to_day_care", "members[1].conflict", "members[1].training_expires", "members", "members"},
			[]cetr.Role{cetr.Chair, cetr.ExpertByExperience, cetr.ExpertByExperience, cetr.ExpertByExperience, cetr.ClinicalExpert, cetr.Education}},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			p := cetr.Panel{Type: tt.typ, Education: tt.education, Commissioner: commissioner, Members: tt.members}
			before := slices.Clone(p.Members)
			err := p.Validate(on)
			assert.Equal(t, before, p.Members, "Validate changes nothing")
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, cetr.ErrInvalidPanel)
			assert.Equal(t, tt.want, fields(err))
			var roles []cetr.Role
			for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
				var pe *cetr.PanelError
				require.True(t, errors.As(e, &pe))
				assert.Equal(t, tt.rule, pe.Rule)
				roles = append(roles, pe.Role)
				if pe.Index >= 0 {
					assert.Equal(t, tt.members[pe.Index].Name, pe.Member, "the error names the member")
				}
			}
			assert.Equal(t, tt.wantRoles, roles)
		})
	}
}

func TestPanelWarnings(t *testing.T) {
	tests := []struct {
		rule, name string
		p          cetr.Panel
		want       int
	}{
		{"R-CETR-PANEL", "a CETR panel with no education or children's social care professional is warned", cetr.Panel{Type: cetr.CETR, Members: panelOf()}, 1},
		{"R-CETR-PANEL", "an education professional removes the warning", cetr.Panel{Type: cetr.CETR, Members: panelOf(teacher)}, 0},
		{"R-CETR-PANEL", "a CTR panel has no education warning", cetr.Panel{Type: cetr.CTR, Members: panelOf()}, 0},
		{"R-CETR-PANEL", "where required the absence is an error, not a warning", cetr.Panel{Type: cetr.CETR, Education: cetr.Required, Members: panelOf()}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.rule+"/"+tt.name, func(t *testing.T) {
			ws := tt.p.Warnings()
			require.Len(t, ws, tt.want)
			for _, w := range ws {
				assert.Equal(t, tt.rule, w.Rule)
			}
		})
	}
}

func TestPanelWithNoDateIsInvalid(t *testing.T) {
	err := cetr.Panel{Members: panelOf()}.Validate(d(""))
	assert.ErrorIs(t, err, cetr.ErrInvalidPanel)
}

func TestPanelSeat(t *testing.T) {
	p := cetr.Panel{Members: panelOf()}
	m, ok := p.Seat(cetr.ExpertByExperience)
	assert.True(t, ok)
	assert.Equal(t, "Expert C", m.Name)
	_, ok = p.Seat(cetr.Education)
	assert.False(t, ok)
}
