package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dsrkit/dsrkit/policies"
)

const policyBuildUsageText = `Usage: dsr policy build DIR|NAME -o FILE.tar.gz [--timeout D]

Write a policy bundle (a directory, or an embedded profile by name) as an
OPA bundle: a gzip tar that OPA's tools load (opa test FILE.tar.gz runs
the bundle's *_test.rego over the Rego the engine compiles) and that every
command taking --policy accepts, with the same name, version, digest and
assessments as the directory. It holds OPA's .manifest (revision
VERSION+DIGEST; dsrkit's name, version, digest and the bundles extended
under "metadata"), the parameters in force at params/data.json (an
overlay's merged with everything it extends), the Rego files the engine
compiles, the bundle's own *_test.rego files, and the bundle's sources
(with those of every bundle it extends) in .dsrkit/sources.tar, which OPA
ignores and dsr loads from. CEL rule files are among the sources; OPA has
no use for them. The bundle must load first, every decision point
compiled (the optional ones too, which other commands compile at their
first use): a broken rule is refused here, and nothing is written.

Options:
  -o FILE    the archive to write (required; ends in .tar.gz)
` + timeoutUsageText

func policyBuildUsage(w io.Writer) { fmt.Fprint(w, policyBuildUsageText) }

// runPolicyBuild is `dsr policy build DIR|NAME -o FILE`. The bundle must
// load, every point compiled (the optional ones too), before it is
// written.
func runPolicyBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fset := newFlagSet("policy build")
	out := fset.String("o", "", "the archive to write")
	timeoutFlag(ctx, fset)
	pos, code, ok := parseCommand(fset, args, policyBuildUsage, stdout, stderr, 1, "want one bundle directory or profile name")
	if !ok {
		return code
	}
	if !strings.HasSuffix(*out, ".tar.gz") {
		errorf(stderr, "policy build: -o FILE.tar.gz is required")
		policyBuildUsage(stderr)
		return exitUsage
	}
	fsys, err := openBundle(pos[0])
	if err != nil {
		errorf(stderr, "%v", err)
		return exitFailure
	}
	if _, err := policies.Load(ctx, fsys, append(ruleOptions(ctx), policies.WithEagerCompile(true))...); err != nil {
		errorf(stderr, "policy build %s: %v", pos[0], err)
		return exitFailure
	}
	var buf bytes.Buffer
	if err := policies.WriteArchive(&buf, fsys); err != nil {
		errorf(stderr, "policy build %s: %v", pos[0], err)
		return exitFailure
	}
	if err := writeFileAtomic(*out, buf.Bytes()); err != nil {
		errorf(stderr, "policy build: %v", err)
		return exitFailure
	}
	return exitOK
}

// writeFileAtomic writes name through a temporary file in its directory,
// so a failed build leaves no half-written archive.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".dsr-build-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), name)
}

// isArchive reports whether a --policy value names a bundle archive.
func isArchive(name string) bool { return strings.HasSuffix(name, ".tar.gz") }

// openArchive reads the bundle archive name (from dsr policy build).
func openArchive(name string) (fs.FS, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	defer f.Close()
	fsys, err := policies.ReadArchive(f)
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", name, err)
	}
	return fsys, nil
}
