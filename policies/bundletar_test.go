package policies_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dsrkit/dsrkit/internal/bundle"
	"github.com/dsrkit/dsrkit/policies"
)

// archive returns a gzip tar of the given headers, each with its body.
func archive(t *testing.T, entries ...tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		e.hdr.Size = int64(len(e.body))
		if e.hdr.Typeflag == 0 {
			e.hdr.Typeflag = tar.TypeReg
		}
		if e.hdr.Typeflag != tar.TypeReg {
			e.hdr.Size = 0
		}
		if err := tw.WriteHeader(&e.hdr); err != nil {
			t.Fatal(err)
		}
		if e.hdr.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type tarEntry struct {
	hdr  tar.Header
	body []byte
}

func TestReadArchiveRefusesUnsafeEntries(t *testing.T) {
	for _, tc := range []struct {
		name  string
		entry tarEntry
		want  string
	}{
		{"parent directory", tarEntry{hdr: tar.Header{Name: "../escape.rego"}, body: []byte("package x")}, "../escape.rego"},
		{"inner parent directory", tarEntry{hdr: tar.Header{Name: "params/../../x.json"}, body: []byte("{}")}, "params/../../x.json"},
		{"absolute path", tarEntry{hdr: tar.Header{Name: "/etc/x.rego"}, body: []byte("package x")}, "/etc/x.rego"},
		{"symlink", tarEntry{hdr: tar.Header{Name: "lib.rego", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"}}, "lib.rego"},
		{"hard link", tarEntry{hdr: tar.Header{Name: "lib.rego", Typeflag: tar.TypeLink, Linkname: ".manifest"}}, "lib.rego"},
		{"oversized", tarEntry{hdr: tar.Header{Name: "params/data.json"}, body: make([]byte, bundle.MaxFileSize+1)}, "params/data.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policies.ReadArchive(bytes.NewReader(archive(t, tc.entry)))
			var ae *policies.ArchiveError
			if !errors.As(err, &ae) || ae.Entry != tc.want {
				t.Fatalf("got %v, want an ArchiveError naming %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || !errors.Is(err, policies.ErrBadBundle) {
				t.Errorf("error %q does not name %q or match ErrBadBundle", err, tc.want)
			}
		})
	}
}

func TestReadArchiveRefusesTooMuchInAll(t *testing.T) {
	var entries []tarEntry
	// Each entry at the limit for one; together one more than the total
	// allows (two bundles' worth).
	n := 2*bundle.MaxBundleSize/bundle.MaxFileSize + 1
	for i := range n {
		entries = append(entries, tarEntry{hdr: tar.Header{Name: "big" + string(rune('a'+i)) + ".bin"}, body: make([]byte, bundle.MaxFileSize)})
	}
	_, err := policies.ReadArchive(bytes.NewReader(archive(t, entries...)))
	var ae *policies.ArchiveError
	if last := "big" + string(rune('a'+n-1)) + ".bin"; !errors.As(err, &ae) || ae.Entry != last || !strings.Contains(err.Error(), "in all") {
		t.Fatalf("got %v, want the last entry (%s) refused for the total", err, last)
	}
}

// An archive whose OPA part was edited after the build does not load: what
// OPA tests must be what dsr assesses with.
func TestReadArchiveRefusesAnEditedOPAPart(t *testing.T) {
	var buf bytes.Buffer
	if err := policies.WriteArchive(&buf, os.DirFS("../examples/policies/changes/kingston-richmond-crisis-red")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ entry, want string }{
		{"rating.rego", "differs"},
		{"params/data.json", "differs"},
		{"extra.rego", "not part of the bundle"},
	} {
		t.Run(tc.entry, func(t *testing.T) {
			entries := untar(t, buf.Bytes())
			entries[tc.entry] = append(entries[tc.entry], []byte("\n# edited\n")...)
			var out []tarEntry
			for name, body := range entries {
				out = append(out, tarEntry{hdr: tar.Header{Name: name}, body: body})
			}
			_, err := policies.ReadArchive(bytes.NewReader(archive(t, out...)))
			var ae *policies.ArchiveError
			if !errors.As(err, &ae) || ae.Entry != tc.entry || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want entry %s refused (%s)", err, tc.entry, tc.want)
			}
		})
	}
}

func untar(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		var body bytes.Buffer
		if _, err := body.ReadFrom(tr); err != nil {
			t.Fatal(err)
		}
		out[hdr.Name] = body.Bytes()
	}
	if len(out) == 0 {
		t.Fatal("empty archive")
	}
	return out
}

// A bundle in the layout before .manifest and params/data.json fails with
// an error that names the file to move.
func TestOldLayoutNamesTheFileToMove(t *testing.T) {
	for _, tc := range []struct {
		fsys fstest.MapFS
		file string
		want string
	}{
		{fstest.MapFS{"manifest.json": {Data: []byte(`{"name": "old", "version": "1"}`)}}, "manifest.json", "move manifest.json to .manifest"},
		{fstest.MapFS{
			".manifest":   {Data: []byte(`{"metadata": {"name": "old", "version": "1", "extends": "national-2023"}}`)},
			"params.json": {Data: []byte(`{}`)},
		}, "params.json", "move params.json to params/data.json"},
	} {
		_, err := policies.Load(context.Background(), tc.fsys)
		var le *policies.LoadError
		if !errors.As(err, &le) || le.File != tc.file || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want a LoadError on %s saying %q", err, tc.file, tc.want)
		}
	}
}

// Every bundle file is where OPA's loader looks: no manifest.json or
// params.json is left at a bundle's root.
func TestEmbeddedBundlesUseTheOPALayout(t *testing.T) {
	for _, name := range policies.BundleNames() {
		fsys, err := policies.Bundle(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fs.Stat(fsys, ".manifest"); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, old := range []string{"manifest.json", "params.json"} {
			if _, err := fs.Stat(fsys, old); err == nil {
				t.Errorf("%s: %s is in the old layout", name, old)
			}
		}
	}
}
