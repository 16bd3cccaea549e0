package mail_test

import "testing"

// TestHeldOut5 reads the blind corpus heldout5 and checks every case (fitted: see its README).
func TestHeldOut5(t *testing.T) { checkCorpus(t, "testdata/heldout5") }
