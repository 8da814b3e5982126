package policies

import (
	"io/fs"

	"github.com/dsrkit/dsrkit/internal/bundle"
)

// Rebase lays an overlay over another embedded profile than the one its
// manifest extends: the same local parameters and rules, evaluated on
// another implementation of the same national rules. The use is national-2023
// written twice, in Rego (national-2023) and in CEL (national-2023-cel,
// which extends national-2023 and replaces every decision point): Rebase(
// wiltshire, "national-2023-cel") is Wiltshire's overlay decided in CEL.
//
// base must be the profile the overlay extends, or a profile that extends
// it (directly or through others) and keeps its parameters: the same names,
// the same values. Otherwise the overlay's parameters could mean something
// else there, and Rebase fails with ErrBadBundle. Rebasing an overlay onto
// the profile it already extends returns it unchanged.
//
// A bundle that extends nothing is a profile itself: when it is an ancestor
// of base (national-2023 for base national-2023-cel), Rebase returns base,
// so that "national-2023 on national-2023-cel" is national-2023-cel. A
// bundle named base is returned unchanged.
//
// The result differs from the overlay only in its manifest's "extends" (so
// its digest differs too; the name and version stay the overlay's).
func Rebase(overlay fs.FS, base string) (fs.FS, error) { return bundle.Rebase(overlay, base, Bundle) }
