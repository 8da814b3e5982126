package server

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/dsrkit/dsrkit/bluelight"
	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/policies/policydiff"
	"github.com/dsrkit/dsrkit/register"
)

// route is one route of the service: the table that New registers on the
// mux, that the OpenAPI document is built from, and that the tests walk.
type route struct {
	method, path string
	op, summary  string
	// roles may call the route; nil: no token needed.
	roles []string
	// body and resp are the Go types of the request body (nil: none) and
	// the response; schema names a schema of internal/schema to use
	// instead ("case", "assessment").
	body, resp             reflect.Type
	bodySchema, respSchema string
	status                 int
	query                  []param
	// write marks a route that changes the register; person one whose
	// {id} names a person (a conflict then reports their version).
	write, person bool
	ifMatch       bool
	handle        handlerFunc
}

// param is a query parameter.
type param struct{ name, typ, format, desc string }

var (
	anyRole     = []string{register.RoleViewer, register.RoleCoordinator, register.RoleAnalyst, register.RoleAdmin}
	coordinator = []string{register.RoleCoordinator}
	worklisters = []string{register.RoleViewer, register.RoleCoordinator}
	analyst     = []string{register.RoleAnalyst}
	admin       = []string{register.RoleAdmin}
)

func typeOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

// Request and response bodies.
type (
	// Created answers a write that made something: its id and, for a
	// person, their version (also the ETag) and pseudonymous id.
	Created struct {
		ID        string `json:"id"`
		Version   int64  `json:"version,omitempty"`
		Pseudonym string `json:"pseudonym,omitempty"`
	}
	// Written answers a write to a person: their version now (the ETag).
	Written struct {
		ID      string `json:"id"`
		Version int64  `json:"version"`
	}
	// PersonView is GET /v1/people/{id}: the details (an audited read),
	// the version and today's assessment.
	PersonView struct {
		ID         string           `json:"id"`
		Version    int64            `json:"version"`
		Pseudonym  string           `json:"pseudonym"`
		Details    register.Details `json:"details"`
		Assessment dsr.Assessment   `json:"assessment"`
	}
	// PeopleList is GET /v1/people: everyone on the register on the
	// date, as `dsr register list` shows them (register.List).
	PeopleList struct {
		AsOf   calendar.Date        `json:"as_of"`
		People []register.ListEntry `json:"people"`
	}
	// FindRequest is POST /v1/people/search: exactly one of an NHS number
	// and a name (exact, case folded), in the body, never in a URL (which
	// proxies log).
	FindRequest struct {
		NHSNumber dsr.NHSNumber `json:"nhs_number,omitempty"`
		Name      string        `json:"name,omitempty"`
		Why       string        `json:"why,omitempty"`
	}
	// FindResult is who was found: ID the one person an NHS number
	// belongs to; IDs everyone found (by a name, several may share it).
	FindResult struct {
		ID  string   `json:"id,omitempty"`
		IDs []string `json:"ids"`
	}
	// RatingRequest is POST /v1/people/{id}/rating (R-RAG-AGREED).
	RatingRequest struct {
		Rating string `json:"rating" jsonschema:"required,enum=red,enum=amber,enum=green,enum=blue"`
		Reason string `json:"reason,omitempty"`
	}
	// ReportRequest is POST /v1/people/{id}/circumstances: the
	// circumstances from date (default today).
	ReportRequest struct {
		Date          calendar.Date     `json:"date,omitzero"`
		Circumstances dsr.Circumstances `json:"circumstances"`
	}
	// WithdrawRequest is POST /v1/people/{id}/withdrawal: consent
	// withdrawn on date (R-CONS-4), by whom (the person or who speaks for
	// them), covering scope (default: inclusion on the register).
	WithdrawRequest struct {
		Date  calendar.Date `json:"date" jsonschema:"required"`
		By    string        `json:"by,omitempty"`
		Scope []string      `json:"scope,omitempty"`
	}
	// RemoveRequest is POST /v1/people/{id}/removal (R-REM-1).
	RemoveRequest struct {
		Reason   register.RemovalReason `json:"reason" jsonschema:"required"`
		Evidence string                 `json:"evidence,omitempty"`
	}
	// DecisionRequest is POST /v1/referrals/{id}/decision (R-REQ-1).
	DecisionRequest struct {
		Outcome   register.Outcome `json:"outcome" jsonschema:"required,enum=accept,enum=decline"`
		Reasons   string           `json:"reasons" jsonschema:"required"`
		NextSteps string           `json:"next_steps" jsonschema:"required"`
	}
	// Worklist is GET /v1/worklist. For a viewer each item names the
	// person by pseudonym only.
	Worklist struct {
		AsOf  calendar.Date  `json:"as_of"`
		Items []WorklistItem `json:"items"`
	}
	// WorklistItem is an item of the worklist with the person's pseudonym.
	WorklistItem struct {
		register.WorkItem
		Pseudonym string `json:"pseudonym,omitempty"`
	}
	// ExportRow is one person in GET /v1/export: pseudonymised.
	ExportRow struct {
		Pseudonym    string `json:"pseudonym"`
		OnRegister   bool   `json:"on_register"`
		Rating       string `json:"rating"`
		AgreedRating string `json:"agreed_rating"`
		Due          int    `json:"due"`
		Overdue      int    `json:"overdue"`
	}
	// Export is GET /v1/export.
	Export struct {
		AsOf   calendar.Date `json:"as_of"`
		Policy dsr.PolicyRef `json:"policy"`
		People []ExportRow   `json:"people"`
	}
	// History is GET /v1/people/{id}/history.
	History struct {
		ID      string                  `json:"id"`
		Entries []register.HistoryEntry `json:"entries"`
	}
	// AuditList is GET /v1/people/{id}/audit.
	AuditList struct {
		ID      string                `json:"id"`
		Entries []register.AuditEntry `json:"entries"`
	}
	// Verified is GET /v1/verify.
	Verified struct {
		Verified bool   `json:"verified"`
		Problem  string `json:"problem,omitempty"`
	}
	// PolicyInfo is one bundle of GET /v1/policies.
	PolicyInfo struct {
		Name        string   `json:"name"`
		Version     string   `json:"version"`
		Engine      string   `json:"engine"`
		Digest      string   `json:"digest"`
		Extends     []string `json:"extends"`
		Description string   `json:"description"`
		Register    bool     `json:"register"`
	}
	// PolicyList is GET /v1/policies.
	PolicyList struct {
		Policies []PolicyInfo `json:"policies"`
	}
	// TokenRequest is POST /v1/tokens.
	TokenRequest struct {
		Name string `json:"name" jsonschema:"required"`
		Role string `json:"role" jsonschema:"required,enum=viewer,enum=coordinator,enum=analyst,enum=admin"`
	}
	// TokenCreated is the new token: shown this once.
	TokenCreated struct {
		Token string `json:"token"`
		Name  string `json:"name"`
		Role  string `json:"role"`
	}
	// TokenList is GET /v1/tokens (no token nor hash).
	TokenList struct {
		Tokens []TokenEntry `json:"tokens"`
	}
	// Health is /healthz and /readyz.
	Health struct {
		Status string `json:"status"`
	}
)

