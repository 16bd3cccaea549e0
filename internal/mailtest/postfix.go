package mailtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// PostfixOptions shape a Postfix instance.
type PostfixOptions struct {
	// Dovecot receives, over LMTP, the mail of Domains. Required.
	Dovecot *Dovecot
	// Domains are delivered into Dovecot (virtual_mailbox_domains);
	// default example.test. Mail to other domains is refused (no relay).
	Domains []string
	// Hostname is myhostname; default mail.example.test.
	Hostname string
	// Main adds (or overrides) main.cf settings, e.g. message_size_limit.
	Main map[string]string
}

// Postfix is a running private Postfix instance with an smtpd on a
// loopback port. Clients on 127.0.0.0/8 may send to its domains without
// AUTH; they must greet (HELO/EHLO) with a fully-qualified name.
type Postfix struct {
	// Addr is the smtpd listener (plain text, no AUTH).
	Addr string
	// Dir holds conf/ (main.cf, master.cf), queue/, data/ and maillog.
	Dir string

	postfix string
	conf    string
}

// StartPostfix starts a private Postfix (`postfix -c DIR start`) that
// delivers its domains' mail into opts.Dovecot over LMTP, waits until it
// answers, and stops it (`postfix -c DIR stop`) when the test ends. It
// skips the test when Postfix or dovecot-lmtpd is not installed (fails it
// in CI).
func StartPostfix(t testing.TB, opts PostfixOptions) *Postfix {
	t.Helper()
	bin := findPostfix(t)
	if opts.Dovecot == nil {
		t.Fatal("mailtest.StartPostfix: no Dovecot to deliver to")
	}
	if opts.Dovecot.LMTPAddr == "" {
		missing(t, os.Getenv, "dovecot-lmtpd not installed (Postfix delivers into Dovecot over LMTP): "+installDovecot)
	}
	var err error
	for range 3 {
		var p *Postfix
		if p, err = startPostfix(t, bin, opts); err == nil {
			return p
		}
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("start postfix: %v", err)
	return nil
}

func startPostfix(t testing.TB, bin string, opts PostfixOptions) (*Postfix, error) {
	t.Helper()
	owner, err := user.Lookup("postfix") // mail_owner, created by the package
	if err != nil {
		return nil, fmt.Errorf("postfix's mail_owner: %w", err)
	}
	if _, err := user.LookupGroup("postdrop"); err != nil { // setgid_group
		return nil, fmt.Errorf("postfix's setgid_group: %w", err)
	}
	// Not t.TempDir(): Postfix's daemons run as the postfix user and must
	// pass through to the queue and data directories.
	dir, err := os.MkdirTemp("", "rd-postfix-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	p := &Postfix{Dir: dir, postfix: bin, conf: filepath.Join(dir, "conf")}
	if err := os.Mkdir(p.conf, 0o755); err != nil {
		return nil, err
	}
	quick, err := makeQueue(dir, owner)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	p.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	if err := os.WriteFile(filepath.Join(p.conf, "main.cf"), []byte(mainCF(dir, opts)), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(p.conf, "master.cf"), []byte(masterCF(p.Addr)), 0o644); err != nil {
		return nil, err
	}
	// The postfix command waits, in steps of 0.3 s, until the
	// configuration's files are older than the current second (so that a
	// later change is told by their time); files written a moment ago cost
	// 1-2 s of that. They are dated back instead.
	past := time.Now().Add(-10 * time.Second)
	for _, f := range []string{"main.cf", "master.cf"} {
		if err := os.Chtimes(filepath.Join(p.conf, f), past, past); err != nil {
			return nil, err
		}
	}

	t.Cleanup(p.stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("postfix %s:\n%s", p.Addr, p.Log())
		}
	})
	if quick {
		// A queue made just now holds nothing to check: `postfix start`
		// skips its integrity check (seconds of find over the shared
		// files), as it does after a stop.
		if err := os.WriteFile(filepath.Join(dir, "queue", "quick-start"), nil, 0o644); err != nil {
			return nil, err
		}
	}
	if out, err := p.run("start"); err != nil {
		check, _ := p.run("check")
		if strings.Contains(p.Log(), "Address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, fmt.Errorf("postfix start: %w\n%s%s\npostfix check: %s", err, out, p.Log(), check)
	}
	if err := waitGreeting(p.Addr, "220 ", time.Now().Add(10*time.Second), nil); err != nil {
		p.stop()
		if strings.Contains(p.Log(), "Address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, fmt.Errorf("%w\n%s", err, p.Log())
	}
	return p, nil
}

// mainCF is a private instance's main.cf.
func mainCF(dir string, opts PostfixOptions) string {
	domains := opts.Domains
	if len(domains) == 0 {
		domains = []string{"example.test"}
	}
	host := opts.Hostname
	if host == "" {
		host = "mail.example.test"
	}
	settings := map[string]string{
		"compatibility_level": "3.6",
		"queue_directory":     filepath.Join(dir, "queue"),
		"data_directory":      filepath.Join(dir, "data"),
		// Logs go to a file of the instance (by postlogd, in master.cf); a
		// log file must be under one of maillog_file_prefixes.
		"maillog_file":          filepath.Join(dir, "maillog"),
		"maillog_file_prefixes": dir,
		"inet_interfaces":       "127.0.0.1",
		"inet_protocols":        "ipv4",
		"myhostname":            host,
		"mydomain":              domains[0],
		"myorigin":              "$mydomain",
		"mydestination":         "",
		"local_recipient_maps":  "",
		"alias_maps":            "",
		"alias_database":        "",
		"relayhost":             "",
		"mynetworks":            "127.0.0.0/8",
		// No DNS at all: the client's name is not looked up, nor is any
		// destination's.
		"smtp_dns_support_level":  "disabled",
		"smtpd_peername_lookup":   "no",
		"smtpd_helo_required":     "yes",
		"smtpd_helo_restrictions": "reject_non_fqdn_helo_hostname, reject_invalid_helo_hostname",
		"virtual_mailbox_domains": strings.Join(domains, ", "),
		"virtual_transport":       "lmtp:inet:" + opts.Dovecot.LMTPAddr,
		"biff":                    "no",
		// The test waits on mail, not on a queue that is run every few
		// minutes: a deferred mail is tried again within seconds.
		"queue_run_delay":         "1s",
		"minimal_backoff_time":    "1s",
		"maximal_backoff_time":    "2s",
		"message_size_limit":      "52428800",
		"mailbox_size_limit":      "0",
		"virtual_mailbox_limit":   "0",
		"lmtp_connection_timeout": "5s",
	}
	for k, v := range opts.Main {
		settings[k] = v
	}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("# A private Postfix for tests (refunddesk/internal/mailtest).\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s = %s\n", k, settings[k])
	}
	return b.String()
}

// masterCF is a private instance's master.cf: an smtpd on addr, what a
// queue needs, LMTP for delivery, postlogd for the log file; nothing
// chrooted.
func masterCF(addr string) string {
	return `# service type  private unpriv  chroot  wakeup  maxproc command
` + addr + ` inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`
}

// makeQueue makes the instance's queue and data directories with the
// owners and modes the package's manifest (postfix-files) gives them. It
// reports false, having made only the two top directories, when there is
// no manifest: `postfix start` then makes the rest itself, slowly.
func makeQueue(dir string, owner *user.User) (bool, error) {
	queue, data := filepath.Join(dir, "queue"), filepath.Join(dir, "data")
	if err := os.Mkdir(queue, 0o755); err != nil {
		return false, err
	}
	if err := os.Mkdir(data, 0o700); err != nil {
		return false, err
	}
	if err := chown(data, owner.Uid, owner.Gid); err != nil {
		return false, err
	}
	meta := "/etc/postfix"
	if out, err := exec.Command("postconf", "-dh", "meta_directory").Output(); err == nil && len(bytes.TrimSpace(out)) > 0 {
		meta = string(bytes.TrimSpace(out))
	}
	manifest, err := os.ReadFile(filepath.Join(meta, "postfix-files"))
	if err != nil {
		return false, nil
	}
	postdrop, err := user.LookupGroup("postdrop")
	if err != nil {
		return false, err
	}
	made := 0
	for _, line := range strings.Split(string(manifest), "\n") {
		// path:type:owner:group:mode:flags
		f := strings.Split(line, ":")
		if len(f) < 5 || f[1] != "d" || !strings.HasPrefix(f[0], "$queue_directory/") {
			continue
		}
		path := filepath.Join(queue, strings.TrimPrefix(f[0], "$queue_directory/"))
		mode, err := strconv.ParseUint(f[4], 8, 32)
		if err != nil {
			return false, fmt.Errorf("postfix-files: %q: %w", line, err)
		}
		uid, gid := "0", "0"
		if f[2] == "$mail_owner" {
			uid, gid = owner.Uid, "0"
		}
		if f[3] == "$setgid_group" {
			gid = postdrop.Gid
		}
		if err := os.Mkdir(path, 0o700); err != nil {
			return false, err
		}
		if err := chown(path, uid, gid); err != nil {
			return false, err
		}
		if err := os.Chmod(path, os.FileMode(mode)); err != nil {
			return false, err
		}
		made++
	}
	return made > 0, nil
}

// run runs `postfix -c CONF command`.
func (p *Postfix) run(command string) (string, error) {
	out, err := exec.Command(p.postfix, "-c", p.conf, command).CombinedOutput()
	return string(out), err
}

// stop stops the instance as `postfix stop` does, by a SIGTERM to the
// master (which stops its children), and waits until the master has gone
// (`postfix stop` itself checks only once a second). What is left after
// 10 s is killed.
func (p *Postfix) stop() {
	pid := p.masterPID()
	if pid == 0 {
		return
	}
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if alive(pid) {
		_ = syscall.Kill(-pid, syscall.SIGKILL) // the master leads its process group
	}
}

// masterPID is the running master's process id, 0 when none.
func (p *Postfix) masterPID() int {
	b, err := os.ReadFile(filepath.Join(p.Dir, "queue", "pid", "master.pid"))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || !alive(pid) {
		return 0
	}
	return pid
}

// alive: the process exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// pid (comm) STATE ...: the state follows the last ')'.
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] != 'Z'
	}
	return true
}

// Log is Postfix's log so far.
func (p *Postfix) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "maillog"))
	return string(b)
}

// Queue is what waits in Postfix's queue (`postqueue -p`).
func (p *Postfix) Queue() (string, error) {
	out, err := exec.Command("postqueue", "-c", p.conf, "-p").CombinedOutput()
	return string(out), err
}
