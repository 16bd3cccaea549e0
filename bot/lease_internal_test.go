package bot

import (
	"testing"
	"time"
)

// Each sender's outbox lease outlasts the REST calls one of its messages
// can make, every try of each: a message is not claimed by another sender
// while this one is still sending it.
func TestLeasesOutlastSends(t *testing.T) {
	perCall := restTimeout * (1 + restRetries)
	for _, c := range []struct {
		name  string
		lease time.Duration
		calls int
	}{{"direct message", dmLease, 3}, {"card and alert", cardLease, 2}} {
		if need := perCall * time.Duration(c.calls); c.lease <= need {
			t.Errorf("%s lease %v: not longer than %d calls (%v)", c.name, c.lease, c.calls, need)
		}
	}
}
