package mailtest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder stands in for a test: it records a skip or a failure.
type recorder struct{ skipped, failed string }

func (r *recorder) Helper()                        {}
func (r *recorder) Fatalf(format string, a ...any) { r.failed = fmt.Sprintf(format, a...) }
func (r *recorder) Skip(a ...any)                  { r.skipped = fmt.Sprint(a...) }

// A missing server skips the test on a newcomer's machine and fails it in
// CI, where it must run.
func TestMissingServerSkipsOrFails(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		fail bool
	}{
		{env: nil},
		{env: map[string]string{"CI": ""}},
		{env: map[string]string{"REFUNDDESK_REQUIRE_MAILSERVERS": "0"}},
		{env: map[string]string{"CI": "true"}, fail: true},
		{env: map[string]string{"CI": "1"}, fail: true},
		{env: map[string]string{"REFUNDDESK_REQUIRE_MAILSERVERS": "1"}, fail: true},
	} {
		r := &recorder{}
		getenv := func(k string) string { return tc.env[k] }
		missing(r, getenv, "dovecot not installed: "+installDovecot)
		if tc.fail {
			if r.failed == "" || r.skipped != "" || !strings.Contains(r.failed, "dovecot not installed: apt-get install dovecot-imapd dovecot-lmtpd") {
				t.Errorf("env %v: skipped %q, failed %q; want a failure naming the packages", tc.env, r.skipped, r.failed)
			}
		} else if r.skipped != "dovecot not installed: apt-get install dovecot-imapd dovecot-lmtpd" || r.failed != "" {
			t.Errorf("env %v: skipped %q, failed %q; want a skip naming the packages", tc.env, r.skipped, r.failed)
		}
		if Required(getenv) != tc.fail {
			t.Errorf("env %v: Required = %v", tc.env, !tc.fail)
		}
	}
}
