// Package bundle reads a policy bundle: its manifest, parameters and rule
// files, merged with the bundles it extends, checked before any engine sees
// them. It knows nothing of Rego or CEL beyond file names: internal/rego and
// internal/cel compile what it reads, and the policies package puts the
// two together. Errors are *LoadError and *ParamError, which the policies
// package re-exports.
package bundle
