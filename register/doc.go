// Package register is the Dynamic Support Register service: Register keeps
// each person's records as an append-only log in a Store, using the
// vocabulary of package dsr (Person, Circumstances, Event, Case,
// Assessment) and a dsr.Rules implementation, such as policies.Engine, to
// assess them.
//
// # What it does
//
//   - A consent gate: identifiable data is refused without valid consent
//     for inclusion (R-CONS-1), decided by a ConsentPolicy
//     (consent.National2023, say) or by the Rules.
//   - Envelope encryption: each person's records are sealed with their own
//     data key (AES-256-GCM), stored only wrapped by the register's
//     key-encryption key (a KeyWrapper: OpenKeyFile, Passphrase, or a
//     host's KMS), which never sits in the store; the key is destroyed when
//     consent is withdrawn (R-CONS-4), leaving only the audit trail.
//     Register.Rekey re-wraps every key under a new KEK.
//   - No identifier in the clear: streams are named by pseudonyms (HMAC
//     under the register's pseudonym key, itself wrapped by the KEK) of
//     local ids, an NHS number index finds people and keeps one number to
//     one person, and records show only an audit type (AuditTypes), the
//     real type being sealed. Staff ids and roles stay in the clear.
//   - A keyed chain over the whole log (HMAC under the chain key), a MAC
//     over each stream's row, and a checkpoint of the log's head kept
//     outside the store (WithCheckpoints), so an edit, a forgery, a
//     reordering, a deletion, a cut tail, a replaced stream or a nulled key
//     shows (Register.Verify), and History and Due refuse a broken stream.
//   - Audited reads: History, Case and Details take an Actor (roles
//     viewer, coordinator, analyst, admin) and record who read what and
//     why in the same chain (Register.Audit).
//   - Optimistic writes: a write names the version it read (IfVersion), and
//     a concurrent writer gets ErrConflict rather than a silent interleave.
//   - Reads: Register.Case, Details, Assess and History; the worklist of
//     what is due across the register (Register.Due); requests to join
//     (Refer, Decide, R-REQ-1) and removals (Remove, R-REM-1).
//   - Documents: records kept beside a person's history, of the kinds the
//     register is opened with (WithDocumentKinds), each checked before it is
//     written and adding what it leaves due to the worklist. Two kinds come
//     with the package: ReviewDocuments keeps cetr.Review records
//     (Register.SaveReview, Review, FindReview) and MeetingDocuments keeps
//     bluelight.Meeting records (Register.SaveMeeting, Meeting,
//     FindMeeting). Packages cetr and bluelight hold the records and their
//     rules and never import this one.
//
// Stores: register/memstore (in memory, for tests and examples) and
// register/sqlitestore (one SQLite file); register/storetest is the suite
// every Store must pass.
//
// # Errors
//
// Bad input is a *dsr.ValidationError naming the field, matching
// dsr.ErrInvalid. A write refused at the consent gate is a *ConsentError
// matching ErrConsentRequired; a stale version ErrConflict; an unknown
// person, request or document ErrNotFound; a write to an erased or removed
// person ErrErased or ErrRemoved; a log not as the register wrote it a
// *ChainError matching ErrTampered; a missing or wrong key-encryption key
// an error matching ErrNoKey that names what is missing.
package register