// table is the service's routes.
func (s *Server) table() []*route {
	dateParam := func(name, desc string) param { return param{name, "string", "date", desc} }
	why := param{"why", "string", "", "why the record is read, kept with the read's audit"}
	return []*route{
		{method: "GET", path: "/healthz", op: "healthz", summary: "say the process is alive", resp: typeOf[Health](), handle: s.healthz},
		{method: "GET", path: "/readyz", op: "readyz", summary: "say the service can serve (503 while shutting down)", resp: typeOf[Health](), handle: s.readyz},
		{method: "GET", path: "/metrics", op: "metrics", summary: "Prometheus metrics", handle: s.metricsHandler},
		{method: "GET", path: "/v1/openapi.json", op: "openapi", summary: "this document", handle: s.openapiHandler},

		{method: "POST", path: "/v1/assess", op: "assess", summary: "assess a case (stateless)", roles: anyRole,
			bodySchema: "case", respSchema: "assessment",
			query: []param{{"policy", "string", "", "an embedded policy bundle (default: the register's)"}}, handle: s.assess},
		{method: "GET", path: "/v1/policies", op: "listPolicies", summary: "list the embedded policy bundles", roles: anyRole, resp: typeOf[PolicyList](), handle: s.listPolicies},

		{method: "POST", path: "/v1/policies/diff", op: "diffPolicies", summary: "report who changes between two bundles", roles: analyst, body: typeOf[DiffRequest](), resp: typeOf[policydiff.Report](), handle: s.diff},

		{method: "POST", path: "/v1/people", op: "addPerson", summary: "add a person", roles: coordinator, body: typeOf[register.NewPerson](), resp: typeOf[Created](), status: 201, write: true, handle: s.addPerson},
		{method: "GET", path: "/v1/people", op: "listPeople", summary: "list the people on the register, with ratings of record and what is due", roles: coordinator, resp: typeOf[PeopleList](),
			query: []param{dateParam("as_of", "the date (default today)"), dateParam("due_before", "only people with an item due before this date"),
				{"rating", "string", "", "only people with this rating of record: red, amber, green or blue"},
				{"overdue", "boolean", "", "only people with an overdue item"},
				{"differs", "boolean", "", "only people whose agreed rating differs from the suggestion"},
				{"team", "string", "", "only people held by this team"},
				{"coordinator", "string", "", "only people with this care coordinator"}}, handle: s.listPeople},
		{method: "POST", path: "/v1/people/search", op: "findPerson", summary: "find people by NHS number or name (audited)", roles: coordinator, body: typeOf[FindRequest](), resp: typeOf[FindResult](), handle: s.findPerson},
		{method: "GET", path: "/v1/people/{id}", op: "showPerson", summary: "show a person (audited)", roles: coordinator, resp: typeOf[PersonView](), query: []param{why}, person: true, handle: s.showPerson},
		{method: "PUT", path: "/v1/people/{id}/details", op: "updateDetails", summary: "update a person's details", roles: coordinator, body: typeOf[register.Details](), resp: typeOf[Written](), write: true, person: true, ifMatch: true, handle: s.updateDetails},
		{method: "POST", path: "/v1/people/{id}/events", op: "recordEvent", summary: "record an event", roles: coordinator, body: typeOf[dsr.Event](), resp: typeOf[Written](), write: true, person: true, ifMatch: true, handle: s.recordEvent},
		{method: "POST", path: "/v1/people/{id}/circumstances", op: "reportCircumstances", summary: "report circumstances", roles: coordinator, body: typeOf[ReportRequest](), resp: typeOf[Written](), write: true, person: true, ifMatch: true, handle: s.report},
		{method: "POST", path: "/v1/people/{id}/rating", op: "agreeRating", summary: "record the rating agreed", roles: coordinator, body: typeOf[RatingRequest](), resp: typeOf[Written](), write: true, person: true, ifMatch: true, handle: s.agree},
		{method: "POST", path: "/v1/people/{id}/withdrawal", op: "withdrawConsent", summary: "record consent withdrawn (erases the person)", roles: coordinator, body: typeOf[WithdrawRequest](), resp: typeOf[Written](), write: true, person: true, ifMatch: true, handle: s.withdraw},
		{method: "POST", path: "/v1/people/{id}/removal", op: "removePerson", summary: "remove a person from the register", roles: coordinator, body: typeOf[RemoveRequest](), resp: typeOf[Written](), write: true, person: true, ifMatch: true, handle: s.remove},
		{method: "GET", path: "/v1/people/{id}/history", op: "personHistory", summary: "read a person's history (audited)", roles: coordinator, resp: typeOf[History](), query: []param{why}, person: true, handle: s.history},
		{method: "GET", path: "/v1/people/{id}/audit", op: "personAudit", summary: "read who wrote and read a person's records", roles: admin, resp: typeOf[AuditList](), person: true, handle: s.audit},

		{method: "POST", path: "/v1/referrals", op: "refer", summary: "record a request to join", roles: coordinator, body: typeOf[register.Referral](), resp: typeOf[Created](), status: 201, write: true, handle: s.refer},
		{method: "POST", path: "/v1/referrals/{id}/decision", op: "decideReferral", summary: "decide a request to join", roles: coordinator, body: typeOf[DecisionRequest](), resp: typeOf[Created](), write: true, handle: s.decide},

		{method: "POST", path: "/v1/reviews", op: "planReview", summary: "plan a review (or change one not yet held)", roles: coordinator, body: typeOf[ReviewPlan](), resp: typeOf[cetr.Review](), status: 201, write: true, handle: s.planReview},
		{method: "GET", path: "/v1/reviews/{id}", op: "showReview", summary: "read a review (audited)", roles: coordinator, resp: typeOf[cetr.Review](), handle: s.showReview},
		{method: "POST", path: "/v1/reviews/{id}/hold", op: "holdReview", summary: "hold a review", roles: coordinator, body: typeOf[ReviewHold](), resp: typeOf[cetr.Review](), write: true, handle: s.holdReview},
		{method: "POST", path: "/v1/reviews/{id}/recommendations", op: "recommend", summary: "add, close or escalate recommendations", roles: coordinator, body: typeOf[Recommendations](), resp: typeOf[cetr.Review](), write: true, handle: s.recommend},
		{method: "POST", path: "/v1/reviews/{id}/report", op: "reportReview", summary: "send a review's report", roles: coordinator, body: typeOf[ReviewReport](), resp: typeOf[cetr.Review](), write: true, handle: s.reportReview},
		{method: "POST", path: "/v1/meetings", op: "openMeeting", summary: "call a Blue Light meeting", roles: coordinator, body: typeOf[MeetingOpening](), resp: typeOf[bluelight.Record](), status: 201, write: true, handle: s.openMeeting},
		{method: "GET", path: "/v1/meetings/{id}", op: "showMeeting", summary: "read a Blue Light meeting (audited)", roles: coordinator, resp: typeOf[bluelight.Record](), handle: s.showMeeting},
		{method: "POST", path: "/v1/meetings/{id}/attendance", op: "attendMeeting", summary: "record who joined a meeting", roles: coordinator, body: typeOf[MeetingAttendance](), resp: typeOf[bluelight.Record](), write: true, handle: s.attend},
		{method: "POST", path: "/v1/meetings/{id}/steps", op: "meetingSteps", summary: "complete steps of a meeting", roles: coordinator, body: typeOf[MeetingSteps](), resp: typeOf[bluelight.Record](), write: true, handle: s.steps},
		{method: "POST", path: "/v1/meetings/{id}/options", op: "meetingOptions", summary: "reject and choose options", roles: coordinator, body: typeOf[MeetingOptions](), resp: typeOf[bluelight.Record](), write: true, handle: s.options},
		{method: "POST", path: "/v1/meetings/{id}/funding", op: "fundMeeting", summary: "authorise funded support", roles: coordinator, body: typeOf[bluelight.FundingRequest](), resp: typeOf[bluelight.Record](), write: true, handle: s.fund},
		{method: "POST", path: "/v1/meetings/{id}/close", op: "closeMeeting", summary: "close a meeting", roles: coordinator, body: typeOf[MeetingClose](), resp: typeOf[bluelight.Record](), write: true, handle: s.closeMeeting},

		{method: "GET", path: "/v1/worklist", op: "worklist", summary: "read the worklist", roles: worklisters, resp: typeOf[Worklist](),
			query: []param{dateParam("as_of", "the date (default today)"), dateParam("due_before", "only items due before this date"),
				{"rating", "string", "", "only people with this rating (agreed, else suggested): red, amber, green or blue"},
				{"overdue", "boolean", "", "only overdue items (true) or only those not overdue (false)"}}, handle: s.worklist},
		{method: "GET", path: "/v1/export", op: "export", summary: "export the register pseudonymised", roles: analyst, resp: typeOf[Export](), handle: s.export},

		{method: "GET", path: "/v1/verify", op: "verify", summary: "verify the log's hash chain", roles: admin, resp: typeOf[Verified](), handle: s.verify},
		{method: "POST", path: "/v1/tokens", op: "createToken", summary: "create an API token", roles: admin, body: typeOf[TokenRequest](), resp: typeOf[TokenCreated](), status: 201, handle: s.createToken},
		{method: "DELETE", path: "/v1/tokens/{id}", op: "revokeToken", summary: "revoke an API token", roles: admin, status: 204, handle: s.revokeToken},
		{method: "GET", path: "/v1/tokens", op: "listTokens", summary: "list the API tokens", roles: admin, resp: typeOf[TokenList](), handle: s.listTokens},
	}
}

