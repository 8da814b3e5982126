package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"
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
func Rebase(overlay fs.FS, base string, resolve Resolver) (fs.FS, error) {
	baseFS, err := resolve(base)
	if err != nil {
		return nil, fmt.Errorf("rebase: %w", err)
	}
	raw, err := ReadFile(overlay, ManifestFile)
	var le *LoadError
	if errors.As(err, &le) {
		return nil, err
	}
	if err != nil {
		return nil, &LoadError{File: ManifestFile, Err: fmt.Errorf("bundle has no manifest: %w", err)}
	}
	var m Manifest
	if err := DecodeManifest(raw, &m); err != nil {
		return nil, &LoadError{File: ManifestFile, Err: err}
	}
	baseBundle, err := Read(baseFS, resolve)
	if err != nil {
		return nil, err
	}
	ancestors := append([]string{base}, baseBundle.Parents...)
	switch {
	case m.Name == base:
		return overlay, nil
	case m.Extends == "":
		if slices.Contains(baseBundle.Parents, m.Name) {
			return baseFS, nil
		}
		return nil, &LoadError{File: ManifestFile, Err: fmt.Errorf("rebase onto %s: %s extends nothing and %s does not extend it", base, m.Name, base)}
	case m.Extends == base:
		return overlay, nil
	case !slices.Contains(ancestors, m.Extends):
		return nil, &LoadError{File: ManifestFile, Err: fmt.Errorf("rebase onto %s: %s extends %s, which %s does not extend (it extends %s)", base, m.Name, m.Extends, base, strings.Join(orNone(baseBundle.Parents), ", "))}
	}
	parentFS, err := resolve(m.Extends)
	if err != nil {
		return nil, &LoadError{File: ManifestFile, Err: fmt.Errorf("extends: %w", err)}
	}
	parent, err := Read(parentFS, resolve)
	if err != nil {
		return nil, err
	}
	if !reflect.DeepEqual(parent.Params, baseBundle.Params) {
		var changed []string
		for _, k := range slices.Sorted(maps.Keys(baseBundle.Params)) {
			if !reflect.DeepEqual(parent.Params[k], baseBundle.Params[k]) {
				changed = append(changed, k)
			}
		}
		for k := range parent.Params {
			if _, ok := baseBundle.Params[k]; !ok {
				changed = append(changed, k)
			}
		}
		return nil, &LoadError{File: ManifestFile, Err: fmt.Errorf("rebase onto %s: its parameters differ from %s's (%s)", base, m.Extends, strings.Join(changed, ", "))}
	}
	// Rewrite "extends" only, keeping every other key as written.
	out, err := SetManifestExtends(raw, base)
	if err != nil {
		return nil, &LoadError{File: ManifestFile, Err: err}
	}
	return rebasedFS{FS: overlay, manifest: out}, nil
}

func orNone(s []string) []string {
	if len(s) == 0 {
		return []string{"nothing"}
	}
	return s
}

// rebasedFS is an overlay's files with its manifest replaced.
type rebasedFS struct {
	fs.FS
	manifest []byte
}

func (r rebasedFS) Open(name string) (fs.File, error) {
	if name == ManifestFile {
		return &memFile{Reader: bytes.NewReader(r.manifest), size: int64(len(r.manifest))}, nil
	}
	return r.FS.Open(name)
}

func (r rebasedFS) ReadFile(name string) ([]byte, error) {
	if name == ManifestFile {
		return bytes.Clone(r.manifest), nil
	}
	return fs.ReadFile(r.FS, name)
}

// Lstat passes through (the bundle reader refuses links with it).
func (r rebasedFS) Lstat(name string) (fs.FileInfo, error) {
	if name == ManifestFile {
		return memInfo{int64(len(r.manifest))}, nil
	}
	return fs.Lstat(r.FS, name)
}

// ReadLink passes through.
func (r rebasedFS) ReadLink(name string) (string, error) { return fs.ReadLink(r.FS, name) }

// ReadDir passes through, so WalkDir sees the overlay's files as they are.
func (r rebasedFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(r.FS, name) }

type memFile struct {
	*bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f.size}, nil }
func (f *memFile) Close() error               { return nil }

type memInfo struct{ size int64 }

func (i memInfo) Name() string       { return ManifestFile }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }
