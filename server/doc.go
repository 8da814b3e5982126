// Package server is the Dynamic Support Register as an authenticated
// HTTP/JSON service: a register (SQLite or PostgreSQL, package register)
// and a policy bundle (package policies) behind the routes below, with the
// same records and rules as the dsr command. `dsr serve` runs it.
//
// # Routes
//
// The OpenAPI 3.1 document at GET /v1/openapi.json lists every route with
// its roles, parameters and bodies; its schemas are those `dsr schema`
// prints (the case, the assessment) and the others reflected from the Go
// types the same way (internal/schema). In short:
//
//	GET  /healthz, /readyz, /metrics, /v1/openapi.json   no token
//	POST /v1/assess[?policy=NAME]                        any role: a case in, an assessment out
//	GET  /v1/policies                                    any role
//	POST /v1/policies/diff                               analyst: who changes between two bundles
//	POST /v1/people                                      coordinator: add a person
//	GET  /v1/people                                      coordinator: the local ids
//	POST /v1/people/search                               coordinator: by NHS number (in the body, never a URL)
//	GET  /v1/people/{id}[?why=]                          coordinator: details, version, assessment
//	PUT  /v1/people/{id}/details                         coordinator
//	POST /v1/people/{id}/events|circumstances|rating     coordinator
//	POST /v1/people/{id}/withdrawal|removal              coordinator
//	GET  /v1/people/{id}/history[?why=]                  coordinator
//	GET  /v1/people/{id}/audit                           admin
//	POST /v1/referrals, /v1/referrals/{id}/decision      coordinator
//	POST /v1/reviews, GET /v1/reviews/{id}                coordinator: plan, read (audited)
//	POST /v1/reviews/{id}/hold|recommendations|report     coordinator
//	POST /v1/meetings, GET /v1/meetings/{id}              coordinator: Blue Light meetings
//	POST /v1/meetings/{id}/attendance|steps|options|funding|close   coordinator
//	GET  /v1/worklist[?as_of=&due_before=&rating=&overdue=]   viewer (pseudonyms only), coordinator
//	GET  /v1/export                                      analyst: pseudonymised
//	GET  /v1/verify                                      admin
//	POST /v1/tokens, GET /v1/tokens, DELETE /v1/tokens/{id}   admin
//
// # Roles
//
// The roles are register.Roles, and each route takes the roles it lists,
// no others (there is no hierarchy):
//
//   - viewer: the worklist without identifiers (each person by pseudonym,
//     no local ids, no request ids), assessments of cases sent, the
//     bundles.
//   - coordinator: reads and writes people, referrals and decisions,
//     reviews and Blue Light meetings, and the worklist with local ids.
//   - analyst: policy diffs (over generated cases, or the register's people
//     named by pseudonym, each read audited) and pseudonymised exports
//     (GET /v1/export), assessments of cases sent, the bundles.
//   - admin: tokens, verify, the audit of a person. Rekeying stays with
//     `dsr register rekey`, run with the service stopped: every process
//     serving the register holds the old key-encryption key.
//
// A request without a valid token is 401 (with WWW-Authenticate: Bearer);
// a role the route does not take, 403.
//
// # Authentication
//
// A bearer token is an API token (TokenFile: created with `dsr serve token
// create`, shown once, kept as a SHA-256 hash in a 0600 file beside the
// key file) or an OpenID Connect JWT (OIDC: verified against the issuer's
// JWKS, with the issuer, audience and expiry checked and the role read
// from a configured claim). The actor of every register write, and of
// every audited read, is the token's name (the JWT's subject) and role.
//
// # Audit
//
// Every read of identifiable data goes through the register's audited
// reads (Details, History, FindNHSNumber: who, role, when and the ?why=),
// listed by GET /v1/people/{id}/audit.
//
// # Errors
//
// Every error is an RFC 9457 problem (application/problem+json): invalid
// input 400 naming each field at fault and the rule; a body over
// dsr.MaxInputBytes 413; an unknown person 404, an erased one 410; a write
// whose If-Match version is stale 409 with the person's current version
// (current_version, and the ETag); consent that does not hold 422 with the
// reasons. Bodies are decoded strictly (dsr.DecodeStrict). Every write
// answers with the person's version as its ETag.
//
// # Logs and metrics
//
// One log line a request (log/slog): the route pattern, status, duration
// and role, never a path, a query, a body or an error's text, which may
// hold identifiers. Prometheus metrics at /metrics: requests and latency
// by route pattern, assessments by bundle, conflicts by route, the
// outbox's deliveries.
//
// # Domain events
//
// With an Outbox, writes enqueue domain events (person added, rating
// agreed, Blue Light meeting recorded; SweepOverdue adds review overdue)
// for a webhook, at least once; see Event for what is sent.
//
// # Shutdown
//
// Serve stops on its context: /readyz turns 503, new writes are refused,
// and the requests in flight finish before it returns.
package server