func (s *Server) healthz(http.ResponseWriter, *http.Request, register.Actor) (int, any, error) {
	return 200, Health{Status: "ok"}, nil
}

func (s *Server) readyz(_ http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	if s.shutting.Load() {
		return 503, Health{Status: "shutting down"}, nil
	}
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			return 503, Health{Status: "the register does not answer"}, nil
		}
	}
	return 200, Health{Status: "ready"}, nil
}

func (s *Server) metricsHandler(w http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	s.metrics.handler.ServeHTTP(w, r)
	return 0, nil, errHandled
}

func (s *Server) openapiHandler(http.ResponseWriter, *http.Request, register.Actor) (int, any, error) {
	return 200, rawJSON{"application/json", s.openapi}, nil
}

func (s *Server) assess(w http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	e, name, err := s.engine(r.Context(), r.URL.Query().Get("policy"))
	if err != nil {
		return 0, nil, err
	}
	raw, err := readBody(w, r)
	if err != nil {
		return 0, nil, err
	}
	c, err := decodeCase(raw)
	if err != nil {
		return 0, nil, err
	}
	a, err := e.Assess(r.Context(), c)
	if err != nil {
		return 0, nil, err
	}
	s.metrics.assessments.WithLabelValues(name).Inc()
	return 200, a, nil
}

