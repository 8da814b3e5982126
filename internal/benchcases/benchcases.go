// Package benchcases holds the three representative cases the assessment
// benchmarks share (a community GREEN adult, a RED child with consent, a
// child inpatient with eight events), so that every package measures the
// same work.
package benchcases

// Names lists the cases in the order benchmarks report them.
var Names = []string{"community_green", "red_with_consent", "child_inpatient_8_events"}

// JSON is each case as `dsr assess` reads it, by name.
var JSON = map[string]string{
	"community_green": `{"as_of":"2026-04-01","person":{"id":"syn-b1","nhs_number":"9990000018","date_of_birth":"1990-05-12","learning_disability":true},
		"circumstances":{"unstable_environment":true},
		"events":[{"type":"consent_given","date":"2025-11-03","given_by":"self"},{"type":"register_reviewed","date":"2026-02-02"}]}`,
	"red_with_consent": `{"as_of":"2026-04-01","person":{"id":"syn-b2","nhs_number":"9990000026","date_of_birth":"2011-02-20","autism":true},
		"circumstances":{"in_crisis":true,"community_cannot_manage":true,"escalating_behaviour":true},
		"events":[{"type":"referral_received","date":"2026-03-01","by":"family"},{"type":"consent_given","date":"2026-03-02","given_by":"parent"},{"type":"rating_agreed","date":"2026-03-10","rating":"amber","by":"DSR panel"}]}`,
	"child_inpatient_8_events": `{"as_of":"2026-04-20","person":{"id":"syn-b3","nhs_number":"9990000034","date_of_birth":"2010-09-15","autism":true,"learning_disability":true},
		"circumstances":{"in_crisis":true},
		"events":[
			{"type":"referral_received","date":"2025-10-01","by":"professional"},
			{"type":"consent_given","date":"2025-10-02","given_by":"parent"},
			{"type":"review_held","date":"2025-12-01","kind":"community"},
			{"type":"report_sent","date":"2025-12-10"},
			{"type":"blue_light_meeting","at":"2026-03-27T18:30:00Z"},
			{"type":"admitted","date":"2026-03-30","security":"general","legal_status":"s2"},
			{"type":"transferred","date":"2026-04-10","security":"picu"},
			{"type":"oversight_visit","date":"2026-04-15"}]}`,
}
