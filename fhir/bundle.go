package fhir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	r4 "github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/cetr"
	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// ErrWithdrawn is the refusal to export someone whose consent was
// withdrawn: withdrawal takes their identifiable data off the register
// (R-CONS-4), so nothing about them is ever exported. The error matches
// register.ErrErased too, and names nobody.
var ErrWithdrawn = errors.New("fhir: consent was withdrawn and the person's records erased (R-CONS-4): nothing is exported")

// ErrNotFound is an export of someone the register does not hold; it
// matches register.ErrNotFound too, and names nobody.
var ErrNotFound = errors.New("fhir: no such person on the register")

// Option refines an export.
type Option func(*options)

type options struct {
	why          string
	localSystem  string
	reviewSystem string
	consent      consent.Params
}

// Because gives the reason recorded with the audit of every read the
// export makes (register.Because); the default is "FHIR R4 export".
func Because(why string) Option { return func(o *options) { o.why = why } }

// WithLocalIDSystem sets the identifier system of the register's local
// ids of people (default LocalIDSystemBase followed by the register's id).
func WithLocalIDSystem(uri string) Option { return func(o *options) { o.localSystem = uri } }

// Bundle exports one person as a FHIR R4 Bundle of type collection, as the
// register holds them on asOf: their Patient, the register Flag, the
// RiskAssessment of their rating, a Consent for each consent given, an
// EpisodeOfCare for each inpatient spell and a Procedure for each C(E)TR
// held (see the package documentation). Every read is made as by, and
// audited. Someone who does not hold consent to share on asOf is refused
// with an error matching ErrNoSharingConsent, after only their case has
// been read (to judge it); someone whose consent was withdrawn is
// ErrWithdrawn, an unknown id ErrNotFound. No error names the person.
func Bundle(ctx context.Context, reg *register.Register, personID string, asOf calendar.Date, by register.Actor, opts ...Option) (r4.Bundle, error) {
	o := optionsOf(reg, opts)
	entries, err := personEntries(ctx, reg, personID, asOf, by, &o)
	if err != nil {
		return r4.Bundle{}, err
	}
	return collection(reg.PersonStream(personID), asOf, entries), nil
}

// BundleAll exports everyone the register holds on asOf (on the register
// or removed from it) who holds consent to share then, as one Bundle of
// type collection: each person's entries as Bundle gives them, in the
// order of their local ids. The Summary counts the people in it and those
// left out for want of consent to share, by the rule that decided (it
// names nobody). People whose consent was withdrawn are not in it, nor
// counted (R-CONS-4): the register no longer holds them.
func BundleAll(ctx context.Context, reg *register.Register, asOf calendar.Date, by register.Actor, opts ...Option) (r4.Bundle, Summary, error) {
	if err := by.Validate(); err != nil {
		return r4.Bundle{}, Summary{}, fmt.Errorf("fhir: %w", err)
	}
	o := optionsOf(reg, opts)
	ids, err := reg.People(ctx)
	if err != nil {
		return r4.Bundle{}, Summary{}, fmt.Errorf("fhir: %w", err)
	}
	var entries []r4.BundleEntry
	var sum Summary
	for _, id := range ids {
		es, err := personEntries(ctx, reg, id, asOf, by, &o)
		var refused *noSharing
		switch {
		case errors.As(err, &refused):
			sum.leave(refused)
			continue
		case errors.Is(err, ErrWithdrawn):
			continue // withdrawn since the list was read
		case err != nil:
			return r4.Bundle{}, Summary{}, err
		}
		sum.People++
		entries = append(entries, es...)
	}
	return collection("register/"+reg.ID(), asOf, entries), sum, nil
}

// Marshal returns the bundle as indented JSON, as the CLI writes it.
func Marshal(b r4.Bundle) ([]byte, error) {
	out, err := json.MarshalIndent(b, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("fhir: encoding the bundle: %w", err)
	}
	return append(out, '\n'), nil
}

