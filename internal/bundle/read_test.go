package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// copyBundle copies the national-2023 profile's folder (its top-level
// files and params/) to a new temporary folder, returned.
func copyBundle(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "policies", "bundles", "national-2023")
	dst := t.TempDir()
	for _, dir := range []string{"", "params"} {
		entries, err := os.ReadDir(filepath.Join(src, dir))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dst, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			b, err := os.ReadFile(filepath.Join(src, dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, dir, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dst
}

// The bundle reader reads only regular files inside the bundle's folder,
// within the size limits, and names the file it refuses; it refuses
// without opening (a FIFO would block, /dev/zero would never end).
func TestReadRefusesWhatIsNotARegularFile(t *testing.T) {
	if _, err := Read(os.DirFS(copyBundle(t)), nil); err != nil {
		t.Fatalf("the copied profile: %v", err)
	}
	outside := filepath.Join(t.TempDir(), "outside.rego")
	if err := os.WriteFile(outside, []byte("package dsr.lib\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
		file  string // the file the error must name
		want  string // and a word of the reason
	}{
		{"symlink out of the bundle", func(t *testing.T, dir string) {
			must(t, os.Symlink(outside, filepath.Join(dir, "extra.rego")))
		}, "extra.rego", "symbolic link"},
		{"symlink inside the bundle", func(t *testing.T, dir string) {
			must(t, os.Symlink("lib.rego", filepath.Join(dir, "lib2.rego")))
		}, "lib2.rego", "symbolic link"},
		{"symlinked manifest", func(t *testing.T, dir string) {
			must(t, os.Rename(filepath.Join(dir, ManifestFile), filepath.Join(dir, "m")))
			must(t, os.Symlink("m", filepath.Join(dir, ManifestFile)))
		}, ManifestFile, "symbolic link"},
		{"symlinked params folder", func(t *testing.T, dir string) {
			must(t, os.Rename(filepath.Join(dir, "params"), filepath.Join(dir, "p")))
			must(t, os.Symlink("p", filepath.Join(dir, "params")))
		}, "params", "symbolic link"},
		{"symlink to /dev/zero", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "rating.rego")))
			must(t, os.Symlink("/dev/zero", filepath.Join(dir, "rating.rego")))
		}, "rating.rego", "symbolic link"},
		{"FIFO as a rule file", func(t *testing.T, dir string) {
			must(t, syscall.Mkfifo(filepath.Join(dir, "fifo.rego"), 0o644))
		}, "fifo.rego", "FIFO"},
		{"FIFO as the parameters", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, ParamsFile)))
			must(t, syscall.Mkfifo(filepath.Join(dir, ParamsFile), 0o644))
		}, ParamsFile, "FIFO"},
		{"device as a rule file", func(t *testing.T, dir string) {
			// /dev/zero's numbers (1, 5): a character device.
			must(t, syscall.Mknod(filepath.Join(dir, "zero.rego"), syscall.S_IFCHR|0o644, 1<<8|5))
		}, "zero.rego", "device"},
		{"file over the limit (sparse)", func(t *testing.T, dir string) {
			must(t, os.Truncate(filepath.Join(dir, "lib.rego"), 100<<20))
		}, "lib.rego", "limit"},
		{"files over the limit in all", func(t *testing.T, dir string) {
			pad := "package dsr.pad\n#" + strings.Repeat("x", MaxFileSize-40) + "\n"
			for i := range MaxBundleSize/MaxFileSize + 1 {
				must(t, os.WriteFile(filepath.Join(dir, "pad"+string(rune('a'+i))+".rego"), []byte(pad), 0o644))
			}
		}, ".rego", "in all"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyBundle(t)
			c.setup(t, dir)
			start := time.Now()
			_, err := Read(os.DirFS(dir), nil)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, want a *LoadError", err)
			}
			t.Log(err)
			if !strings.Contains(le.File, c.file) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error naming %s and %q", err, c.file, c.want)
			}
		})
	}
}

// ReadFile refuses a path that climbs out of the bundle.
func TestReadFileRefusesDotDot(t *testing.T) {
	dir := copyBundle(t)
	_, err := ReadFile(os.DirFS(dir), "../x.rego")
	var le *LoadError
	if !errors.As(err, &le) || le.File != "../x.rego" {
		t.Fatalf("got %v, want a LoadError naming ../x.rego", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
