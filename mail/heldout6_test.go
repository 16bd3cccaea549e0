package mail_test

import "testing"

// TestHeldOut6 reads the blind corpus heldout6 and logs each miss (see its README).
func TestHeldOut6(t *testing.T) { checkCorpusLog(t, "testdata/heldout6") }
