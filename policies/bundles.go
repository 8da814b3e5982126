package policies

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/dsrkit/dsrkit/internal/bundle"
)

// DefaultBundle is the profile used when none is named.
const DefaultBundle = "national-2023"

//go:embed all:bundles
var embedded embed.FS

// Bundle returns the embedded profile with the given name, as an fs.FS that
// Load accepts.
func Bundle(name string) (fs.FS, error) {
	if name == "" || strings.ContainsAny(name, `/\.`) {
		return nil, fmt.Errorf("%w: %q", ErrUnknownBundle, name)
	}
	sub, err := fs.Sub(embedded, "bundles/"+name)
	if err != nil {
		return nil, fmt.Errorf("%w: %q", ErrUnknownBundle, name)
	}
	if _, err := fs.Stat(sub, bundle.ManifestFile); err != nil {
		return nil, fmt.Errorf("%w: %q (have %s)", ErrUnknownBundle, name, strings.Join(BundleNames(), ", "))
	}
	return sub, nil
}

// BundleNames lists the embedded profiles.
func BundleNames() []string {
	entries, _ := fs.ReadDir(embedded, "bundles")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := fs.Stat(embedded, "bundles/"+e.Name()+"/"+bundle.ManifestFile); err == nil {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	return names
}

// Points lists the assessment's decision points, which every bundle
// defines; OptionalPoints lists the others a bundle may define.
var Points = bundle.Points

// Optional decision points. A bundle may define any of them, in Rego or
// CEL, and an overlay may add or replace one; Assess never evaluates them.
// Each has its own input (documented in the national-2023 README) and is
// evaluated on its own by Decide, or through the typed adapters
// BlueLightRules and CETRParams. Where a bundle has none, the adapters
// decide in Go (bluelight.GoRules with the bundle's parameters,
// cetr.DefaultParams).
const (
	// PointBlueLightCriteria decides whether a Blue Light meeting may be
	// called (R-BL-CRIT).
	PointBlueLightCriteria = bundle.PointBlueLightCriteria
	// PointBlueLightInvitees decides who must attend one (R-BL-INVITE).
	PointBlueLightInvitees = bundle.PointBlueLightInvitees
	// PointBlueLightFunding decides whether support may be funded
	// (R-BL-FUND).
	PointBlueLightFunding = bundle.PointBlueLightFunding
	// PointCETRRules gives what an area tunes about C(E)TR records: report
	// deadlines, papers lead time, escalation, the education member
	// (R-CETR-REPORT, R-CETR-STAT, R-CETR-DOCS, R-CETR-ACT, R-CETR-PANEL).
	PointCETRRules = bundle.PointCETRRules
)

// OptionalPoints lists the decision points a bundle may define besides the
// assessment's Points.
var OptionalPoints = bundle.OptionalPoints

// readBundle reads a bundle whose parents are embedded profiles.
func readBundle(fsys fs.FS) (*bundle.Bundle, error) { return bundle.Read(fsys, Bundle) }
