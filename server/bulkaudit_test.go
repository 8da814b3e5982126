package server

import (
	"strings"
	"testing"

	"github.com/dsrkit/dsrkit/register"
)

// TestListsAreAudited: the people list and a coordinator's worklist, which
// carry local ids, are audited reads of everyone they name; a viewer's
// worklist (pseudonyms only) is not.
func TestListsAreAudited(t *testing.T) {
	f := newFixture(t, nil)
	np := f.added()
	admin := register.Actor{ID: "audit", Role: register.RoleAdmin}
	bulk := func() []string {
		entries, err := f.reg.Audit(t0, np.Person.ID, admin)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			if e.Read && strings.HasPrefix(e.What, "GET ") {
				out = append(out, e.What+" by "+e.By.Role)
			}
		}
		return out
	}
	if s, b, _ := f.do("GET", "/v1/worklist", f.tokens[register.RoleViewer], nil); s != 200 {
		t.Fatalf("viewer worklist: %d %s", s, b)
	}
	if got := bulk(); len(got) != 0 {
		t.Fatalf("a viewer's worklist audited: %v", got)
	}
	for _, path := range []string{"/v1/people?overdue=true", "/v1/worklist"} {
		if s, b, _ := f.do("GET", path, f.tokens[register.RoleCoordinator], nil); s != 200 {
			t.Fatalf("%s: %d %s", path, s, b)
		}
	}
	got := bulk()
	if len(got) != 2 || got[0] != "GET /v1/people (overdue): 1 people by coordinator" || !strings.HasPrefix(got[1], "GET /v1/worklist (everyone): 1 people by coordinator") {
		t.Errorf("bulk reads %q", got)
	}
}
