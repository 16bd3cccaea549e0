//go:build !race

package mail

// raceEnabled: this test binary was built with -race.
const raceEnabled = false
