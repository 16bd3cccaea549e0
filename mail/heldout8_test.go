package mail_test

import "testing"

// TestHeldOut8 reads the blind corpus heldout8 and logs each miss (see its README).
func TestHeldOut8(t *testing.T) { checkCorpus(t, "testdata/heldout8") }
