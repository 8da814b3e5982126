// Package dsr is the vocabulary of the Dynamic Support Register: who a person
// is (Person), what the multi-agency team reports about them now
// (Circumstances), their dated history (Event), the register rating
// (Rating), the input to an assessment (Case) and its result (Assessment,
// Action, Reason). It also checks a case against the contract, works out the
// facts a history implies (Derive), and parses NHS numbers.
//
// Rule ids such as R-RAG-BLUE refer to docs/rules.md.
//
// # What it does
//
//   - DecodeCase and UnmarshalCase read a case from JSON and validate it;
//     Case.Validate checks a case built in Go: required fields, known words,
//     a date of birth and events on or before as_of, events on or after the
//     date of birth, and a history that does not contradict itself (a
//     discharge or transfer with no admission before it, two admissions with
//     no discharge between).
//   - Derive and DeriveInto turn a valid case into Facts: inpatient now and
//     the hospital spells (ward security and hospital after transfers, the
//     last move and what it changed), previous admissions, the last review of
//     each kind, the community review before each admission (R-CETR-PA-1),
//     diagnoses after diagnosis_added and diagnosis_removed, consent records
//     for register inclusion, and the 16th and 18th birthdays. Facts derived
//     from events beat facts stated by hand: "inpatient now" is an admitted
//     event with no later discharged. Events dated after as_of are ignored;
//     events are taken in date order, those on the same day in the order
//     given (Chronological).
//   - ParseNHSNumber accepts ten digits, optionally grouped 3-3-4 with a
//     space or hyphen, that pass the Modulus 11 check. DecodeCase and
//     UnmarshalCase accept the same forms in person.nhs_number and keep
//     the ten digits alone ("999 100 0011" is read as "9991000011"), and
//     so does `dsr assess`, whose case schema allows the grouping.
//     TestNHSNumber makes valid numbers in the 999 range for synthetic
//     people.
//
// # What it does not do
//
// There is no policy engine here. Whether a person is eligible, what rating
// their facts suggest, which reviews and actions are due and whether consent
// holds are decided by a Rules implementation, such as policies.Engine, from
// the Case and the Facts this package derives. Nor does it keep anyone's
// records: the Register (consent gate, encryption, hash chain, worklist,
// documents and referrals) is package register, which imports this one.
// Package dsr never imports register, policies, cetr or bluelight, nor any
// rule engine, and it never reads the clock: as_of is always an input.
//
// # The JSON contract
//
// Case and Assessment are the stable contract with host systems. JSON field
// names are snake_case; dates are ISO 8601 strings (2026-03-30), instants
// RFC 3339 strings, ratings lower-case words ("red", "amber", "green",
// "blue", or "" for none), NHS numbers ten digits. DecodeCase is strict: it
// rejects unknown fields, names in the wrong case, a field given twice (at
// any depth), values of the wrong JSON type, trailing data, text that is not
// valid UTF-8, a null document and more than MaxInputBytes. JSON null inside
// the document leaves a field at its zero value. DecodeStrict is the same
// decoder for any type, and every write path of the register and the CLI
// (new people, events, reviews, meetings) reads its JSON through it.
//
// # Ids
//
// Every id — of a person, a review, a Blue Light meeting, a request to join,
// a member of staff — is 1 to 64 (MaxIDLength) characters from one set:
// letters A–Z and a–z, digits 0–9, and - _ . : (ValidID). Ids are printed in
// worklists and kept in the clear for audit, so spaces, control characters,
// terminal escape codes and non-ASCII look-alikes are refused where they
// enter: Case.Validate checks person.id, and the register's write methods
// check the ids they are given.
//
// # Zero values
//
// Every zero value means "not known" or "did not happen", never a clinical
// judgement:
//
//   - Rating's zero value is Unrated ("" in JSON): not eligible, or not yet
//     rated. Unrated is not GREEN, and nothing in this package turns one into
//     the other.
//   - The zero calendar.Date is "no date" (a Facts date that is zero means
//     "never"); the zero NHSNumber is "not given".
//   - Person and Circumstances booleans default to false. From 16 capacity
//     is presumed, so Person.LacksCapacity must be stated.
//   - An empty scope on consent_given covers register inclusion (dsr) only;
//     an empty scope on consent_withdrawn withdraws everything.
//
// # Errors
//
// Bad input is a *ValidationError naming the field by its JSON path
// ("person.date_of_birth", "events[3].security"; "$" for the document as a
// whole), saying what is wrong and, when a domain rule is broken, its id.
// Every ValidationError matches ErrInvalid with errors.Is. Validate and
// DecodeCase report every problem they find at once, joined with
// errors.Join, so use errors.As to reach the first and errors.Is to test
// for ErrInvalid. The register's own sentinels (ErrConsentRequired,
// ErrConflict, ErrNotFound and the rest) are in package register.
package dsr
