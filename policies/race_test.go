//go:build race

package policies_test

const raceEnabled = true
