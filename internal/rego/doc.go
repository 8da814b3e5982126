// Package rego is the Rego back end: it compiles a bundle's Rego decision
// points with OPA (Compile, to an eval.Program), builds each case's input
// as an OPA value, evaluates a stage's points in one query, and decodes
// the decisions into eval.Decision. It is the only package of dsrkit that
// imports OPA; the CLI's Rego unit-test runner (RunUnitTests) and line
// coverage live here for that reason.
//
// The optimised path (the default) compiles the modules with extra
// compiler stages (parameters inlined, constant tests folded, dead rule
// definitions dropped), evaluates with topdown directly over a pooled
// state, and reads national-style decisions rule by rule. With
// eval.Plan.Plain it uses OPA's own rego.PreparedEvalQuery over the
// parameters as data: the reference the optimised path is tested against.
//
// Rules are fenced in (limits.go): only the builtins on an allowlist of
// pure ones compile (none reads the clock, the network, randomness or the
// environment); the builtins whose result can outgrow their arguments
// refuse to build more than MaxValueSize; and each evaluation stops at its
// deadline (eval.Plan.Deadline) or after allocating MaxEvalAlloc, on both
// paths, with an error naming the rule files and the limit.
package rego
