package mail_test

import "testing"

// TestHeldOut12 reads the blind corpus heldout12 (see its README): written
// without reading the parser, not yet scored.
func TestHeldOut12(t *testing.T) { checkCorpus(t, "testdata/heldout12") }