func optionsOf(reg *register.Register, opts []Option) options {
	o := options{why: "FHIR R4 export", localSystem: LocalIDSystemBase + reg.ID(), reviewSystem: ReviewIDSystemBase + reg.ID(), consent: consent.National2023}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// collection is a Bundle of type collection named after key, stamped with
// the start of asOf in London (so an export made again is the same).
func collection(key string, asOf calendar.Date, entries []r4.BundleEntry) r4.Bundle {
	id := nameUUID(key + "/Bundle/" + asOf.String())
	ts := asOf.Start().Format("2006-01-02T15:04:05-07:00")
	return r4.Bundle{
		Id:        &id,
		Type:      r4.BundleTypeCollection,
		Timestamp: &ts,
		Entry:     entries,
	}
}

// person gathers one person's entries.
type person struct {
	o       *options
	stream  string
	patient string // the Patient's fullUrl
	entries []r4.BundleEntry
}

// url is the fullUrl (urn:uuid) of the n-th resource of a kind, and its id.
func (p *person) url(kind string, n int) (string, string) {
	id := nameUUID(fmt.Sprintf("%s/%s/%d", p.stream, kind, n))
	return "urn:uuid:" + id, id
}

func (p *person) add(url string, res any) error {
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("fhir: encoding a resource: %w", err)
	}
	p.entries = append(p.entries, r4.BundleEntry{FullUrl: &url, Resource: b})
	return nil
}

func personEntries(ctx context.Context, reg *register.Register, id string, asOf calendar.Date, by register.Actor, o *options) ([]r4.BundleEntry, error) {
	why := register.Because(o.why)
	// The case first: it is enough to judge consent to share, and someone
	// without it has nothing else read.
	c, err := reg.Case(ctx, id, asOf, by, why)
	if err != nil {
		return nil, readError(err)
	}
	if err := sharingConsent(o.consent, &c, asOf); err != nil {
		return nil, err
	}
	d, err := reg.Details(ctx, id, by, why)
	if err != nil {
		return nil, readError(err)
	}
	st, err := reg.Standing(ctx, id, by, why)
	if err != nil {
		return nil, readError(err)
	}
	a, err := reg.Assess(ctx, id, asOf)
	if err != nil {
		return nil, readError(err)
	}
	held, err := heldReviews(ctx, reg, id)
	if err != nil {
		return nil, err
	}
	p := &person{stream: reg.PersonStream(id), o: o}
	var patientID string
	p.patient, patientID = p.url("Patient", 0)
	if err := p.add(p.patient, patient(patientID, &d, o)); err != nil {
		return nil, err
	}
	onRegister := a.OnRegister && !st.Added.After(asOf) && (st.Removal == nil || st.Removal.Date.After(asOf))
	flagURL, flagID := p.url("Flag", 0)
	if err := p.add(flagURL, p.flag(flagID, st, &a, onRegister)); err != nil {
		return nil, err
	}
	var basis []r4.Reference
	if basis, err = p.spells(&c, asOf); err != nil {
		return nil, err
	}
	reviews, err := p.reviews(&c, held)
	if err != nil {
		return nil, err
	}
	basis = append(basis, reviews...)
	if err := p.consents(&c, &a); err != nil {
		return nil, err
	}
	if onRegister && a.RatingOfRecord != dsr.Unrated {
		u, rid := p.url("RiskAssessment", 0)
		if err := p.add(u, p.riskAssessment(rid, &a, basis)); err != nil {
			return nil, err
		}
	}
	return p.entries, nil
}

// reviewKey matches a review record to the review_held event it added.
type reviewKey struct {
	held calendar.Date
	kind string
}

// heldReviews are the person's review records (register.ReviewKind) that
// were held, by the day and kind they were held.
func heldReviews(ctx context.Context, reg *register.Register, id string) (map[reviewKey]*cetr.Review, error) {
	docs, err := reg.Documents(ctx, id, register.ReviewKind)
	if err != nil {
		return nil, readError(err)
	}
	out := map[reviewKey]*cetr.Review{}
	for _, d := range docs {
		rv, err := register.ReviewFromDocument(d)
		if err != nil {
			return nil, fmt.Errorf("fhir: a review record: %w", err)
		}
		if rv.IsHeld() {
			out[reviewKey{rv.Held, string(rv.Kind)}] = rv
		}
	}
	return out, nil
}

