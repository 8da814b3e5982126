// Package archtest holds the tests that keep the module's layout honest:
// which of our packages may import which (imports point down), that only
// internal/rego and internal/cel import a policy engine, that the
// engine-free packages do not depend on one at all, and that no package
// grows past a quarter of the module's code. It has no code of its own.
package archtest
