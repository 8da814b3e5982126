package register_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// noteKind is a document kind for tests: {"due": DATE} leaves a
// community_review due that day, and an mdt_meeting_or_review; "bad": true
// is refused.
type noteKind struct{}

type note struct {
	Due string `json:"due"`
	Bad bool   `json:"bad"`
}

func (noteKind) Kind() string { return "note" }

func (noteKind) Check(d register.Document, _ *dsr.Case) error {
	var n note
	if err := json.Unmarshal(d.Data, &n); err != nil || n.Bad {
		return &dsr.ValidationError{Field: "bad", Problem: "refused"}
	}
	return nil
}

func (noteKind) Worklist(d register.Document, c *dsr.Case) ([]register.DocumentItem, error) {
	var n note
	if err := json.Unmarshal(d.Data, &n); err != nil {
		return nil, err
	}
	due := regDay(n.Due)
	return []register.DocumentItem{
		{Action: dsr.Action{Kind: dsr.ActionCommunityReview, From: c.AsOf, Due: due, Rule: "R-NOTE"}, Who: "Person E"},
		{Action: dsr.Action{Kind: dsr.ActionMDTMeetingOrReview, From: c.AsOf, Due: due, Rule: "R-NOTE"}},
	}, nil
}

func noteDoc(id, data string) register.Document {
	return register.Document{Kind: "note", ID: id, Data: json.RawMessage(data)}
}

func TestRegisterFilesDocumentsWithTheirEventsInOneWrite(t *testing.T) {
	reg, store, _ := newReg(t, register.WithDocumentKinds(noteKind{}))
	mustAdd(t, reg, regPerson("a", 1))
	n := logLength(t, store)

	ev := dsr.Event{Type: dsr.EventRegisterReviewed, Date: regDay("2026-04-01")}
	require.NoError(t, reg.File(regCtx, "a", noteDoc("n-1", `{"due": "2026-04-20"}`), []dsr.Event{ev}, regStaff))
	assert.Equal(t, n+2, logLength(t, store), "the event and the document")
	require.NoError(t, reg.File(regCtx, "a", noteDoc("n-1", `{"due": "2026-03-25"}`), nil, regStaff))

	d, err := reg.Document(regCtx, "a", "note", "n-1")
	require.NoError(t, err)
	assert.JSONEq(t, `{"due": "2026-03-25"}`, string(d.Data), "the latest save is the document")
	who, found, err := reg.FindDocument(regCtx, "note", "n-1")
	require.NoError(t, err)
	assert.Equal(t, "a", who)
	assert.Equal(t, d, found)
	docs, err := reg.Documents(regCtx, "a", "")
	require.NoError(t, err)
	assert.Len(t, docs, 1)

	// The rules ask for a community review due today (RED); the note's is
	// earlier, so it stands, naming the note; the note's MDT item joins.
	items, err := reg.Due(regCtx, regDay("2026-04-01"))
	require.NoError(t, err)
	var community []register.WorkItem
	for _, it := range items {
		if it.Kind == dsr.ActionCommunityReview {
			community = append(community, it)
		}
	}
	require.Len(t, community, 1)
	assert.Equal(t, regDay("2026-03-25"), community[0].Due)
	assert.True(t, community[0].Overdue)
	assert.Equal(t, "Person E", community[0].Who)
	assert.Equal(t, &register.DocumentRef{Kind: "note", ID: "n-1"}, community[0].Document)
	assert.Equal(t, dsr.Red, community[0].Rating)

	n = logLength(t, store)
	for name, tc := range map[string]struct {
		doc    register.Document
		events []dsr.Event
		field  string
	}{
		"unknown kind":           {register.Document{Kind: "minutes", ID: "m", Data: json.RawMessage(`{}`)}, nil, "document.kind"},
		"no id":                  {noteDoc("", `{}`), nil, "document.id"},
		"refused by its kind":    {noteDoc("n-2", `{"bad": true}`), nil, "bad"},
		"a bad event":            {noteDoc("n-2", `{}`), []dsr.Event{{Type: dsr.EventReviewHeld, Date: regDay("2026-04-01"), Kind: "emergency"}}, "events[0].kind"},
		"consent through Record": {noteDoc("n-2", `{}`), []dsr.Event{{Type: dsr.EventConsentGiven, Date: regDay("2026-04-01"), GivenBy: dsr.ByParent}}, "events[0].type"},
	} {
		t.Run(name, func(t *testing.T) {
			err := reg.File(regCtx, "a", tc.doc, tc.events, regStaff)
			require.ErrorIs(t, err, dsr.ErrInvalid)
			var ve *dsr.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.field, ve.Field)
			assert.Equal(t, n, logLength(t, store), "nothing is written")
		})
	}
	v, err := reg.Version(regCtx, "a")
	require.NoError(t, err)
	assert.ErrorIs(t, reg.File(regCtx, "a", noteDoc("n-1", `{}`), nil, regStaff, register.IfVersion(v-1)), register.ErrConflict)
	require.NoError(t, reg.Verify(regCtx))

	// Withdrawal erases documents with the rest (R-CONS-4).
	require.NoError(t, reg.Remove(regCtx, "a", register.RemovedConsentWithdrawn, regStaff, ""))
	_, err = reg.Document(regCtx, "a", "note", "n-1")
	assert.ErrorIs(t, err, register.ErrErased)
	_, _, err = reg.FindDocument(regCtx, "note", "n-1")
	assert.ErrorIs(t, err, register.ErrNotFound)
	require.NoError(t, reg.Verify(regCtx))
}

func TestRegisterAddsAPersonWithTheirDocuments(t *testing.T) {
	reg, store, _ := newReg(t, register.WithDocumentKinds(noteKind{}))
	np := regPerson("a", 1)
	np.Documents = []register.Document{noteDoc("n-1", `{"bad": true}`)}
	require.ErrorIs(t, reg.Add(regCtx, np, regStaff), dsr.ErrInvalid)
	assert.Zero(t, logLength(t, store))
	np.Documents = []register.Document{noteDoc("n-1", `{"due": "2026-04-02"}`)}
	require.NoError(t, reg.Add(regCtx, np, regStaff))
	_, err := reg.Document(regCtx, "a", "note", "n-1")
	require.NoError(t, err)
	_, err = register.Open(regCtx, store, regRules{}, register.WithKeys(register.MemoryKey()), register.WithDocumentKinds(noteKind{}, noteKind{}))
	assert.ErrorIs(t, err, dsr.ErrInvalid, "a kind given twice")
}