func (s *Server) listPolicies(_ http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	out := PolicyList{Policies: []PolicyInfo{}}
	for _, name := range policies.BundleNames() {
		e, _, err := s.engine(r.Context(), name)
		if err != nil {
			return 0, nil, err
		}
		ref := e.Policy()
		out.Policies = append(out.Policies, PolicyInfo{Name: name, Version: ref.Version, Engine: ref.Engine, Digest: ref.Digest,
			Extends: append([]string{}, e.Extends()...), Description: e.Description(), Register: name == s.cfg.Bundle})
	}
	return 200, out, nil
}

func (s *Server) addPerson(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	var np register.NewPerson
	if err := decode(w, r, &np); err != nil {
		return 0, nil, err
	}
	if err := s.cfg.Register.Add(r.Context(), np, by); err != nil {
		return 0, nil, err
	}
	id := np.Person.ID
	v := s.version(r, w, id)
	w.Header().Set("Location", "/v1/people/"+id)
	return 201, Created{ID: id, Version: v, Pseudonym: s.pseudonym(id)}, nil
}

// version is the person's version after a write, set as the ETag.
func (s *Server) version(r *http.Request, w http.ResponseWriter, id string) int64 {
	v, err := s.cfg.Register.Version(r.Context(), id)
	if err != nil {
		return 0
	}
	w.Header().Set("ETag", etag(v))
	return v
}

