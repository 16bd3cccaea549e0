package web_test

import (
	"strings"
	"testing"

	"refunddesk/web"
)

// A hash checks its own password only, keeps its parameters, and one that
// cannot be read is an error, never a match.
func TestPasswordHash(t *testing.T) {
	h, err := web.HashPassword("correct horse battery", cheap)
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q %v", h, err)
	}
	if h2, _ := web.HashPassword("correct horse battery", cheap); h2 == h {
		t.Fatal("two hashes of one password are the same: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batter": false, "": false} {
		if ok, err := web.CheckPassword(h, pw); ok != want || err != nil {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=18$m=64,t=1,p=1$c2FsdA$aGFzaA",
		"$argon2id$v=19$m=0,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$"} {
		if ok, err := web.CheckPassword(bad, "x"); ok || err == nil {
			t.Errorf("CheckPassword on %q: %v, %v; want an error", bad, ok, err)
		}
	}
}

// BenchmarkCheckPassword is what a sign-in costs with the default
// parameters (19 MiB, two passes, one lane).
func BenchmarkCheckPassword(b *testing.B) {
	h, err := web.HashPassword("correct horse battery", web.DefaultHashParams)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := web.CheckPassword(h, "correct horse battery"); !ok {
			b.Fatal("no match")
		}
	}
}
