package policies

import (
	"io/fs"
	"maps"
	"slices"

	"github.com/dsrkit/dsrkit/internal/bundle"
)

// RegoSources returns what a bundle's Rego rules are compiled from, for
// tools that run them another way (dsr policy test runs an overlay's
// *_test.rego files with OPA's tester over them): the Rego files the engine
// would compile (the bundle's own and those it inherits, an overlay's
// decision points replacing its parents'), by file name, and the
// parameters in force with opts applied, as the rules see them under
// data.params (dates as day numbers). It does not compile anything; Load
// does.
func RegoSources(bundleFS fs.FS, opts ...Option) (files map[string][]byte, params map[string]any, err error) {
	cfg := config{}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, nil, err
		}
	}
	b, err := readBundle(bundleFS)
	if err != nil {
		return nil, nil, err
	}
	all, err := bundle.ApplyOverrides(bundle.ParamsFile, b.Params, cfg.overrides)
	if err != nil {
		return nil, nil, err
	}
	if params, err = bundle.TypedParams(b.Manifest.ParamTypes, all); err != nil {
		return nil, nil, err
	}
	files = map[string][]byte{}
	for _, p := range slices.Concat(Points, OptionalPoints) {
		if src, ok := b.PointFiles[p]; ok && !src.IsCEL() {
			files[src.Name] = src.Text
		}
	}
	for _, src := range b.Library {
		files[src.Name] = src.Text
	}
	return maps.Clone(files), params, nil
}