func (s *Server) listPeople(_ http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	q := r.URL.Query()
	asOf, err := queryDate(r, "as_of", s.today())
	if err != nil {
		return 0, nil, err
	}
	var f register.ListFilter
	if f.DueBefore, err = queryDate(r, "due_before", calendar.Date{}); err != nil {
		return 0, nil, err
	}
	if v := q.Get("rating"); v != "" {
		if f.Rating, err = dsr.ParseRating(v); err != nil || f.Rating == dsr.Unrated {
			return 0, nil, invalid("rating", "%q: want red, amber, green or blue", v)
		}
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"overdue", &f.Overdue}, {"differs", &f.Differs}} {
		if v := q.Get(b.name); v != "" {
			if *b.dst, err = strconv.ParseBool(v); err != nil {
				return 0, nil, invalid(b.name, "%q: want true or false", v)
			}
		}
	}
	f.Team, f.CareCoordinator = q.Get("team"), q.Get("coordinator")
	for _, t := range []struct{ name, v string }{{"team", f.Team}, {"coordinator", f.CareCoordinator}} {
		if err := dsr.CheckText(t.name, "", t.v, 500); err != nil {
			return 0, nil, err
		}
	}
	people, err := s.cfg.Register.List(r.Context(), asOf, f)
	if err != nil {
		return 0, nil, err
	}
	if err := s.cfg.Register.AuditBulk(r.Context(), "GET /v1/people", f.String(), asOf, register.IDs(people), by); err != nil {
		return 0, nil, err
	}
	return 200, PeopleList{AsOf: asOf, People: people}, nil
}

