package mail_test

import "testing"

// TestHeldOut22 reads the blind corpus heldout22 (see its README) and logs
// each miss: it was scored blind and the rules are not fitted to it, so its
// misses are what is left to do, not regressions. TestCorpusScore holds it
// at the score it was found at with the shipped model.
func TestHeldOut22(t *testing.T) { checkCorpusLog(t, "testdata/heldout22") }
