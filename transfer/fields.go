package transfer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/register"
)

// kind is how a field's cells convert.
type kind int

const (
	kText    kind = iota // Text
	kList                // List of text
	kBool                // ParseBool
	kDate                // ParseDate
	kDates               // List of dates, oldest first
	kRating              // ParseRating
	kNHS                 // ParseNHSNumber
	kEnum                // a word of the field's vocabulary
	kPercent             // ParsePercent
)

// class says what a field's value may say about a person.
type class int

const (
	// plain values identify nobody: shown in the import's report, kept in
	// an export for sharing.
	plain class = iota
	// freeText may name someone: never shown in a report, dropped for
	// sharing.
	freeText
	// identifier identifies the person: never shown, dropped for sharing
	// (a date of birth becomes an age band).
	identifier
)

// value is a converted cell.
type value struct {
	s     string
	list  []string
	b     bool
	d     calendar.Date
	dates []calendar.Date
	r     dsr.Rating
	n     dsr.NHSNumber
	pc    int
}

// parseEnv is what converting a cell needs besides the cell.
type parseEnv struct {
	pivot calendar.Date // for two-digit years
}

// draftRow is a row as it converts, before it becomes a NewPerson.
type draftRow struct {
	np           register.NewPerson
	consentGiven *bool
	consentDate  calendar.Date
	givenBy      string
	rating       dsr.Rating
	ratingDate   calendar.Date
	funding      [3]*int
}

// view is what export reads of a person.
type view struct {
	d       register.Details
	circ    dsr.Circumstances
	consent *dsr.Event // the latest consent for inclusion
	agreed  *dsr.Event // the latest rating agreed
}

// fieldSpec is one field of the register a column can map to.
type fieldSpec struct {
	name  string
	kind  kind
	class class
	vocab []string
	about string
	set   func(*draftRow, value)
	get   func(*view) (value, bool)
}

func (f *fieldSpec) parse(cell string, env parseEnv) (value, bool, error) {
	var v value
	var ok bool
	var err error
	switch f.kind {
	case kText:
		v.s = Text(cell)
		ok = v.s != ""
	case kList:
		v.list = List(cell)
		ok = len(v.list) > 0
	case kBool:
		v.b, ok, err = ParseBool(cell)
	case kDate:
		v.d, ok, err = ParseDate(cell, env.pivot)
	case kDates:
		for _, p := range List(cell) {
			d, dok, derr := ParseDate(p, env.pivot)
			if derr != nil {
				return v, false, derr
			}
			if dok {
				v.dates = append(v.dates, d)
			}
		}
		slices.SortFunc(v.dates, calendar.Date.Compare)
		ok = len(v.dates) > 0
	case kRating:
		v.r, ok, err = ParseRating(cell)
	case kNHS:
		v.n, ok, err = ParseNHSNumber(cell)
	case kEnum:
		if Blank(cell) {
			return v, false, nil
		}
		w := Word(cell)
		for _, word := range f.vocab {
			if Word(word) == w {
				return value{s: word}, true, nil
			}
		}
		return v, false, bad("want one of %s", strings.Join(f.vocab, ", "))
	case kPercent:
		v.pc, ok, err = ParsePercent(cell)
	}
	return v, ok, err
}

// format writes a value as export writes it in a cell of a CSV (dates as
// dd/mm/yyyy).
func (f *fieldSpec) format(v value) string {
	switch f.kind {
	case kText, kEnum:
		return v.s
	case kList:
		return strings.Join(v.list, "; ")
	case kBool:
		if v.b {
			return "Y"
		}
		return "N"
	case kDate:
		return dmy(v.d)
	case kDates:
		s := make([]string, len(v.dates))
		for i, d := range v.dates {
			s[i] = dmy(d)
		}
		return strings.Join(s, "; ")
	case kRating:
		return ratingWord(v.r)
	case kNHS:
		return string(v.n)
	case kPercent:
		return fmt.Sprint(v.pc)
	}
	return ""
}

func dmy(d calendar.Date) string {
	y, m, day := d.Parts()
	return fmt.Sprintf("%02d/%02d/%04d", day, int(m), y)
}

func ratingWord(r dsr.Rating) string {
	switch r {
	case dsr.Red:
		return "Red"
	case dsr.Amber:
		return "Amber"
	case dsr.Green:
		return "Green"
	case dsr.Blue:
		return "Blue"
	}
	return ""
}

// Field describes a field of the register a mapping's column can name.
type Field struct {
	Name string `json:"name"`
	// Kind is how its cells convert: text, list, yes_no, date, dates,
	// rating, nhs_number, word (of Vocabulary) or percent.
	Kind       string   `json:"kind"`
	Vocabulary []string `json:"vocabulary,omitempty"`
	// Shown says whether the import's report may show a cell's value (it
	// identifies nobody) and an export for sharing keeps it.
	Shown bool   `json:"shown"`
	About string `json:"about"`
}