func (s *Server) findPerson(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	var req FindRequest
	if err := decode(w, r, &req); err != nil {
		return 0, nil, err
	}
	switch {
	case req.NHSNumber == "" && req.Name == "":
		return 0, nil, invalid("nhs_number", "required, or name")
	case req.NHSNumber != "" && req.Name != "":
		return 0, nil, invalid("name", "give an NHS number or a name, not both")
	case req.Name != "":
		if err := dsr.CheckText("name", "", req.Name, 500); err != nil {
			return 0, nil, err
		}
		ids, err := s.cfg.Register.FindName(r.Context(), req.Name, by, register.Because(req.Why))
		if err != nil {
			return 0, nil, err
		}
		return 200, FindResult{IDs: ids}, nil
	}
	id, err := s.cfg.Register.FindNHSNumber(r.Context(), req.NHSNumber, by, register.Because(req.Why))
	if err != nil {
		return 0, nil, err
	}
	return 200, FindResult{ID: id, IDs: []string{id}}, nil
}

func (s *Server) showPerson(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return 0, nil, err
	}
	v, err := s.cfg.Register.Version(r.Context(), id)
	if err != nil {
		return 0, nil, err
	}
	d, err := s.cfg.Register.Details(r.Context(), id, by, register.Because(r.URL.Query().Get("why")))
	if err != nil {
		return 0, nil, err
	}
	a, err := s.cfg.Register.Assess(r.Context(), id, s.today())
	if err != nil {
		return 0, nil, err
	}
	w.Header().Set("ETag", etag(v))
	return 200, PersonView{ID: id, Version: v, Pseudonym: s.pseudonym(id), Details: d, Assessment: a}, nil
}

// personWrite is the common part of the writes to a person: the id, the
// body, If-Match; then write, and answer with the version.
func personWrite[T any](s *Server, w http.ResponseWriter, r *http.Request, write func(id string, body *T, opts []register.WriteOption) error) (int, any, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return 0, nil, err
	}
	opts, err := ifMatch(r)
	if err != nil {
		return 0, nil, err
	}
	var body T
	if err := decode(w, r, &body); err != nil {
		return 0, nil, err
	}
	if err := write(id, &body, opts); err != nil {
		return 0, nil, err
	}
	return 200, Written{ID: id, Version: s.version(r, w, id)}, nil
}

func (s *Server) updateDetails(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return personWrite(s, w, r, func(id string, d *register.Details, opts []register.WriteOption) error {
		return s.cfg.Register.UpdateDetails(r.Context(), id, *d, by, opts...)
	})
}

func (s *Server) recordEvent(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return personWrite(s, w, r, func(id string, ev *dsr.Event, opts []register.WriteOption) error {
		return s.cfg.Register.Record(r.Context(), id, *ev, by, opts...)
	})
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return personWrite(s, w, r, func(id string, req *ReportRequest, opts []register.WriteOption) error {
		date := req.Date
		if date.IsZero() {
			date = s.today()
		}
		return s.cfg.Register.Report(r.Context(), id, date, req.Circumstances, by, opts...)
	})
}

func (s *Server) agree(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return personWrite(s, w, r, func(id string, req *RatingRequest, opts []register.WriteOption) error {
		rating, err := dsr.ParseRating(req.Rating)
		if err != nil || rating == dsr.Unrated {
			return &dsr.ValidationError{Field: "rating", Rule: "R-RAG-AGREED", Problem: "want red, amber, green or blue"}
		}
		return s.cfg.Register.Agree(r.Context(), id, rating, req.Reason, by, opts...)
	})
}

