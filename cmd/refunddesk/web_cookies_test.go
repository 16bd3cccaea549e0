package main

import "testing"

// serve warns at start-up when the console's cookies may travel in clear:
// not Secure, and a listener beyond loopback.
func TestPlainCookiesWarning(t *testing.T) {
	for _, tc := range []struct {
		c       WebConfig
		address string
		want    bool
	}{
		{WebConfig{}, "127.0.0.1:8080", false},
		{WebConfig{}, "[::1]:8080", false},
		{WebConfig{}, "localhost:8080", false},
		{WebConfig{}, ":8080", true},
		{WebConfig{}, "0.0.0.0:8080", true},
		{WebConfig{}, "192.0.2.10:8080", true},
		{WebConfig{}, "[2001:db8::1]:8080", true},
		{WebConfig{}, "desk.example.com:8080", true},
		{WebConfig{SecureCookies: true}, ":8080", false},
		{WebConfig{TrustProxy: true}, ":8080", false},
		{WebConfig{Disabled: true}, ":8080", false},
	} {
		if got := plainCookies(tc.c, tc.address); got != tc.want {
			t.Errorf("%+v on %s: %v, want %v", tc.c, tc.address, got, tc.want)
		}
	}
}
