package mail_test

import "testing"

// TestHeldOut10 reads the blind corpus heldout10 (see its README).
func TestHeldOut10(t *testing.T) { checkCorpus(t, "testdata/heldout10") }