func (s *Server) withdraw(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return personWrite(s, w, r, func(id string, req *WithdrawRequest, opts []register.WriteOption) error {
		scope := req.Scope
		if scope == nil {
			scope = []string{dsr.ScopeDSR}
		}
		ev := dsr.Event{Type: dsr.EventConsentWithdrawn, Date: req.Date, By: req.By, Scope: scope}
		return s.cfg.Register.Record(r.Context(), id, ev, by, opts...)
	})
}

func (s *Server) remove(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	return personWrite(s, w, r, func(id string, req *RemoveRequest, opts []register.WriteOption) error {
		if !slices.Contains(register.RemovalReasons, req.Reason) {
			return &dsr.ValidationError{Field: "reason", Rule: "R-REM-1", Problem: "want one of no_longer_at_risk, consent_withdrawn, aged_out, moved_area or died"}
		}
		return s.cfg.Register.Remove(r.Context(), id, req.Reason, by, req.Evidence, opts...)
	})
}

func (s *Server) history(_ http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return 0, nil, err
	}
	h, err := s.cfg.Register.History(r.Context(), id, by, register.Because(r.URL.Query().Get("why")))
	if err != nil {
		return 0, nil, err
	}
	return 200, History{ID: id, Entries: h}, nil
}

func (s *Server) audit(_ http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return 0, nil, err
	}
	a, err := s.cfg.Register.Audit(r.Context(), id, by)
	if err != nil {
		return 0, nil, err
	}
	if a == nil {
		a = []register.AuditEntry{}
	}
	return 200, AuditList{ID: id, Entries: a}, nil
}

func (s *Server) refer(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	var req register.Referral
	if err := decode(w, r, &req); err != nil {
		return 0, nil, err
	}
	if err := s.cfg.Register.Refer(r.Context(), req, by); err != nil {
		return 0, nil, err
	}
	return 201, Created{ID: req.ID}, nil
}

func (s *Server) decide(w http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	id := r.PathValue("id")
	if err := dsr.ValidID("id", id); err != nil {
		return 0, nil, err
	}
	var req DecisionRequest
	if err := decode(w, r, &req); err != nil {
		return 0, nil, err
	}
	if err := s.cfg.Register.Decide(r.Context(), id, req.Outcome, req.Reasons, req.NextSteps, by); err != nil {
		return 0, nil, err
	}
	return 200, Created{ID: id}, nil
}

// queryDate reads the date parameter name, or def when absent.
func queryDate(r *http.Request, name string, def calendar.Date) (calendar.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return def, invalid(name, "%q is not a date: want YYYY-MM-DD", v)
	}
	return d, nil
}

func (s *Server) worklist(_ http.ResponseWriter, r *http.Request, by register.Actor) (int, any, error) {
	q := r.URL.Query()
	asOf, err := queryDate(r, "as_of", s.today())
	if err != nil {
		return 0, nil, err
	}
	before, err := queryDate(r, "due_before", calendar.Date{})
	if err != nil {
		return 0, nil, err
	}
	var rating dsr.Rating
	if v := q.Get("rating"); v != "" {
		if rating, err = dsr.ParseRating(v); err != nil || rating == dsr.Unrated {
			return 0, nil, invalid("rating", "%q: want red, amber, green or blue", v)
		}
	}
	var overdue *bool
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return 0, nil, invalid("overdue", "%q: want true or false", v)
		}
		overdue = &b
	}
	items, err := s.cfg.Register.Due(r.Context(), asOf)
	if err != nil {
		return 0, nil, err
	}
	out := Worklist{AsOf: asOf, Items: []WorklistItem{}}
	var kept []register.WorkItem
	for _, it := range items {
		if !before.IsZero() && !it.DueDate().Before(before) {
			continue
		}
		if overdue != nil && it.Overdue != *overdue {
			continue
		}
		if rating != dsr.Unrated {
			got := it.AgreedRating
			if got == dsr.Unrated {
				got = it.Rating
			}
			if got != rating {
				continue
			}
		}
		wi := WorklistItem{WorkItem: it}
		if it.PersonID != "" {
			wi.Pseudonym = s.pseudonym(it.PersonID)
		}
		if by.Role == register.RoleViewer {
			// Without identifiers: the pseudonym only, no request id, and of a
			// document its kind only.
			wi.PersonID, wi.ReferralID = "", ""
			if wi.Document != nil {
				wi.Document = &register.DocumentRef{Kind: wi.Document.Kind}
			}
		}
		out.Items = append(out.Items, wi)
		kept = append(kept, it)
	}
	if by.Role != register.RoleViewer {
		// Local ids: an identifiable read. A viewer's has pseudonyms only.
		desc := register.ListFilter{Rating: rating, DueBefore: before}.String()
		if overdue != nil {
			desc += fmt.Sprintf(", overdue %t", *overdue)
		}
		if err := s.cfg.Register.AuditBulk(r.Context(), "GET /v1/worklist", desc, asOf, register.PeopleIn(kept), by); err != nil {
			return 0, nil, err
		}
	}
	return 200, out, nil
}

