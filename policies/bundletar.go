package policies

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/dsrkit/dsrkit/internal/bundle"
)

// A bundle archive is what `dsr policy build` writes: an OPA bundle (a
// gzip tar) that OPA's tools load (opa test, opa eval -b, opa run) and
// Load accepts through ReadArchive. It holds:
//
//   - .manifest: OPA's manifest, revision VERSION+DIGEST, roots dsr and
//     params, and under "metadata" the bundle's name, version, description,
//     the bundles it extends (nearest first) and its digest;
//   - params/data.json: the parameters in force, the overlay's merged with
//     everything it extends, as the rules see them (dates as day numbers);
//   - the Rego files the engine compiles, by the names errors give them
//     (an inherited file under its bundle's name: national-2023/lib.rego),
//     and the bundle's own *_test.rego files;
//   - .dsrkit/sources.tar: the files the digest covers, of the bundle and
//     of every bundle it extends, as they were. OPA ignores it (no .rego,
//     data.json or .manifest name); ReadArchive loads from it, so a
//     bundle read back has the folder's name, version, digest and
//     assessments, and checks that everything else in the archive is what
//     WriteArchive derives from it.
const archiveSources = ".dsrkit/sources.tar"

// Limits on what ReadArchive reads: no entry, and not all of them
// together (uncompressed), may exceed these. An entry is one file of the
// bundle (bundle.MaxFileSize), but for the sources tar, which holds the
// whole bundle (bundle.MaxBundleSize); the archive holds the bundle twice
// (its OPA part and its sources).
const (
	maxArchiveEntry   = bundle.MaxFileSize
	maxArchiveSources = bundle.MaxBundleSize
	maxArchiveTotal   = 2 * bundle.MaxBundleSize
)

// archiveRoots are the .manifest roots: the rules' packages (dsr.*) and
// their parameters.
var archiveRoots = []string{"dsr", "params"}

// ArchiveError is a bundle archive that ReadArchive refuses.
type ArchiveError struct {
	Entry string // the tar entry, empty for the archive as a whole
	Err   error
}

func (e *ArchiveError) Error() string {
	if e.Entry == "" {
		return "bundle archive: " + e.Err.Error()
	}
	return fmt.Sprintf("bundle archive: entry %q: %v", e.Entry, e.Err)
}

func (e *ArchiveError) Unwrap() error { return e.Err }

// Is makes an ArchiveError match ErrBadBundle.
func (e *ArchiveError) Is(target error) bool { return target == ErrBadBundle }

// WriteArchive writes the bundle in bundleFS, with every bundle it extends,
// to w as a bundle archive (see ReadArchive). The archive is the same for
// the same files: entries sorted, no times.
func WriteArchive(w io.Writer, bundleFS fs.FS) error {
	entries, err := archiveEntries(bundleFS, true)
	if err != nil {
		return err
	}
	gz := gzip.NewWriter(w)
	if err := writeTar(gz, entries); err != nil {
		return err
	}
	return gz.Close()
}

// ReadArchive reads a bundle archive that WriteArchive wrote, as an fs.FS
// that Load (and every function taking a bundle) accepts; the bundles it
// extends come from the archive, not from the embedded profiles. It
// refuses an archive with anything but regular files (and directories),
// with a path that is absolute or climbs out (..), with an entry over
// 4 MiB (bundle.MaxFileSize; the sources tar 32 MiB) or entries over
// 64 MiB in all, and one whose OPA part differs
// from what its sources give.
func ReadArchive(r io.Reader) (fs.FS, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, &ArchiveError{Err: fmt.Errorf("not a gzip file: %w", err)}
	}
	total := int64(0)
	outer, err := readTar(gz, &total)
	if err != nil {
		return nil, err
	}
	raw, ok := outer[archiveSources]
	if !ok {
		return nil, &ArchiveError{Err: fmt.Errorf("no %s: not written by dsr policy build", archiveSources)}
	}
	sources, err := readTar(bytes.NewReader(raw), &total)
	if err != nil {
		var ae *ArchiveError
		if errors.As(err, &ae) && ae.Entry != "" {
			ae.Entry = archiveSources + ":" + ae.Entry
		}
		return nil, err
	}
	root, err := archiveBundle(sources)
	if err != nil {
		return nil, err
	}
	want, err := archiveEntries(root, false)
	if err != nil {
		return nil, err
	}
	for name, text := range want {
		if name == archiveSources {
			continue
		}
		got, ok := outer[name]
		switch {
		case !ok:
			return nil, &ArchiveError{Entry: name, Err: fmt.Errorf("missing (its sources in %s have it)", archiveSources)}
		case !bytes.Equal(got, text):
			return nil, &ArchiveError{Entry: name, Err: fmt.Errorf("differs from what its sources in %s give", archiveSources)}
		}
	}
	for name, text := range outer {
		if _, ok := want[name]; ok {
			continue
		}
		if !strings.HasSuffix(name, "_test.rego") {
			return nil, &ArchiveError{Entry: name, Err: errors.New("not part of the bundle (only its *_test.rego files may be added)")}
		}
		root.MapFS[name] = &fstest.MapFile{Data: text, Mode: 0o444} // for dsr policy test; not in the digest
	}
	return root, nil
}

