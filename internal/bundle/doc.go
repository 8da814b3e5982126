// Package bundle reads a policy bundle: its manifest, parameters and rule
// files, merged with the bundles it extends, checked before any engine sees
// them. It knows nothing of Rego or CEL beyond file names: internal/rego and
// internal/cel compile what it reads, and the policies package puts the
// two together. Errors are *LoadError and *ParamError, which the policies
// package re-exports.
//
// A bundle is someone else's code. The reader accepts only regular files
// inside the bundle's folder: a symbolic link (to a file in the bundle or
// out of it), a device, a FIFO, a socket or a path with .. is refused with
// its path, before anything opens it. A file over MaxFileSize (4 MiB), or
// files over MaxBundleSize (32 MiB) in all, fail the load, and reading is
// bounded by the same limits whatever size the file system reports.
package bundle
