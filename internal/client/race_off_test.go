//go:build !race

package client

// raceEnabled tells whether the tests run under the race detector, which
// makes reading a gigabyte take minutes.
const raceEnabled = false
