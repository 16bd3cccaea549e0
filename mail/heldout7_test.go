package mail_test

import "testing"

// TestHeldOut7 reads the blind corpus heldout7 and logs each miss (see its README).
func TestHeldOut7(t *testing.T) { checkCorpus(t, "testdata/heldout7") }
