package policydiff

import (
	"context"
	"fmt"
	"slices"

	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/policies"
)

// Replay is a Source over a decision log's inputs (policies.DecisionRecord),
// each labelled with its person's pseudonymous key: `dsr policy diff
// --replay` re-decides real past assessments under another bundle.
type Replay struct {
	Records []policies.DecisionRecord
}

func (s Replay) Len() int { return len(s.Records) }

func (s Replay) Case(i int) (dsr.Case, string, error) {
	r := &s.Records[i]
	return r.Input, r.Person, nil
}

// Mismatch is a logged decision that the bundle it is checked against does
// not reproduce: Line is its index in the log, Why what differs.
type Mismatch struct {
	Line int    `json:"line"`
	Why  string `json:"why"`
}

// Reproduce re-decides every logged input under e and lists the records
// whose decision e does not give again: the log was made with another
// bundle (a digest other than e's), or the same bundle decided otherwise.
// The decision compared is what a person's care follows (eligibility,
// consent, on the register, the three ratings, the review type, and each
// action's kind, rule and due date), not the wording of the reasons.
func Reproduce(ctx context.Context, e *policies.Engine, recs []policies.DecisionRecord) ([]Mismatch, error) {
	out := []Mismatch{}
	digest := e.Policy().Digest
	for i := range recs {
		r := &recs[i]
		if r.Policy.Digest != digest {
			out = append(out, Mismatch{i, fmt.Sprintf("logged by %s %s (%s), not %s", r.Policy.Name, r.Policy.Version, r.Policy.Digest, digest)})
			continue
		}
		a, err := e.Assess(ctx, r.Input)
		if err != nil {
			return nil, fmt.Errorf("policydiff: replaying line %d: %w", i+1, err)
		}
		if why := decisionDiff(&r.Decision, policies.DecisionOf(&a)); why != "" {
			out = append(out, Mismatch{i, why})
		}
	}
	return out, nil
}

// decisionDiff says how two decisions differ ("" when alike).
func decisionDiff(logged *policies.Decision, now policies.Decision) string {
	switch {
	case logged.Eligible != now.Eligible:
		return fmt.Sprintf("eligible %v, now %v", logged.Eligible, now.Eligible)
	case logged.ConsentValid != now.ConsentValid:
		return fmt.Sprintf("consent valid %v, now %v", logged.ConsentValid, now.ConsentValid)
	case logged.OnRegister != now.OnRegister:
		return fmt.Sprintf("on the register %v, now %v", logged.OnRegister, now.OnRegister)
	case logged.Rating != now.Rating, logged.AgreedRating != now.AgreedRating, logged.RatingOfRecord != now.RatingOfRecord:
		return fmt.Sprintf("ratings %s/%s/%s, now %s/%s/%s", logged.Rating, logged.AgreedRating, logged.RatingOfRecord, now.Rating, now.AgreedRating, now.RatingOfRecord)
	case logged.ReviewType != now.ReviewType:
		return fmt.Sprintf("review type %s, now %s", logged.ReviewType, now.ReviewType)
	case !slices.Equal(logged.Actions, now.Actions):
		return fmt.Sprintf("actions %v, now %v", logged.Actions, now.Actions)
	case !slices.Equal(logged.Rules, now.Rules):
		return fmt.Sprintf("rules %v, now %v", logged.Rules, now.Rules)
	}
	return ""
}