var kindNames = map[kind]string{kText: "text", kList: "list", kBool: "yes_no", kDate: "date", kDates: "dates",
	kRating: "rating", kNHS: "nhs_number", kEnum: "word", kPercent: "percent"}

// Fields lists every field a mapping can name, in the order of the
// register's vocabulary.
func Fields() []Field {
	out := make([]Field, len(fields))
	for i, f := range fields {
		out[i] = Field{Name: f.name, Kind: kindNames[f.kind], Vocabulary: f.vocab, Shown: f.class == plain, About: f.about}
	}
	return out
}

// FieldNames lists the names of Fields.
func FieldNames() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.name
	}
	return out
}

func text(name string, c class, about string, p func(*draftRow) *string, g func(*view) string) fieldSpec {
	return fieldSpec{name: name, kind: kText, class: c, about: about,
		set: func(r *draftRow, v value) { *p(r) = v.s },
		get: func(w *view) (value, bool) { s := g(w); return value{s: s}, s != "" }}
}

func enum(name string, vocab []string, about string, p func(*draftRow) *string, g func(*view) string) fieldSpec {
	f := text(name, plain, about, p, g)
	f.kind, f.vocab = kEnum, vocab
	return f
}

func flag(name, about string, p func(*draftRow) *bool, g func(*view) bool) fieldSpec {
	return fieldSpec{name: name, kind: kBool, about: about,
		set: func(r *draftRow, v value) { *p(r) = v.b },
		get: func(w *view) (value, bool) { return value{b: g(w)}, true }}
}

func maybe(name, about string, p func(*draftRow) **bool, g func(*view) *bool) fieldSpec {
	return fieldSpec{name: name, kind: kBool, about: about,
		set: func(r *draftRow, v value) { b := v.b; *p(r) = &b },
		get: func(w *view) (value, bool) {
			if b := g(w); b != nil {
				return value{b: *b}, true
			}
			return value{}, false
		}}
}

func date(name string, c class, about string, p func(*draftRow) *calendar.Date, g func(*view) calendar.Date) fieldSpec {
	return fieldSpec{name: name, kind: kDate, class: c, about: about,
		set: func(r *draftRow, v value) { *p(r) = v.d },
		get: func(w *view) (value, bool) { d := g(w); return value{d: d}, !d.IsZero() }}
}

func percent(name string, i int, about string) fieldSpec {
	return fieldSpec{name: name, kind: kPercent, about: about,
		set: func(r *draftRow, v value) { n := v.pc; r.funding[i] = &n },
		get: func(w *view) (value, bool) {
			f := w.d.Entry.Funding
			if f == nil {
				return value{}, false
			}
			return value{pc: [3]int{f.Health, f.SocialCare, f.Education}[i]}, true
		}}
}

