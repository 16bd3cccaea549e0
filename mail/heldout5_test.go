package mail_test

import "testing"

// TestHeldOut5 reads the blind corpus heldout5 and logs each miss (see its README).
func TestHeldOut5(t *testing.T) { checkCorpusLog(t, "testdata/heldout5") }
