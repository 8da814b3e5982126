package fhir

import (
	"crypto/sha1"
	"fmt"

	"github.com/dsrkit/dsrkit/dsr"
)

// Namespace is the base of the URLs dsrkit defines for what FHIR and UK
// Core have no code for: the module's own path, which the project
// controls. They name codes; nothing is served there.
const Namespace = "https://github.com/dsrkit/dsrkit/fhir/"

// The systems and extensions of a bundle (see the package documentation).
const (
	// NHSNumberSystem is the identifier system of NHS numbers (UK Core).
	NHSNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"
	// NHSNumberVerificationStatusURL is UK Core's extension on the NHS
	// number identifier saying whether the number was traced, coded from
	// NHSNumberVerificationStatusSystem.
	NHSNumberVerificationStatusURL    = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
	NHSNumberVerificationStatusSystem = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
	// SNOMEDSystem is SNOMED CT's system URI.
	SNOMEDSystem = "http://snomed.info/sct"

	// LocalIDSystemBase, followed by the register's id (register.ID), is
	// the identifier system of the register's local ids of people, unless
	// WithLocalIDSystem names another.
	LocalIDSystemBase = Namespace + "Id/person/"
	// FlagSystem codes the register flag: FlagCode, on the Dynamic
	// Support Register.
	FlagSystem = Namespace + "CodeSystem/dsr-flag"
	FlagCode   = "DSR"
	// RatingSystem codes the ratings of R-RAG-*: RED, AMBER, GREEN, BLUE.
	RatingSystem = Namespace + "CodeSystem/dsr-rating"
	// RatingExtension carries the rating of record (R-RAG-AGREED-2) on
	// the Flag and the RiskAssessment, a Coding of RatingSystem;
	// SuggestedRatingExtension and AgreedRatingExtension the rules'
	// suggestion and the meeting's agreed rating (R-RAG-AGREED) on the
	// RiskAssessment.
	RatingExtension          = Namespace + "StructureDefinition/dsr-rating-of-record"
	SuggestedRatingExtension = Namespace + "StructureDefinition/dsr-suggested-rating"
	AgreedRatingExtension    = Namespace + "StructureDefinition/dsr-agreed-rating"
	// RiskAssessmentSystem codes the RiskAssessment: AssessmentCode, the
	// register rating.
	RiskAssessmentSystem = Namespace + "CodeSystem/dsr-assessment"
	AssessmentCode       = "dsr-rating"
	// ConsentScopeSystem codes what a consent covers: dsr (inclusion on
	// the register), cetr (a C(E)TR), sharing (information sharing).
	ConsentScopeSystem = Namespace + "CodeSystem/dsr-consent-scope"
	// ConsentGivenByExtension says who gave a consent (R-CONS-2), a
	// Coding of ConsentGivenBySystem: self, parent, deputy, attorney,
	// best_interests.
	ConsentGivenByExtension = Namespace + "StructureDefinition/dsr-consent-given-by"
	ConsentGivenBySystem    = Namespace + "CodeSystem/dsr-consent-given-by"
	// ReviewKindSystem codes the kind of a C(E)TR beside its SNOMED CT
	// code: community, post_admission, inpatient, trigger, statutory.
	ReviewKindSystem = Namespace + "CodeSystem/dsr-review-kind"
	// ReviewOutcomeSystem codes what a held review concluded
	// (cetr.Outcomes): stay_in_community, admission_needed,
	// continue_in_hospital, discharge_planned.
	ReviewOutcomeSystem = Namespace + "CodeSystem/dsr-review-outcome"
	// ReviewIDSystemBase, followed by the register's id, is the identifier
	// system of the register's review records (cetr.Review.ID).
	ReviewIDSystemBase = Namespace + "Id/review/"
)

// The SNOMED CT codes of the kinds of C(E)TR (R-CODE-1).
const (
	SNOMEDCommunityReview     = "1060751000000101"
	SNOMEDPostAdmissionReview = "1060741000000104"
	SNOMEDInpatientReview     = "1060761000000103"
)

// ReviewSNOMED returns the SNOMED CT code of a kind of review
// (dsr.ReviewKinds) under R-CODE-1, and false for a kind it gives none
// (trigger, statutory).
func ReviewSNOMED(kind string) (string, bool) {
	switch kind {
	case dsr.ReviewCommunity:
		return SNOMEDCommunityReview, true
	case dsr.ReviewPostAdmission:
		return SNOMEDPostAdmissionReview, true
	case dsr.ReviewInpatient:
		return SNOMEDInpatientReview, true
	}
	return "", false
}

// RatingCode returns the RatingSystem code of a rating ("RED"), and "" for
// Unrated.
func RatingCode(r dsr.Rating) string {
	switch r {
	case dsr.Red:
		return "RED"
	case dsr.Amber:
		return "AMBER"
	case dsr.Green:
		return "GREEN"
	case dsr.Blue:
		return "BLUE"
	}
	return ""
}

// ratingDisplay says what a rating means, for the Coding's display.
var ratingDisplay = map[dsr.Rating]string{
	dsr.Red:   "RED: immediate risk of admission",
	dsr.Amber: "AMBER: at risk of admission without urgent help",
	dsr.Green: "GREEN: risks managed in the community",
	dsr.Blue:  "BLUE: in hospital now",
}

// reviewWords name the kinds of review.
var reviewWords = map[string]string{
	dsr.ReviewCommunity:     "community C(E)TR",
	dsr.ReviewPostAdmission: "post-admission C(E)TR",
	dsr.ReviewInpatient:     "inpatient C(E)TR",
	dsr.ReviewTrigger:       "C(E)TR after a move or a change of diagnosis",
	dsr.ReviewStatutory:     "statutory C(E)TR",
}

// givenByWords say who gave consent (R-CONS-2).
var givenByWords = map[string]string{
	dsr.BySelf:          "the person",
	dsr.ByParent:        "someone with parental responsibility",
	dsr.ByDeputy:        "a deputy",
	dsr.ByAttorney:      "a health and welfare attorney",
	dsr.ByBestInterests: "a best-interests decision",
}

// scopeWords say what a consent covers.
var scopeWords = map[string]string{
	dsr.ScopeDSR:     "inclusion on the Dynamic Support Register",
	dsr.ScopeCETR:    "a Care (Education) and Treatment Review",
	dsr.ScopeSharing: "information sharing",
}

// uuidNamespace is the name space of the bundle's UUIDs (a version 4 UUID
// drawn once for dsrkit).
var uuidNamespace = [16]byte{0x6b, 0x1f, 0x3c, 0x52, 0x8e, 0x0d, 0x4a, 0x27, 0x9c, 0x55, 0x1e, 0x7a, 0x33, 0xd0, 0x84, 0x19}

// nameUUID is the name-based UUID (RFC 9562 version 5) of name in dsrkit's
// name space: the same name gives the same UUID, so an export made again
// names every resource as before.
func nameUUID(name string) string {
	h := sha1.New()
	h.Write(uuidNamespace[:])
	h.Write([]byte(name))
	s := h.Sum(nil)
	s[6] = s[6]&0x0f | 0x50
	s[8] = s[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}
