package web

import "testing"

// The failures page shows one problem of several fields: always the same
// one (the first field by name), whatever order the map gives.
func TestFirstProblemDeterministic(t *testing.T) {
	errs := map[string]string{"ids": "no such message", "all": "say which", "status": "not failed", "id": "a number"}
	for i := 0; i < 50; i++ {
		if got := firstProblem(errs); got != "say which" {
			t.Fatalf("round %d: %q, want the first field's (all)", i, got)
		}
	}
	if got := firstProblem(nil); got != "" {
		t.Fatalf("no problems: %q", got)
	}
}
