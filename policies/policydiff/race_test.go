//go:build race

package policydiff_test

const raceOn = true