func (s *Server) export(_ http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	today := s.today()
	ids, err := s.cfg.Register.People(r.Context())
	if err != nil {
		return 0, nil, err
	}
	out := Export{AsOf: today, Policy: s.cfg.Engine.Policy(), People: []ExportRow{}}
	for _, id := range ids {
		a, err := s.cfg.Register.Assess(r.Context(), id, today)
		if err != nil {
			return 0, nil, err
		}
		row := ExportRow{Pseudonym: s.pseudonym(id), OnRegister: a.OnRegister, Rating: a.Rating.String(), AgreedRating: a.AgreedRating.String()}
		for _, act := range a.Actions {
			row.Due++
			if act.Overdue {
				row.Overdue++
			}
		}
		out.People = append(out.People, row)
	}
	slices.SortFunc(out.People, func(a, b ExportRow) int { return strings.Compare(a.Pseudonym, b.Pseudonym) })
	return 200, out, nil
}

func (s *Server) verify(_ http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	err := s.cfg.Register.Verify(r.Context())
	switch {
	case err == nil:
		return 200, Verified{Verified: true}, nil
	case isTampered(err):
		return 200, Verified{Verified: false, Problem: err.Error()}, nil
	}
	return 0, nil, err
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	if s.cfg.Tokens == nil {
		return 0, nil, invalid("$", "this service takes no API tokens (OpenID Connect only)")
	}
	var req TokenRequest
	if err := decode(w, r, &req); err != nil {
		return 0, nil, err
	}
	tok, err := s.cfg.Tokens.CreateToken(req.Name, req.Role, s.cfg.Now())
	if err != nil {
		return 0, nil, err
	}
	return 201, TokenCreated{Token: tok, Name: req.Name, Role: req.Role}, nil
}

func (s *Server) revokeToken(_ http.ResponseWriter, r *http.Request, _ register.Actor) (int, any, error) {
	if s.cfg.Tokens == nil {
		return 0, nil, register.ErrNotFound
	}
	if err := s.cfg.Tokens.Revoke(r.PathValue("id")); err != nil {
		return 0, nil, err
	}
	return 204, nil, nil
}

func (s *Server) listTokens(http.ResponseWriter, *http.Request, register.Actor) (int, any, error) {
	out := TokenList{Tokens: []TokenEntry{}}
	if s.cfg.Tokens != nil {
		t, err := s.cfg.Tokens.Tokens()
		if err != nil {
			return 0, nil, err
		}
		out.Tokens = append(out.Tokens, t...)
	}
	return 200, out, nil
}

// relay queues, once a write has committed, the domain events of what it
// wrote (see Outbox.Relay): wrap calls it after every write that
// succeeded, so the events are queued when the answer is sent. A failure is only logged: the outbox's own relay reads
// the write from the register's log later.
func (s *Server) relay(ctx context.Context) {
	if s.cfg.Outbox == nil {
		return
	}
	if _, err := s.cfg.Outbox.Relay(context.WithoutCancel(ctx)); err != nil {
		s.log.Error("relaying a write to the outbox failed: the outbox relays it later")
	}
}
