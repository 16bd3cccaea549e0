package mail

// RaceEnabled tells the package's external tests that this test binary was
// built with -race (raceEnabled).
const RaceEnabled = raceEnabled
