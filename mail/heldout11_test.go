package mail_test

import "testing"

// TestHeldOut11 reads the blind corpus heldout11 (see its README): written
// without reading the parser, not yet scored.
func TestHeldOut11(t *testing.T) { checkCorpus(t, "testdata/heldout11") }
