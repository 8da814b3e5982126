package bundle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Limits on what a bundle may hold. A bundle is code from someone else: a
// file over the limit, or files over the limit in all, fail the load
// before they are read into memory. The shipped bundles are a few dozen
// KiB.
const (
	// MaxFileSize bounds one file of a bundle (the manifest, the
	// parameters, a rule file).
	MaxFileSize = 4 << 20
	// MaxBundleSize bounds the files read from one bundle, with the
	// bundles it extends.
	MaxBundleSize = 32 << 20
)

// reader reads a bundle's files and nothing else: only regular files
// inside the bundle root, each under MaxFileSize, all under MaxBundleSize.
// A symbolic link (to a file in the bundle or out of it), a device, a FIFO
// or a socket is refused with its path, without being opened: opening a
// FIFO blocks and reading /dev/zero never ends.
type reader struct {
	fsys   fs.FS
	prefix string // for error names: the parent's name for inherited files
	total  *int64 // bytes read, shared by a bundle and those it extends
}

// CheckEntry refuses a directory entry that is neither a regular file nor
// a directory (a symbolic link, device, FIFO or socket); name is the path
// errors give.
func CheckEntry(name string, mode fs.FileMode) error {
	switch t := mode.Type(); {
	case t == 0, t == fs.ModeDir:
		return nil
	case t&fs.ModeSymlink != 0:
		return &LoadError{File: name, Err: errors.New("a symbolic link: a bundle holds only regular files, inside its folder")}
	case t&fs.ModeNamedPipe != 0:
		return &LoadError{File: name, Err: errors.New("a FIFO: a bundle holds only regular files")}
	case t&(fs.ModeDevice|fs.ModeCharDevice) != 0:
		return &LoadError{File: name, Err: errors.New("a device: a bundle holds only regular files")}
	default:
		return &LoadError{File: name, Err: fmt.Errorf("not a regular file (%v): a bundle holds only regular files", t)}
	}
}

// stat checks every element of name with Lstat semantics (an os.DirFS
// implements fs.ReadLinkFS; other file systems hold no links) and returns
// the file's info: a folder on the path that is a link fails as well.
func (r reader) stat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) || name == "." {
		return nil, &LoadError{File: r.prefix + name, Err: errors.New("not a plain path inside the bundle (.. or an absolute path)")}
	}
	parts := strings.Split(name, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		fi, err := fs.Lstat(r.fsys, p)
		if err != nil {
			return nil, err
		}
		if err := CheckEntry(r.prefix+p, fi.Mode()); err != nil {
			return nil, err
		}
		if i < len(parts)-1 && !fi.IsDir() {
			return nil, &LoadError{File: r.prefix + p, Err: errors.New("not a folder")}
		}
		if i == len(parts)-1 {
			if fi.IsDir() {
				return nil, &LoadError{File: r.prefix + name, Err: errors.New("a folder, not a file")}
			}
			return fi, nil
		}
	}
	panic("unreachable")
}

// read returns the contents of the regular file name, refusing anything
// else and anything over the limits. A missing file's error matches
// fs.ErrNotExist.
func (r reader) read(name string) ([]byte, error) {
	fi, err := r.stat(name)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxFileSize {
		return nil, r.tooBig(name, fi.Size())
	}
	f, err := r.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The size Lstat gave may be wrong (a file growing, a file system
	// that does not know): the limit holds while reading too.
	text, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, &LoadError{File: r.prefix + name, Err: err}
	}
	if len(text) > MaxFileSize {
		return nil, r.tooBig(name, -1)
	}
	if *r.total += int64(len(text)); *r.total > MaxBundleSize {
		return nil, &LoadError{File: r.prefix + name, Err: fmt.Errorf("the bundle's files exceed the limit of %d bytes (%d MiB) in all", MaxBundleSize, MaxBundleSize>>20)}
	}
	return text, nil
}

func (r reader) tooBig(name string, size int64) error {
	if size < 0 {
		return &LoadError{File: r.prefix + name, Err: fmt.Errorf("over the limit of %d bytes (%d MiB) for a bundle file", MaxFileSize, MaxFileSize>>20)}
	}
	return &LoadError{File: r.prefix + name, Err: fmt.Errorf("%d bytes, over the limit of %d bytes (%d MiB) for a bundle file", size, MaxFileSize, MaxFileSize>>20)}
}

// ReadFile reads one file of the bundle in fsys as Read does: a regular
// file inside the bundle, within MaxFileSize. For tools reading a bundle's
// other files (its *_test.rego).
func ReadFile(fsys fs.FS, name string) ([]byte, error) {
	var total int64
	return reader{fsys: fsys, total: &total}.read(name)
}
