package web

import "time"

// SetCheckHook makes s call hook while each password is checked (holding
// its place), and wait at most wait for a place.
func SetCheckHook(s *Server, hook func(), wait time.Duration) {
	s.checkHook, s.checkWait = hook, wait
}