var fields = func() []fieldSpec {
	pe := func(r *draftRow) *dsr.Person { return &r.np.Person }
	ve := func(w *view) *dsr.Person { return &w.d.Person }
	en := func(r *draftRow) *dsr.Entry { return &r.np.Entry }
	we := func(w *view) *dsr.Entry { return &w.d.Entry }
	fs := []fieldSpec{
		text("id", identifier, "the person's local id (1 to 64 letters, digits or - _ . :); without one, an id is made from the NHS number's pseudonym",
			func(r *draftRow) *string { return &pe(r).ID }, func(w *view) string { return ve(w).ID }),
		{name: "nhs_number", kind: kNHS, class: identifier, about: "the NHS number (spaces allowed; Modulus 11 checked)",
			set: func(r *draftRow, v value) { pe(r).NHSNumber = v.n },
			get: func(w *view) (value, bool) { return value{n: ve(w).NHSNumber}, ve(w).NHSNumber != "" }},
		text("name", identifier, "the person's name", func(r *draftRow) *string { return &r.np.Name }, func(w *view) string { return w.d.Name }),
		text("address", identifier, "the person's address", func(r *draftRow) *string { return &r.np.Address }, func(w *view) string { return w.d.Address }),
		date("date_of_birth", identifier, "date of birth (required)", func(r *draftRow) *calendar.Date { return &pe(r).DateOfBirth }, func(w *view) calendar.Date { return ve(w).DateOfBirth }),
		text("postcode", identifier, "postcode", func(r *draftRow) *string { return &pe(r).Postcode }, func(w *view) string { return ve(w).Postcode }),
		text("local_authority", plain, "local authority of ordinary residence", func(r *draftRow) *string { return &pe(r).LocalAuthority }, func(w *view) string { return ve(w).LocalAuthority }),
		flag("learning_disability", "has a learning disability", func(r *draftRow) *bool { return &pe(r).LearningDisability }, func(w *view) bool { return ve(w).LearningDisability }),
		flag("autism", "is autistic", func(r *draftRow) *bool { return &pe(r).Autism }, func(w *view) bool { return ve(w).Autism }),
		flag("awaiting_diagnosis", "awaiting an autism or learning disability diagnosis", func(r *draftRow) *bool { return &pe(r).AwaitingDiagnosis }, func(w *view) bool { return ve(w).AwaitingDiagnosis }),
		flag("ehcp", "an Education, Health and Care Plan is maintained", func(r *draftRow) *bool { return &pe(r).EHCP }, func(w *view) bool { return ve(w).EHCP }),
		flag("lacks_capacity", "lacks capacity to consent to inclusion", func(r *draftRow) *bool { return &pe(r).LacksCapacity }, func(w *view) bool { return ve(w).LacksCapacity }),
		flag("gillick_competent", "a child judged Gillick competent", func(r *draftRow) *bool { return &pe(r).GillickCompetent }, func(w *view) bool { return ve(w).GillickCompetent }),
		flag("known_to_keyworker", "known to the keyworker service", func(r *draftRow) *bool { return &pe(r).KnownToKeyworker }, func(w *view) bool { return ve(w).KnownToKeyworker }),
		flag("known_to_services", "known to the CAMHS provider or children's social care", func(r *draftRow) *bool { return &pe(r).KnownToServices }, func(w *view) bool { return ve(w).KnownToServices }),

		enum("entry.gender", dsr.Genders, "gender as stated", func(r *draftRow) *string { return &en(r).Gender }, func(w *view) string { return we(w).Gender }),
		enum("entry.ethnicity", dsr.EthnicCategories, "NHS ethnic category code", func(r *draftRow) *string { return &en(r).Ethnicity }, func(w *view) string { return we(w).Ethnicity }),
		text("entry.primary_diagnosis", freeText, "primary diagnosis", func(r *draftRow) *string { return &en(r).PrimaryDiagnosis }, func(w *view) string { return we(w).PrimaryDiagnosis }),
		text("entry.secondary_diagnosis", freeText, "secondary diagnosis", func(r *draftRow) *string { return &en(r).SecondaryDiagnosis }, func(w *view) string { return we(w).SecondaryDiagnosis }),
		enum("entry.accommodation", dsr.AccommodationTypes, "type of accommodation", func(r *draftRow) *string { return &en(r).Accommodation }, func(w *view) string { return we(w).Accommodation }),
		enum("entry.placement", dsr.Placements, "placement in or out of area", func(r *draftRow) *string { return &en(r).Placement }, func(w *view) string { return we(w).Placement }),
		text("entry.responsible_authority", plain, "the commissioner responsible", func(r *draftRow) *string { return &en(r).ResponsibleAuthority }, func(w *view) string { return we(w).ResponsibleAuthority }),
		maybe("entry.section_117", "eligible for section 117 aftercare", func(r *draftRow) **bool { return &en(r).Section117 }, func(w *view) *bool { return we(w).Section117 }),
		percent("entry.funding.health", 0, "share of the care package funded by health, in whole percent"),
		percent("entry.funding.social_care", 1, "share funded by social care"),
		percent("entry.funding.education", 2, "share funded by education"),
		text("entry.care_provider", plain, "the commissioned care provider", func(r *draftRow) *string { return &en(r).CareProvider }, func(w *view) string { return we(w).CareProvider }),
		maybe("entry.on_cpa", "on the Care Programme Approach or equivalent", func(r *draftRow) **bool { return &en(r).OnCPA }, func(w *view) *bool { return we(w).OnCPA }),
		maybe("entry.care_plan", "a care plan is in place", func(r *draftRow) **bool { return &en(r).CarePlan }, func(w *view) *bool { return we(w).CarePlan }),
		maybe("entry.risk_assessment", "a risk assessment is in place", func(r *draftRow) **bool { return &en(r).RiskAssessment }, func(w *view) *bool { return we(w).RiskAssessment }),
		maybe("entry.crisis_plan", "a crisis or contingency plan is in place", func(r *draftRow) **bool { return &en(r).CrisisPlan }, func(w *view) *bool { return we(w).CrisisPlan }),
		date("entry.crisis_plan_reviewed", plain, "when the crisis plan was last reviewed", func(r *draftRow) *calendar.Date { return &en(r).CrisisPlanReviewed }, func(w *view) calendar.Date { return we(w).CrisisPlanReviewed }),
		text("entry.care_coordinator", freeText, "the care coordinator", func(r *draftRow) *string { return &en(r).CareCoordinator }, func(w *view) string { return we(w).CareCoordinator }),
		text("entry.social_worker", freeText, "the named social worker", func(r *draftRow) *string { return &en(r).SocialWorker }, func(w *view) string { return we(w).SocialWorker }),
		text("entry.advocate", freeText, "the advocate", func(r *draftRow) *string { return &en(r).Advocate }, func(w *view) string { return we(w).Advocate }),
		text("entry.team", plain, "the DSR team or locality", func(r *draftRow) *string { return &en(r).Team }, func(w *view) string { return we(w).Team }),
		maybe("entry.personal_health_budget_offered", "a personal health budget was offered", func(r *draftRow) **bool { return &en(r).PersonalHealthBudgetOffered }, func(w *view) *bool { return we(w).PersonalHealthBudgetOffered }),
		maybe("entry.risk_of_admission", "at risk of admission", func(r *draftRow) **bool { return &en(r).RiskOfAdmission }, func(w *view) *bool { return we(w).RiskOfAdmission }),
		maybe("entry.risk_of_placement_breakdown", "at risk of placement breakdown", func(r *draftRow) **bool { return &en(r).RiskOfPlacementBreakdown }, func(w *view) *bool { return we(w).RiskOfPlacementBreakdown }),
		text("entry.risk_reason", freeText, "why the person is at risk", func(r *draftRow) *string { return &en(r).RiskReason }, func(w *view) string { return we(w).RiskReason }),
		{name: "entry.previous_admissions", kind: kDates, about: "dates of previous admissions, one a line or separated by ;",
			set: func(r *draftRow, v value) { en(r).PreviousAdmissions = v.dates },
			get: func(w *view) (value, bool) {
				return value{dates: we(w).PreviousAdmissions}, len(we(w).PreviousAdmissions) > 0
			}},
		date("entry.keyworker_referral", plain, "date of the referral to the keyworker service", func(r *draftRow) *calendar.Date { return &en(r).KeyworkerReferral }, func(w *view) calendar.Date { return we(w).KeyworkerReferral }),
		{name: "entry.mitigations", kind: kList, class: freeText, about: "what has been done to lower the risk, one a line or separated by ;",
			set: func(r *draftRow, v value) { en(r).Mitigations = v.list },
			get: func(w *view) (value, bool) { return value{list: we(w).Mitigations}, len(we(w).Mitigations) > 0 }},

		{name: "consent.given", kind: kBool, about: "consent for inclusion is recorded (Y/N); N, or no consent date, leaves the person out (R-CONS-1)",
			set: func(r *draftRow, v value) { b := v.b; r.consentGiven = &b },
			get: func(w *view) (value, bool) { return value{b: w.consent != nil}, true }},
		date("consent.date", plain, "the date consent for inclusion was given (required to import a person)",
			func(r *draftRow) *calendar.Date { return &r.consentDate }, func(w *view) calendar.Date {
				if w.consent == nil {
					return calendar.Date{}
				}
				return w.consent.Date
			}),
		{name: "consent.given_by", kind: kEnum, vocab: dsr.ConsentGivers, about: "who gave consent: self, parent, deputy, attorney or best_interests (default: auto)",
			set: func(r *draftRow, v value) { r.givenBy = v.s },
			get: func(w *view) (value, bool) {
				if w.consent == nil {
					return value{}, false
				}
				return value{s: w.consent.GivenBy}, true
			}},
		{name: "rating", kind: kRating, about: "the rating of record the area agreed (RAG): recorded as agreed by the importer",
			set: func(r *draftRow, v value) { r.rating = v.r },
			get: func(w *view) (value, bool) {
				if w.agreed == nil {
					return value{}, false
				}
				return value{r: w.agreed.Rating}, true
			}},
		date("rating.date", plain, "when the rating was agreed (default: the day of the import)",
			func(r *draftRow) *calendar.Date { return &r.ratingDate }, func(w *view) calendar.Date {
				if w.agreed == nil {
					return calendar.Date{}
				}
				return w.agreed.Date
			}),
	}
	for i, name := range dsr.CircumstanceNames {
		fs = append(fs, flag("circumstances."+name, "circumstance "+name+" (docs/rules.md#vocabulary)",
			func(r *draftRow) *bool { return r.np.Circumstances.Fields()[i] },
			func(w *view) bool { return *w.circ.Fields()[i] }))
	}
	return fs
}()

var fieldByName = func() map[string]*fieldSpec {
	m := map[string]*fieldSpec{}
	for i := range fields {
		m[fields[i].name] = &fields[i]
	}
	return m
}()
