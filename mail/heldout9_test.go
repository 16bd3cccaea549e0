package mail_test

import "testing"

// TestHeldOut9 reads the blind corpus heldout9 (see its README): written
// without reading the parser, not yet scored.
func TestHeldOut9(t *testing.T) { checkCorpus(t, "testdata/heldout9") }
