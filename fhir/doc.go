// Package fhir exports the register as FHIR R4, for a regional shared care
// record: one Bundle (type collection) per person (Bundle), or everyone
// the register holds with consent to share in one (BundleAll), built with
// the github.com/samply/golang-fhir-models R4 types. It follows UK Core
// where UK Core has something to say, and NHS England's PatientFlag
// pattern for the register flag. The package is engine-free: it reads the
// register through its audited reads (Case, Details, Standing) as the
// member of staff who exports, asks the register's rules for the
// assessment, and judges consent to share with package consent.
//
// # What a person's bundle holds
//
//   - Patient: the NHS number as an identifier of NHSNumberSystem, with UK
//     Core's NHS number verification status extension coded "02" (number
//     present but not traced: the register checks the Modulus 11 digit,
//     it does not trace the number); the register's local id as a second
//     identifier, of the system LocalIDSystemBase followed by the
//     register's id (WithLocalIDSystem names another); the name as held
//     (HumanName.text), the date of birth, and the gender when the entry
//     records one (R-DATA-1: female and male as such, non_binary and other
//     as other, not_stated as unknown).
//   - Flag: the register flag, FlagCode of FlagSystem, category clinical;
//     its period starts on the day the person was added and ends on the
//     day of their removal (R-REM-1). It is active while the person is on
//     the register on the export's date (added, not removed, eligible with
//     consent for inclusion holding: R-CONS-1), else inactive. An active
//     flag carries the rating of record (R-RAG-AGREED-2) in the
//     RatingExtension, a Coding of RatingSystem.
//   - RiskAssessment, for someone on the register with a rating: the
//     rating of record as the prediction's qualitativeRisk (RatingSystem),
//     the rules' suggestion and the meeting's agreed rating as
//     SuggestedRatingExtension and AgreedRatingExtension (R-RAG-AGREED),
//     every reason as a note "RULE-ID: plain words" and the plain words
//     together as the prediction's rationale, the bundle of rules that
//     decided as the method, and the spells and reviews as its basis.
//   - Consent, one for each scope of each consent given (ConsentScopeSystem:
//     dsr, cetr, sharing): who gave it (R-CONS-2) in the
//     ConsentGivenByExtension and as the performer (the Patient when the
//     person gave it), the date, scope patient-privacy, policy rule OPTIN
//     (its text says what the consent is for). It is active until a later
//     withdrawal or a later consent for the same scope (then inactive, the
//     provision's period ending that day); consent for inclusion is
//     inactive, too, when the rules find it does not hold on the export's
//     date (a parent's consent lapsed at 16, R-CONS-3).
//   - EpisodeOfCare for each inpatient spell, admission to discharge
//     (active while the person is still in), with the ward's security, the
//     legal status and an out-of-area placement as text.
//   - Procedure for each C(E)TR held, status completed, coded with
//     R-CODE-1's SNOMED CT code (SNOMEDSystem) where the kind has one, and
//     always with its kind in ReviewKindSystem; where the register keeps
//     the review's record (register.ReviewDocuments), its id (an identifier
//     of ReviewIDSystemBase and the register's id) and its outcome
//     (ReviewOutcomeSystem).
//
// # Only people who hold consent to share are exported
//
// A shared care record is information sharing, which needs consent of its
// own (docs/rules.md, R-CONS-1): a person is exported only when, on the
// export's date, they hold a consent_given covering the scope sharing
// (dsr.ScopeSharing), or a recorded best-interests decision for it
// (given by dsr.ByBestInterests). Consent for inclusion alone is not
// enough. It is judged by package consent (consent.Params.Evaluate for
// consent.Sharing), as the register judges consent for inclusion: the
// latest record covering sharing on or before the date decides; it holds
// only if given by someone who could give it then (R-CONS-2), not a
// parent's lapsed at the 16th birthday and not confirmed by the young
// person (R-CONS-3), and not withdrawn (R-CONS-4). The parameters are
// national-2023's unless WithConsentParams gives the area's. There is no
// option to export without it.
//
// Bundle refuses someone without it with an error matching
// ErrNoSharingConsent that cites the rule that decided and says what is
// missing; only their case has been read (audited), to judge it. BundleAll
// leaves them out, and its Summary counts them by rule. Neither the error
// nor the Summary names anyone.
//
// # Withdrawn people are never exported
//
// Withdrawal of consent for inclusion takes a person's identifiable data
// off the register (R-CONS-4): BundleAll leaves them out (and does not
// count them: they are no longer held), and Bundle refuses them with
// ErrWithdrawn, whose words name nobody.
//
// # Stable ids
//
// Every resource's id, and so its fullUrl (urn:uuid:…), is a name-based
// UUID of the person's pseudonym (register.PersonStream), the kind of
// resource and its place among those of its kind; the bundle's timestamp
// is the start of the export's date. Exporting the same register again for
// the same date gives the same bundle, so a receiving system updates
// rather than duplicates.
//
// # dsrkit's codes
//
// Where neither FHIR nor UK Core has a code, dsrkit defines one under
// Namespace (the module's own path; nothing is served there):
//
//	CodeSystem/dsr-flag             DSR: on the Dynamic Support Register
//	CodeSystem/dsr-rating           RED, AMBER, GREEN, BLUE (R-RAG-*)
//	CodeSystem/dsr-assessment       dsr-rating: the register rating
//	CodeSystem/dsr-consent-scope    dsr, cetr, sharing
//	CodeSystem/dsr-consent-given-by self, parent, deputy, attorney, best_interests
//	CodeSystem/dsr-review-kind      community, post_admission, inpatient, trigger, statutory
//	CodeSystem/dsr-review-outcome   stay_in_community, admission_needed, continue_in_hospital, discharge_planned
//	StructureDefinition/dsr-rating-of-record, dsr-suggested-rating,
//	dsr-agreed-rating               extensions, each a Coding of dsr-rating
//	StructureDefinition/dsr-consent-given-by
//	                                extension, a Coding of dsr-consent-given-by
//	Id/person/REGISTER-ID           the register's local ids of people
//	Id/review/REGISTER-ID           the register's ids of review records
//
// Who may export is the host's decision, as for every read of the
// register; dsr register fhir lets coordinators and admins.
//
// The output is checked in the tests against HL7's FHIR R4 JSON Schema
// (package fhir/fhirtest); it claims no profile (meta.profile) it has not
// been validated against.
package fhir
