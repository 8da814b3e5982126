package policies

import (
	"fmt"
	"strings"

	"github.com/dsrkit/dsrkit/calendar"
	"github.com/dsrkit/dsrkit/dsr"
	"github.com/dsrkit/dsrkit/internal/bundle"
)

// The settings of the cadence_rating parameter (R-RAG-AGREED-2): which
// rating the register acts on.
const (
	CadenceAgreed    = "agreed"    // a current agreed rating, else the suggestion (the default)
	CadenceSuggested = "suggested" // always the suggestion
	CadenceHigher    = "higher"    // the more urgent of the suggestion and a current agreed rating
)

// cadenceRatingOf reads cadence_rating from the parameters in force; a
// bundle that does not set it acts on the agreed rating.
func cadenceRatingOf(params map[string]any) (string, error) {
	v, ok := params["cadence_rating"]
	if !ok || v == nil {
		return CadenceAgreed, nil
	}
	s, _ := v.(string)
	switch s {
	case CadenceAgreed, CadenceSuggested, CadenceHigher:
		return s, nil
	}
	return "", &ParamError{File: bundle.ParamsFile, Param: "cadence_rating", Problem: fmt.Sprintf("%v is not %q, %q or %q", v, CadenceAgreed, CadenceSuggested, CadenceHigher)}
}

// ratingOfRecord chooses the rating the register acts on (R-RAG-AGREED-2)
// for an eligible person whose rules suggest suggested, and the day it took
// effect (since), from which the rating's actions run and on or after
// which a C(E)TR held answers them (R-REV-2). It explains the choice.
//
// An agreed rating is current when agreed on or after the latest change of
// circumstances: the case's circumstances_since, the current admission or
// the last discharge. While an inpatient the rating of record is BLUE
// whatever was agreed; an agreed BLUE for someone not in hospital is not
// acted on.
func ratingOfRecord(mode string, c *dsr.Case, f *dsr.Facts, suggested dsr.Rating) (rec dsr.Rating, since calendar.Date, why dsr.Reason) {
	changed := c.CircumstancesSince
	if s := f.Current(); s != nil && s.Admitted.After(changed) {
		changed = s.Admitted
	}
	if f.LastDischarge.After(changed) {
		changed = f.LastDischarge
	}
	ag := f.Agreed
	agreedWords := ""
	if ag != nil {
		agreedWords = "agreed " + upper(ag.Rating) + " on " + ag.Day().String()
	}
	current := ag != nil && !ag.Day().Before(changed)
	fromAgreement := false
	var msg string
	switch {
	case f.Inpatient:
		rec = dsr.Blue
		msg = "an inpatient: BLUE is the rating of record whatever was agreed"
		if ag != nil && ag.Rating != dsr.Blue {
			msg = "an inpatient: BLUE is the rating of record; " + agreedWords + " is not acted on while in hospital"
		}
	case ag == nil:
		rec, msg = suggested, "no rating agreed: the suggestion "+upper(suggested)+" is the rating of record"
	case !current:
		rec, msg = suggested, agreedWords+", before the latest change of circumstances on "+changed.String()+": the suggestion "+upper(suggested)+" is the rating of record until a rating is agreed again"
	case ag.Rating == dsr.Blue:
		rec, msg = suggested, agreedWords+" but not an inpatient now: the suggestion "+upper(suggested)+" is the rating of record"
	case mode == CadenceSuggested:
		rec, msg = suggested, "cadence_rating is suggested: the suggestion "+upper(suggested)+" is the rating of record ("+agreedWords+")"
	case mode == CadenceHigher && suggested.Severity() > ag.Rating.Severity():
		rec, msg = suggested, "cadence_rating is higher: the suggestion "+upper(suggested)+" is more urgent than the rating "+agreedWords+" and is the rating of record"
	case mode == CadenceHigher:
		rec, fromAgreement = ag.Rating, true
		msg = "cadence_rating is higher: the rating " + agreedWords + " is at least as urgent as the suggestion " + upper(suggested) + " and is the rating of record"
	default:
		rec, fromAgreement = ag.Rating, true
		msg = "the rating " + agreedWords + " is the rating of record (cadence_rating agreed; the rules suggest " + upper(suggested) + ")"
	}
	switch {
	case !c.CircumstancesSince.IsZero():
		since = changed
	case fromAgreement:
		since = ag.Day()
	default:
		since = c.AsOf
	}
	if since.After(c.AsOf) {
		since = c.AsOf
	}
	return rec, since, dsr.Reason{Rule: "R-RAG-AGREED-2", Message: msg}
}

func upper(r dsr.Rating) string { return strings.ToUpper(r.String()) }
