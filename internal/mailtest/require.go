package mailtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The packages that give the servers, named in the message of a skip.
const (
	installDovecot = "apt-get install dovecot-imapd dovecot-lmtpd"
	installPostfix = "apt-get install postfix"
)

// Required reports whether a missing mail server fails the test instead of
// skipping it: in CI (CI set to anything) or with
// REFUNDDESK_REQUIRE_MAILSERVERS=1.
func Required(getenv func(string) string) bool {
	return getenv("CI") != "" || getenv("REFUNDDESK_REQUIRE_MAILSERVERS") == "1"
}

// skipper is the part of testing.TB that missing uses.
type skipper interface {
	Helper()
	Fatalf(format string, args ...any)
	Skip(args ...any)
}

// missing skips t with why, or fails it when the servers are required.
func missing(t skipper, getenv func(string) string, why string) {
	t.Helper()
	if Required(getenv) {
		t.Fatalf("%s (required here: CI or REFUNDDESK_REQUIRE_MAILSERVERS is set)", why)
		return
	}
	t.Skip(why)
}

// dovecotPaths are the programs a Dovecot instance runs: the server,
// doveadm, and LMTP's service binary ("" when dovecot-lmtpd is absent).
type dovecotPaths struct {
	dovecot, doveadm, lmtp string
}

// findDovecot finds Dovecot, or skips (fails in CI) t.
func findDovecot(t testing.TB, needLMTP bool) dovecotPaths {
	t.Helper()
	var p dovecotPaths
	var err error
	if p.dovecot, err = exec.LookPath("dovecot"); err != nil {
		p.dovecot, err = lookSbin("dovecot")
	}
	if err != nil {
		missing(t, os.Getenv, "dovecot not installed: "+installDovecot)
	}
	if p.doveadm, err = exec.LookPath("doveadm"); err != nil {
		missing(t, os.Getenv, "doveadm not found (dovecot-core): "+installDovecot)
	}
	// Where Debian (and most distributions) keep Dovecot's service binaries.
	for _, dir := range []string{"/usr/lib/dovecot", "/usr/libexec/dovecot"} {
		if _, err := os.Stat(filepath.Join(dir, "lmtp")); err == nil {
			p.lmtp = filepath.Join(dir, "lmtp")
			break
		}
	}
	if needLMTP && p.lmtp == "" {
		missing(t, os.Getenv, "dovecot-lmtpd not installed (Postfix delivers into Dovecot over LMTP): "+installDovecot)
	}
	needRoot(t)
	return p
}

// findPostfix finds Postfix, or skips (fails in CI) t.
func findPostfix(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("postfix")
	if err != nil {
		p, err = lookSbin("postfix")
	}
	if err != nil {
		missing(t, os.Getenv, "postfix not installed: "+installPostfix)
	}
	needRoot(t)
	return p
}

// needRoot: the servers start as root and hand mail to an unprivileged user.
func needRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, os.Getenv, "the private Dovecot and Postfix instances need root (they run mail as nobody)")
	}
}

// lookSbin finds a program in /usr/sbin, which a user's PATH may lack.
func lookSbin(name string) (string, error) {
	return exec.LookPath(filepath.Join("/usr/sbin", name))
}
