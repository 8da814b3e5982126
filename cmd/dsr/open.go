package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/dsrkit/dsrkit/consent"
	"github.com/dsrkit/dsrkit/policies"
	"github.com/dsrkit/dsrkit/register"
	"github.com/dsrkit/dsrkit/register/sqlitestore"
)

// loadPolicy is how every command loads a policy bundle: the embedded
// profile or the directory name, rebased onto the embedded profile base
// when one is named (--base), with the --set overrides. It returns the
// bundle's files with the engine.
func loadPolicy(ctx context.Context, name, base string, params paramFlag, opts ...policies.Option) (fs.FS, *policies.Engine, error) {
	fsys, err := openPolicy(name, base)
	if err != nil {
		return nil, nil, err
	}
	engine, err := policies.Load(ctx, fsys, append(params.options(), opts...)...)
	if err != nil {
		return nil, nil, fmt.Errorf("loading policy %s: %w", name, err)
	}
	return fsys, engine, nil
}

// openPolicy opens a bundle by profile name or directory, rebased onto the
// embedded profile base when one is named.
func openPolicy(name, base string) (fs.FS, error) {
	fsys, err := openBundle(name)
	if err != nil || base == "" {
		return fsys, err
	}
	r, err := policies.Rebase(fsys, base)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	return r, nil
}

// openBundle returns the embedded bundle called name, the directory name,
// or the bundle archive name (a .tar.gz from dsr policy build).
func openBundle(name string) (fs.FS, error) {
	if isArchive(name) {
		return openArchive(name)
	}
	names := policies.BundleNames()
	if slices.Contains(names, name) {
		b, err := policies.Bundle(name)
		if err != nil {
			return nil, fmt.Errorf("policy %s: %w", name, err)
		}
		return b, nil
	}
	fi, err := os.Stat(name)
	switch {
	case err == nil && fi.IsDir():
		return os.DirFS(name), nil
	case err == nil:
		return nil, fmt.Errorf("policy %s: not a directory (want an embedded bundle: %s; a bundle directory; or a .tar.gz from dsr policy build)",
			name, strings.Join(names, ", "))
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("policy %s: no such embedded bundle (want one of %s) or directory",
			name, strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("policy %s: %w", name, err)
}

// openRegister is how every command opens a register: it loads the policy
// (with the --set overrides) and opens the SQLite register file (created if
// missing) with it, national-2023's consent gate, and the review and Blue
// Light meeting documents. The engine also gives the review and bluelight
// commands their rules: the bundle's cetr_rules and bluelight_* decision
// points, or the Go defaults where the bundle has none
// (policies.CETRParams, policies.BlueLightRules). The store is the
// caller's to close.
func openRegister(ctx context.Context, file, policy string, params paramFlag, opts ...register.Option) (*register.Register, *sqlitestore.Store, *policies.Engine, error) {
	_, engine, err := loadPolicy(ctx, policy, "", params)
	if err != nil {
		return nil, nil, nil, err
	}
	store, err := sqlitestore.Open(ctx, file)
	if err != nil {
		return nil, nil, nil, err
	}
	kinds := register.WithDocumentKinds(register.ReviewDocuments{}, register.MeetingDocuments{})
	reg, err := register.Open(ctx, store, engine, append([]register.Option{register.WithConsentPolicy(consent.National2023), kinds}, opts...)...)
	if err != nil {
		store.Close()
		return nil, nil, nil, err
	}
	return reg, store, engine, nil
}
