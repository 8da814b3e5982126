package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/report"
)

func TestMeetingPackListsWhoIsDueAndWhatChanged(t *testing.T) {
	f := newFixture(t)
	// Due: reviewed on 1 September (register review due 15 September),
	// then in crisis from 5 September, agreed AMBER, address changed.
	f.add("due-1", day("2026-08-01"), green)
	f.record("due-1", dsr.Event{Type: dsr.EventRegisterReviewed, Date: day("2026-09-01")})
	f.on(day("2026-09-05"))
	require.NoError(t, f.reg.Report(ctx, "due-1", day("2026-09-05"), crisis, staff))
	require.NoError(t, f.reg.Agree(ctx, "due-1", dsr.Amber, "crisis plan in place", staff))
	_, _, err := f.reg.ChangeDetails(ctx, "due-1", []byte(`{"address": "2 Other Street, Testtown"}`), staff)
	require.NoError(t, err)
	// Overdue: joined 1 June, never reviewed (register review due 15 June).
	f.add("overdue-1", day("2026-06-01"), green)
	// Not due by the meeting: reviewed 20 September, next due 4 October.
	f.add("later-1", day("2026-08-01"), green)
	f.record("later-1", dsr.Event{Type: dsr.EventRegisterReviewed, Date: day("2026-09-20")})
	// A C(E)TR held on 10 September, recorded on the 12th.
	f.add("cetr-1", day("2026-08-01"), green)
	f.on(day("2026-09-12"))
	require.NoError(t, f.reg.Record(ctx, "cetr-1", dsr.Event{Type: dsr.EventReviewHeld, Date: day("2026-09-10"), Kind: dsr.ReviewCommunity}, staff))
	f.on(day("2026-09-21"))

	p, err := report.NewMeetingPack(ctx, f.reg, day("2026-09-22"), report.PackOptions{By: staff, Names: true})
	require.NoError(t, err)
	var ids []string
	for _, pp := range p.People {
		ids = append(ids, pp.PersonID)
	}
	assert.Equal(t, []string{"overdue-1", "cetr-1", "due-1"}, ids, "by the earliest due date; later-1 has nothing due by the meeting")
	assert.Equal(t, 3, p.Overdue, "due-1's community review, due 14 days after the crisis began, is overdue too")
	assert.Equal(t, day("2026-09-10"), p.People[1].Since, "the day the C(E)TR was held, not the day it was recorded")
	assert.Equal(t, "the last C(E)TR", p.People[1].SinceWhat)

	due := p.People[2]
	assert.Equal(t, dsr.Amber, due.RatingOfRecord)
	assert.Equal(t, dsr.Red, due.Rating)
	assert.Equal(t, day("2026-09-01"), due.Since)
	assert.Equal(t, "the last register review", due.SinceWhat)
	var what []string
	for _, c := range due.Changes {
		what = append(what, c.What)
	}
	joined := strings.Join(what, "\n")
	assert.Contains(t, joined, "circumstances from 2026-09-05")
	assert.Contains(t, joined, "suggested rating GREEN → RED")
	assert.Contains(t, joined, "agreed rating none → AMBER")
	assert.Contains(t, joined, "details updated: address", "a detail changed, by name")
	assert.NotContains(t, joined, "Other Street", "never the value")
	assert.NotContains(t, joined, "added to the register", "only what changed since the last review")

	over := p.People[0]
	assert.Equal(t, "joined the register", over.SinceWhat)
	assert.Equal(t, 1, over.Overdue)
	assert.Equal(t, dsr.ActionDSRReview, over.Items[0].Kind)

	// Each person's history (and name) read for the pack is audited, with why.
	audit, err := f.reg.Audit(ctx, "due-1", register.Actor{ID: "admin-1", Role: register.RoleAdmin})
	require.NoError(t, err)
	var reads []string
	for _, e := range audit {
		if e.Read && e.Why == "meeting pack for 2026-09-22" {
			reads = append(reads, e.What)
		}
	}
	assert.ElementsMatch(t, []string{"history", "details", "meeting pack (due by 2026-09-22): 3 people"}, reads, "the history, the name, and the pack's list as one bulk read")

	var named, anon bytes.Buffer
	require.NoError(t, report.WriteMeetingPackHTML(&named, p, true))
	require.NoError(t, report.WriteMeetingPackHTML(&anon, p, false))
	assert.Contains(t, named.String(), "Synthetic Person due-1")
	assert.NotContains(t, anon.String(), "Synthetic Person", "no names unless asked")
	assert.Contains(t, anon.String(), `id="person-due-1"`)
	assert.Equal(t, 3, strings.Count(anon.String(), `<section class="dsr-person"`), "one section (a printed page) each")
	saveArtifact(t, "meeting-pack-sample.html", anon.Bytes())
}
