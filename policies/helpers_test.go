package policies_test

import (
	"io/fs"
	"testing/fstest"
)

// withFile returns a copy of bundle with one file replaced.
func withFile(bundle fs.FS, name, text string) fs.FS {
	m := fstest.MapFS{}
	_ = fs.WalkDir(bundle, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(bundle, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	m[name] = &fstest.MapFile{Data: []byte(text)}
	return m
}