// archiveEntries returns the archive's files for the bundle in fsys: the
// OPA part, the sources and, with tests, the bundle's own *_test.rego.
func archiveEntries(fsys fs.FS, tests bool) (map[string][]byte, error) {
	b, err := readBundle(fsys)
	if err != nil {
		return nil, err
	}
	rego, params, err := RegoSources(fsys)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	add := func(name string, text []byte) error {
		if _, dup := out[name]; dup {
			return &LoadError{File: name, Err: errors.New("two files of the bundle would have this name in the archive (a folder named after a bundle it extends?)")}
		}
		out[name] = text
		return nil
	}
	d := b.Digest(b.Params)
	meta := map[string]any{
		"name": b.Manifest.Name, "version": b.Manifest.Version, "description": b.Manifest.Description,
		"extends": append([]string{}, b.Parents...), "digest": d,
	}
	mf, err := json.MarshalIndent(map[string]any{
		"revision": b.Manifest.Version + "+" + d, "roots": archiveRoots, "metadata": meta,
	}, "", "  ")
	if err != nil {
		return nil, err
	}
	pj, err := json.MarshalIndent(params, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := add(bundle.ManifestFile, append(mf, '\n')); err != nil {
		return nil, err
	}
	if err := add(bundle.ParamsFile, append(pj, '\n')); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(rego)) {
		if err := add(name, rego[name]); err != nil {
			return nil, err
		}
	}
	if tests {
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.rego") || strings.HasPrefix(p, "testdata/") {
				return err
			}
			text, err := bundle.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			return add(p, text)
		})
		if err != nil {
			return nil, err
		}
	}
	src := map[string][]byte{}
	for _, f := range b.Files {
		src[f.Name] = f.Text
	}
	var buf bytes.Buffer
	if err := writeTar(&buf, src); err != nil {
		return nil, err
	}
	if err := add(archiveSources, buf.Bytes()); err != nil {
		return nil, err
	}
	return out, nil
}

func writeTar(w io.Writer, files map[string][]byte) error {
	tw := tar.NewWriter(w)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		text := files[name]
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(text)), Typeflag: tar.TypeReg, Format: tar.FormatPAX}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if _, err := tw.Write(text); err != nil {
			return err
		}
	}
	return tw.Close()
}

// readTar reads a tar's regular files, refusing anything else and any
// path that is not a plain relative one; total counts the bytes read.
func readTar(r io.Reader, total *int64) (map[string][]byte, error) {
	files := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, &ArchiveError{Err: err}
		}
		name := hdr.Name
		clean := strings.TrimSuffix(name, "/")
		switch {
		case strings.HasPrefix(name, "/") || strings.Contains(name, `\`):
			return nil, &ArchiveError{Entry: name, Err: errors.New("absolute path")}
		case !fs.ValidPath(clean) || clean == ".":
			return nil, &ArchiveError{Entry: name, Err: errors.New("path is not a plain relative path (.. or empty parts)")}
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		default:
			return nil, &ArchiveError{Entry: name, Err: fmt.Errorf("not a regular file (tar type %q)", hdr.Typeflag)}
		}
		limit := int64(maxArchiveEntry)
		if clean == archiveSources {
			limit = maxArchiveSources
		}
		if hdr.Size > limit {
			return nil, &ArchiveError{Entry: name, Err: fmt.Errorf("%d bytes, over the limit of %d", hdr.Size, limit)}
		}
		if _, dup := files[clean]; dup {
			return nil, &ArchiveError{Entry: name, Err: errors.New("appears twice")}
		}
		text, err := io.ReadAll(io.LimitReader(tr, limit+1))
		if err != nil {
			return nil, &ArchiveError{Entry: name, Err: err}
		}
		if int64(len(text)) > limit {
			return nil, &ArchiveError{Entry: name, Err: fmt.Errorf("over the limit of %d bytes", limit)}
		}
		if *total += int64(len(text)); *total > maxArchiveTotal {
			return nil, &ArchiveError{Entry: name, Err: fmt.Errorf("the archive's files exceed %d bytes in all", maxArchiveTotal)}
		}
		files[clean] = text
	}
}

// archiveFS is one bundle of an archive's sources; Parent returns the
// bundles it extends from the same sources.
type archiveFS struct {
	fstest.MapFS
	parents map[string]fstest.MapFS
}

func (a archiveFS) Parent(name string) (fs.FS, error) {
	p, ok := a.parents[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q (not in the archive)", ErrUnknownBundle, name)
	}
	return archiveFS{MapFS: p, parents: a.parents}, nil
}

// archiveBundle splits an archive's sources into the bundle (files with
// no prefix) and the bundles it extends (files under each one's name).
func archiveBundle(sources map[string][]byte) (archiveFS, error) {
	var chain []string
	at := ""
	for range bundle.MaxExtends + 1 {
		raw, ok := sources[at+bundle.ManifestFile]
		if !ok {
			return archiveFS{}, &ArchiveError{Entry: archiveSources + ":" + at + bundle.ManifestFile, Err: errors.New("missing")}
		}
		var m bundle.Manifest
		if err := bundle.DecodeManifest(raw, &m); err != nil {
			return archiveFS{}, &ArchiveError{Entry: archiveSources + ":" + at + bundle.ManifestFile, Err: err}
		}
		if m.Extends == "" || slices.Contains(chain, m.Extends) {
			break
		}
		chain = append(chain, m.Extends)
		at = m.Extends + "/"
	}
	root := fstest.MapFS{}
	parents := map[string]fstest.MapFS{}
	for _, p := range chain {
		parents[p] = fstest.MapFS{}
	}
	for name, text := range sources {
		dir, rest, _ := strings.Cut(name, "/")
		if p, ok := parents[dir]; ok && rest != "" {
			p[rest] = &fstest.MapFile{Data: text, Mode: 0o444}
			continue
		}
		root[name] = &fstest.MapFile{Data: text, Mode: 0o444}
	}
	return archiveFS{MapFS: root, parents: parents}, nil
}