// readError is a read's error without the person's id in its words.
func readError(err error) error {
	switch {
	case errors.Is(err, register.ErrErased):
		return fmt.Errorf("%w (%w)", ErrWithdrawn, register.ErrErased)
	case errors.Is(err, register.ErrNotFound):
		return fmt.Errorf("%w (%w)", ErrNotFound, register.ErrNotFound)
	}
	var ve *dsr.ValidationError
	if errors.As(err, &ve) {
		return fmt.Errorf("fhir: %w", ve)
	}
	return fmt.Errorf("fhir: reading the register: %w", err)
}

func ptr[T any](v T) *T { return &v }

func coding(system, code, display string) r4.Coding {
	c := r4.Coding{System: ptr(system), Code: ptr(code)}
	if display != "" {
		c.Display = ptr(display)
	}
	return c
}

func concept(text string, codings ...r4.Coding) r4.CodeableConcept {
	cc := r4.CodeableConcept{Coding: codings}
	if text != "" {
		cc.Text = ptr(text)
	}
	return cc
}

func ref(url string) r4.Reference { return r4.Reference{Reference: ptr(url)} }

func dateOf(d calendar.Date) *string { return ptr(d.String()) }

func ratingCoding(r dsr.Rating) r4.Coding {
	return coding(RatingSystem, RatingCode(r), ratingDisplay[r])
}

func ratingExtension(url string, r dsr.Rating) r4.Extension {
	return r4.Extension{Url: url, ValueCoding: ptr(ratingCoding(r))}
}

// genders maps the register's genders (dsr.Genders) to FHIR's
// administrative gender.
var genders = map[string]r4.AdministrativeGender{
	"female":     r4.AdministrativeGenderFemale,
	"male":       r4.AdministrativeGenderMale,
	"non_binary": r4.AdministrativeGenderOther,
	"other":      r4.AdministrativeGenderOther,
	"not_stated": r4.AdministrativeGenderUnknown,
}

func patient(id string, d *register.Details, o *options) r4.Patient {
	p := r4.Patient{Id: &id, BirthDate: dateOf(d.Person.DateOfBirth)}
	if n := d.Person.NHSNumber; n != "" {
		// The register checks the number's Modulus 11 digit; it does not
		// trace it: UK Core's "02", present but not traced.
		status := concept("", coding(NHSNumberVerificationStatusSystem, "02", "Number present but not traced"))
		p.Identifier = append(p.Identifier, r4.Identifier{
			Extension: []r4.Extension{{Url: NHSNumberVerificationStatusURL, ValueCodeableConcept: &status}},
			Use:       ptr(r4.IdentifierUseOfficial), System: ptr(NHSNumberSystem), Value: ptr(string(n)),
		})
	}
	p.Identifier = append(p.Identifier, r4.Identifier{Use: ptr(r4.IdentifierUseSecondary), System: ptr(o.localSystem), Value: ptr(d.Person.ID)})
	if name := strings.TrimSpace(d.Name); name != "" {
		p.Name = []r4.HumanName{{Use: ptr(r4.NameUseUsual), Text: &name}}
	}
	if g, ok := genders[d.Entry.Gender]; ok {
		p.Gender = &g
	}
	return p
}

func (p *person) flag(id string, st register.Standing, a *dsr.Assessment, onRegister bool) r4.Flag {
	f := r4.Flag{
		Id:       &id,
		Status:   r4.FlagStatusInactive,
		Category: []r4.CodeableConcept{concept("", coding("http://terminology.hl7.org/CodeSystem/flag-category", "clinical", "Clinical"))},
		Code:     concept("On the Dynamic Support Register", coding(FlagSystem, FlagCode, "On the Dynamic Support Register")),
		Subject:  ref(p.patient),
		Period:   &r4.Period{Start: dateOf(st.Added)},
	}
	if st.Removal != nil {
		f.Period.End = dateOf(st.Removal.Date)
	}
	if onRegister {
		f.Status = r4.FlagStatusActive
		if a.RatingOfRecord != dsr.Unrated {
			f.Extension = []r4.Extension{ratingExtension(RatingExtension, a.RatingOfRecord)}
			f.Code.Text = ptr("On the Dynamic Support Register: " + RatingCode(a.RatingOfRecord))
		}
	}
	return f
}

