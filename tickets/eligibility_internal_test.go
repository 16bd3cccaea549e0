package tickets

import "time"

// evalTimePtr is for the records tests inside the package; the eligibility
// tests (outside it) have their own.
func evalTimePtr(t time.Time) *time.Time { return &t }
