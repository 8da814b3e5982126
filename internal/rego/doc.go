// Package rego is the Rego back end: it compiles a bundle's Rego modules
// with OPA and evaluates them, optimised (topdown directly, parameters
// inlined) or plain (OPA's prepared queries). It is the only package that
// imports OPA.
//
// Rules are fenced in (limits.go): only the builtins on an allowlist of
// pure ones compile (none reads the clock, the network, randomness or the
// environment); the builtins whose result can outgrow their arguments
// refuse to build more than MaxValueSize; and each evaluation stops at its
// deadline (eval.Plan.Deadline) or after allocating MaxEvalAlloc, on both
// paths, with an error naming the rule files and the limit.
package rego