// consents adds a Consent for each scope of each consent_given of the
// case: active until a later consent_withdrawn or consent_given covers the
// scope (then inactive from that day), and, for inclusion, inactive when
// the rules find that consent for inclusion does not hold on the case's
// date (a parent's consent lapsed at 16, R-CONS-3).
func (p *person) consents(c *dsr.Case, a *dsr.Assessment) error {
	n := 0
	order := dsr.Chronological(c.Events) // "later" is by date, then as recorded
	for k, i := range order {
		e := c.Events[i]
		if e.Type != dsr.EventConsentGiven {
			continue
		}
		scopes := e.Scope
		if len(scopes) == 0 {
			scopes = []string{dsr.ScopeDSR}
		}
		for _, s := range scopes {
			status, end := r4.ConsentStateActive, calendar.Date{}
			for _, j := range order[k+1:] {
				f := c.Events[j]
				if (f.Type == dsr.EventConsentWithdrawn || f.Type == dsr.EventConsentGiven) && f.HasScope(s) {
					status, end = r4.ConsentStateInactive, f.Day()
					break
				}
			}
			if status == r4.ConsentStateActive && s == dsr.ScopeDSR && !a.Consent.Valid {
				status = r4.ConsentStateInactive
			}
			u, id := p.url("Consent", n)
			n++
			if err := p.add(u, p.consent(id, &e, s, status, end)); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *person) consent(id string, e *dsr.Event, scope string, status r4.ConsentState, end calendar.Date) r4.Consent {
	cats := []r4.CodeableConcept{
		concept("", coding("http://loinc.org", "59284-0", "Patient Consent")),
		concept("", coding(ConsentScopeSystem, scope, scopeWords[scope])),
	}
	giver := r4.Reference{Display: ptr(givenByWords[e.GivenBy])}
	if e.GivenBy == dsr.BySelf {
		giver.Reference = ptr(p.patient)
	}
	prov := &r4.ConsentProvision{Type: ptr(r4.ConsentProvisionTypePermit), Period: &r4.Period{Start: dateOf(e.Day())}}
	if !end.IsZero() {
		prov.Period.End = dateOf(end)
	}
	return r4.Consent{
		Id:         &id,
		Extension:  []r4.Extension{{Url: ConsentGivenByExtension, ValueCoding: ptr(coding(ConsentGivenBySystem, e.GivenBy, givenByWords[e.GivenBy]))}},
		Status:     status,
		Scope:      concept("", coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent")),
		Category:   cats,
		Patient:    ptr(ref(p.patient)),
		DateTime:   dateOf(e.Day()),
		Performer:  []r4.Reference{giver},
		PolicyRule: ptr(concept("consent for "+scopeWords[scope]+" (R-CONS-1, R-CONS-2)", coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "OPTIN", "opt-in"))),
		Provision:  prov,
	}
}

// spells adds an EpisodeOfCare for each inpatient spell of the case, and
// returns references to them.
func (p *person) spells(c *dsr.Case, asOf calendar.Date) ([]r4.Reference, error) {
	f := dsr.Derive(c)
	var refs []r4.Reference
	for i, s := range f.Spells {
		u, id := p.url("EpisodeOfCare", i)
		ep := r4.EpisodeOfCare{
			Id:      &id,
			Status:  r4.EpisodeOfCareStatusActive,
			Type:    []r4.CodeableConcept{concept("inpatient spell in a mental health or learning disability and autism hospital")},
			Patient: ref(p.patient),
			Period:  &r4.Period{Start: dateOf(s.Admitted)},
		}
		if !s.Discharged.IsZero() && !s.Discharged.After(asOf) {
			ep.Status, ep.Period.End = r4.EpisodeOfCareStatusFinished, dateOf(s.Discharged)
		}
		if s.Security != "" {
			ep.Type = append(ep.Type, concept("ward security: "+s.Security))
		}
		if s.LegalStatus != "" {
			ep.Type = append(ep.Type, concept("legal status: "+s.LegalStatus))
		}
		if s.OutOfArea {
			ep.Type = append(ep.Type, concept("out of area"))
		}
		if err := p.add(u, ep); err != nil {
			return nil, err
		}
		refs = append(refs, ref(u))
	}
	return refs, nil
}

// reviews adds a Procedure for each C(E)TR held, coded with R-CODE-1's
// SNOMED CT code where its kind has one, with the review record's id and
// outcome where the register keeps its record, and returns references to
// them.
func (p *person) reviews(c *dsr.Case, held map[reviewKey]*cetr.Review) ([]r4.Reference, error) {
	var refs []r4.Reference
	n := 0
	for _, e := range c.Events {
		if e.Type != dsr.EventReviewHeld {
			continue
		}
		var codes []r4.Coding
		if sct, ok := ReviewSNOMED(e.Kind); ok {
			codes = append(codes, coding(SNOMEDSystem, sct, ""))
		}
		codes = append(codes, coding(ReviewKindSystem, e.Kind, reviewWords[e.Kind]))
		u, id := p.url("Procedure", n)
		n++
		pr := r4.Procedure{
			Id:      &id,
			Status:  r4.EventStatusCompleted,
			Code:    ptr(concept(reviewWords[e.Kind], codes...)),
			Subject: ref(p.patient),
		}
		if rv := held[reviewKey{e.Day(), e.Kind}]; rv != nil {
			pr.Identifier = []r4.Identifier{{System: ptr(p.o.reviewSystem), Value: ptr(rv.ID)}}
			if rv.Outcome != "" {
				pr.Outcome = ptr(concept(rv.Outcome.Title(), coding(ReviewOutcomeSystem, string(rv.Outcome), rv.Outcome.Title())))
			}
		}
		if !e.At.IsZero() {
			pr.PerformedDateTime = ptr(e.At.UTC().Format("2006-01-02T15:04:05Z"))
		} else {
			pr.PerformedDateTime = dateOf(e.Day())
		}
		if err := p.add(u, pr); err != nil {
			return nil, err
		}
		refs = append(refs, ref(u))
	}
	return refs, nil
}

func (p *person) riskAssessment(id string, a *dsr.Assessment, basis []r4.Reference) r4.RiskAssessment {
	var words []string
	var notes []r4.Annotation
	for _, rs := range a.Reasons {
		words = append(words, rs.Message)
		notes = append(notes, r4.Annotation{Text: rs.Rule + ": " + rs.Message})
	}
	ext := []r4.Extension{ratingExtension(RatingExtension, a.RatingOfRecord)}
	if a.Rating != dsr.Unrated {
		ext = append(ext, ratingExtension(SuggestedRatingExtension, a.Rating))
	}
	if a.AgreedRating != dsr.Unrated {
		ext = append(ext, ratingExtension(AgreedRatingExtension, a.AgreedRating))
	}
	pred := r4.RiskAssessmentPrediction{
		Outcome:         ptr(concept("admission to a mental health or learning disability and autism hospital")),
		QualitativeRisk: ptr(concept("", ratingCoding(a.RatingOfRecord))),
	}
	if len(words) > 0 {
		pred.Rationale = ptr(strings.Join(words, "; "))
	}
	ra := r4.RiskAssessment{
		Id:                 &id,
		Extension:          ext,
		Status:             r4.ObservationStatusFinal,
		Code:               ptr(concept("Dynamic Support Register rating", coding(RiskAssessmentSystem, AssessmentCode, "Dynamic Support Register rating"))),
		Subject:            ref(p.patient),
		OccurrenceDateTime: dateOf(a.AsOf),
		Basis:              basis,
		Prediction:         []r4.RiskAssessmentPrediction{pred},
		Note:               notes,
	}
	if a.Policy.Name != "" {
		ra.Method = ptr(concept(strings.TrimSpace(fmt.Sprintf("rules %s %s (sha256 %s)", a.Policy.Name, a.Policy.Version, a.Policy.Digest))))
	}
	return ra
}
