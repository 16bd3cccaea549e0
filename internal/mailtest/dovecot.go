package mailtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
)

// Layout is how Dovecot stores folders on disk, which decides the hierarchy
// separator clients see.
type Layout int

const (
	// Maildir is Dovecot's stock Maildir++ (`maildir:~/Maildir`): folders
	// are ".a.b" directories and the separator is ".".
	Maildir Layout = iota
	// MaildirFS is `maildir:~/Maildir:LAYOUT=fs`: folders are nested
	// directories and the separator is "/".
	MaildirFS
)

func (l Layout) String() string {
	if l == MaildirFS {
		return "LAYOUT=fs"
	}
	return "Maildir++"
}

// Separator is the hierarchy separator the layout shows over IMAP.
func (l Layout) Separator() string {
	if l == MaildirFS {
		return "/"
	}
	return "."
}

// DovecotOptions shape a Dovecot instance.
type DovecotOptions struct {
	Layout Layout
	// Prefix is the private namespace's prefix: "INBOX." gives a
	// Cyrus/Courier-style server where every folder lives under INBOX
	// (with the Maildir layout). Empty: folders at the top.
	Prefix string
	// Users are the accounts (address → password); AddUser adds more.
	Users map[string]string
}

// Dovecot is a running private Dovecot instance: IMAP, and LMTP when
// dovecot-lmtpd is installed, on loopback ports.
type Dovecot struct {
	// Addr is the IMAP listener (plain text; LOGIN and AUTH PLAIN work).
	Addr string
	// LMTPAddr is the LMTP listener, "" without dovecot-lmtpd.
	LMTPAddr string
	// Separator is the hierarchy separator, Prefix the namespace prefix.
	Separator, Prefix string
	// Dir holds the configuration, the mail (home/USER/Maildir), the state
	// and dovecot.log.
	Dir string

	conf    string
	paths   dovecotPaths
	uid     string // the mail's owner: uid and gid, as numbers
	gid     string
	cmd     *exec.Cmd
	out     *lockedBuffer // dovecot's own stdout and stderr
	exited  chan struct{} // closed when dovecot has exited
	waitErr error

	mu    sync.Mutex
	users map[string]string
}

// errPortTaken: a free port was taken by someone else before the server
// bound it; starting again on other ports helps.
var errPortTaken = errors.New("port taken")

// StartDovecot starts a private Dovecot (`dovecot -F`) for the test and
// stops it, with its children, when the test ends. It waits until the
// server answers. It skips the test when Dovecot is not installed (fails it
// in CI).
func StartDovecot(t testing.TB, opts DovecotOptions) *Dovecot {
	t.Helper()
	paths := findDovecot(t, false)
	var err error
	for range 3 {
		var d *Dovecot
		if d, err = startDovecot(t, paths, opts); err == nil {
			return d
		}
		if !errors.Is(err, errPortTaken) {
			break
		}
	}
	t.Fatalf("start dovecot: %v", err)
	return nil
}

func startDovecot(t testing.TB, paths dovecotPaths, opts DovecotOptions) (*Dovecot, error) {
	t.Helper()
	nobody, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("the mail's owner: %w", err)
	}
	// Not t.TempDir(): its parent is root's alone (0700), which the mail
	// user and Dovecot's unprivileged services cannot pass, and its long
	// name would push Dovecot's sockets past the 108 bytes of a socket path.
	dir, err := os.MkdirTemp("", "rd-dovecot-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	d := &Dovecot{Dir: dir, conf: filepath.Join(dir, "dovecot.conf"), paths: paths, uid: nobody.Uid, gid: nobody.Gid,
		Separator: opts.Layout.Separator(), Prefix: opts.Prefix, out: &lockedBuffer{}, exited: make(chan struct{}),
		users: map[string]string{}}
	for _, sub := range []string{"run", "state", "home"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	if err := chown(filepath.Join(dir, "home"), d.uid, d.gid); err != nil {
		return nil, err
	}
	for u, p := range opts.Users {
		d.users[u] = p
	}
	if err := d.writeUsers(); err != nil {
		return nil, err
	}
	imapPort, err := freePort()
	if err != nil {
		return nil, err
	}
	d.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(imapPort))
	lmtpPort := 0
	if paths.lmtp != "" {
		if lmtpPort, err = freePort(); err != nil {
			return nil, err
		}
		d.LMTPAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(lmtpPort))
	}
	if err := os.WriteFile(d.conf, []byte(d.config(opts, imapPort, lmtpPort)), 0o644); err != nil {
		return nil, err
	}

	d.cmd = exec.Command(paths.dovecot, "-F", "-c", d.conf)
	d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
	// Its own process group, so that the stop reaches every child; and
	// killed with the test binary should that die first.
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := d.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", paths.dovecot, err)
	}
	go func() {
		d.waitErr = d.cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(d.stop)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("dovecot %s (%s):\n%s%s", d.Addr, opts.Layout, d.out.String(), d.Log())
		}
	})
	if err := d.waitReady(10 * time.Second); err != nil {
		d.stop()
		if strings.Contains(d.out.String()+d.Log(), "Address already in use") {
			return nil, fmt.Errorf("%w: %v", errPortTaken, err)
		}
		return nil, fmt.Errorf("%w\n%s%s", err, d.out.String(), d.Log())
	}
	return d, nil
}

func (d *Dovecot) config(opts DovecotOptions, imapPort, lmtpPort int) string {
	location := "maildir:~/Maildir"
	if opts.Layout == MaildirFS {
		location += ":LAYOUT=fs"
	}
	protocols := "imap"
	lmtp := ""
	if lmtpPort != 0 {
		protocols += " lmtp"
		lmtp = fmt.Sprintf(`service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %d
  }
  unix_listener lmtp {
    mode = 0
  }
}
protocol lmtp {
  postmaster_address = postmaster@example.test
}
`, lmtpPort)
	}
	return fmt.Sprintf(`# A private Dovecot for tests (refunddesk/internal/mailtest).
base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
instance_name = rd-dovecot-%[2]d
listen = 127.0.0.1
protocols = %[3]s
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
mail_location = %[4]s
mail_uid = %[5]s
mail_gid = %[6]s
mail_fsync = never
mail_max_userip_connections = 100
namespace inbox {
  inbox = yes
  separator = %[7]s
  prefix = %[8]s
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%%u %[1]s/passwd
  default_fields = uid=%[5]s gid=%[6]s home=%[1]s/home/%%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
}
%[9]s`, d.Dir, imapPort, protocols, location, d.uid, d.gid, opts.Layout.Separator(), opts.Prefix, lmtp)
}

// waitReady waits until IMAP (and LMTP) greet.
func (d *Dovecot) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for _, l := range []struct{ addr, greeting string }{{d.Addr, "* OK"}, {d.LMTPAddr, "220 "}} {
		if l.addr == "" {
			continue
		}
		if err := waitGreeting(l.addr, l.greeting, deadline, d.exited); err != nil {
			return err
		}
	}
	return nil
}

// waitGreeting polls addr until a server there sends a line starting with
// greeting, the deadline passes, or the server's process ends.
func waitGreeting(addr, greeting string, deadline time.Time, exited <-chan struct{}) error {
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return fmt.Errorf("the server exited before answering on %s", addr)
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.SetDeadline(time.Now().Add(2 * time.Second))
			var line string
			line, err = bufio.NewReader(conn).ReadString('\n')
			conn.Close()
			if err == nil && strings.HasPrefix(line, greeting) {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("greeting %q", strings.TrimSpace(line))
			}
		}
		last = err
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("no answer on %s: %v", addr, last)
}

// stop ends Dovecot and what it started: SIGTERM to the master, and after
// a moment (Dovecot gives its children a second) SIGKILL to the process
// group for whatever is left. The mail is the test's, which is over.
func (d *Dovecot) stop() {
	if d.cmd == nil || d.cmd.Process == nil {
		return
	}
	_ = d.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-d.exited:
	case <-time.After(200 * time.Millisecond):
	}
	_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
	<-d.exited
}

// Log is Dovecot's log so far.
func (d *Dovecot) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.Dir, "dovecot.log"))
	return string(b)
}

// AddUser adds (or changes) an account; Dovecot reads the user file again
// on its next login.
func (d *Dovecot) AddUser(name, password string) error {
	if strings.ContainsAny(name+password, ":\n") {
		return fmt.Errorf("add user %q: no ':' or newline in a name or password", name)
	}
	d.mu.Lock()
	d.users[name] = password
	d.mu.Unlock()
	return d.writeUsers()
}

// Password is the password of an account ("" for none).
func (d *Dovecot) Password(name string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.users[name]
}

func (d *Dovecot) writeUsers() error {
	d.mu.Lock()
	names := make([]string, 0, len(d.users))
	for u := range d.users {
		names = append(names, u)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, u := range names {
		fmt.Fprintf(&b, "%s:{PLAIN}%s::::::\n", u, d.users[u])
	}
	d.mu.Unlock()
	tmp := filepath.Join(d.Dir, "passwd.new")
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(d.Dir, "passwd"))
}

// Folder is name as the server spells it: under the namespace prefix, with
// the server's separator in place of "/".
func (d *Dovecot) Folder(name string) string {
	if strings.EqualFold(name, "INBOX") {
		return "INBOX"
	}
	return d.Prefix + strings.ReplaceAll(name, "/", d.Separator)
}

// Deliver delivers mails to an account's INBOX as a mail server would: over
// LMTP in one session (the envelope sender is the mail's From), or with
// `doveadm save` without dovecot-lmtpd.
func (d *Dovecot) Deliver(name string, raws ...[]byte) error {
	if d.LMTPAddr == "" {
		for i, raw := range raws {
			cmd := exec.Command(d.paths.doveadm, "-c", d.conf, "save", "-u", name)
			cmd.Stdin = bytes.NewReader(raw)
			if out, err := cmd.CombinedOutput(); err != nil {
				return fmt.Errorf("doveadm save (mail %d of %d): %w: %s", i+1, len(raws), err, out)
			}
		}
		return nil
	}
	conn, err := net.DialTimeout("tcp", d.LMTPAddr, 5*time.Second)
	if err != nil {
		return fmt.Errorf("lmtp: %w", err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("lmtp: %w", err)
	}
	for i, raw := range raws {
		if err := c.SendMail(envelopeFrom(raw), []string{name}, bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("lmtp: mail %d of %d to %s: %w", i+1, len(raws), name, err)
		}
	}
	return c.Quit()
}

// envelopeFrom is the address in a mail's From header ("" when there is
// none, as for a bounce).
func envelopeFrom(raw []byte) string {
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	a, err := netmail.ParseAddress(m.Header.Get("From"))
	if err != nil {
		return ""
	}
	return a.Address
}

// login opens an IMAP session as an account.
func (d *Dovecot) login(name string) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(d.Addr, &imapclient.Options{Dialer: &net.Dialer{Timeout: 5 * time.Second}})
	if err != nil {
		return nil, err
	}
	if err := c.Login(name, d.Password(name)).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", name, err)
	}
	return c, nil
}

// Append stores mails in an account's folder (as the server names it) over
// IMAP, byte for byte, creating the folder if needed.
func (d *Dovecot) Append(name, folder string, raws ...[]byte) error {
	c, err := d.login(name)
	if err != nil {
		return err
	}
	defer c.Close()
	if !strings.EqualFold(folder, "INBOX") {
		if err := c.Create(folder, nil).Wait(); err != nil && !strings.Contains(err.Error(), "ALREADYEXISTS") &&
			!strings.Contains(err.Error(), "already exists") {
			return fmt.Errorf("create %s: %w", folder, err)
		}
	}
	for i, raw := range raws {
		cmd := c.Append(folder, int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			return fmt.Errorf("append %d of %d to %s: %w", i+1, len(raws), folder, err)
		}
		if err := cmd.Close(); err != nil {
			return fmt.Errorf("append %d of %d to %s: %w", i+1, len(raws), folder, err)
		}
		if _, err := cmd.Wait(); err != nil {
			return fmt.Errorf("append %d of %d to %s: %w", i+1, len(raws), folder, err)
		}
	}
	return c.Logout().Wait()
}

// Messages returns the mails in an account's folder (as the server names
// it), in UID order, without marking them seen. A folder that does not
// exist is an error.
func (d *Dovecot) Messages(name, folder string) ([][]byte, error) {
	c, err := d.login(name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		return nil, fmt.Errorf("select %s: %w", folder, err)
	}
	var out [][]byte
	if sel.NumMessages > 0 {
		section := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}},
			&imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", folder, err)
		}
		sort.Slice(msgs, func(i, j int) bool { return msgs[i].UID < msgs[j].UID })
		for _, m := range msgs {
			out = append(out, m.FindBodySection(section))
		}
	}
	return out, c.Logout().Wait()
}

// Folders lists an account's folders as the server names them.
func (d *Dovecot) Folders(name string) ([]string, error) {
	c, err := d.login(name)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range list {
		out = append(out, l.Mailbox)
	}
	sort.Strings(out)
	return out, c.Logout().Wait()
}

// Counts is the number of mails in a folder (as the server names it) of
// every account that has it, by one `doveadm mailbox status -A`.
func (d *Dovecot) Counts(folder string) (map[string]int, error) {
	out, err := d.Doveadm("-f", "tab", "mailbox", "status", "-A", "messages", folder)
	if err != nil {
		return nil, err
	}
	// A header line, then one line per account: username, mailbox, messages.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) == 0 || !strings.EqualFold(strings.Fields(lines[0])[0], "username") {
		return nil, fmt.Errorf("doveadm mailbox status -A: %q", out)
	}
	counts := map[string]int{}
	for _, line := range lines[1:] {
		f := strings.Split(line, "\t")
		n, err := strconv.Atoi(strings.TrimSpace(f[len(f)-1]))
		if len(f) != 3 || err != nil {
			return nil, fmt.Errorf("doveadm mailbox status -A: %q", line)
		}
		counts[f[0]] = n
	}
	return counts, nil
}

// Sessions are the process ids of an account's IMAP sessions
// (`doveadm who`): a test can stop one (SIGSTOP) to hold a client between
// two commands. Asking takes no mailbox lock, so it works while a session
// is stopped.
func (d *Dovecot) Sessions(name string) ([]int, error) {
	out, err := d.Doveadm("-f", "tab", "who", "-1")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Split(line, "\t") // username, proto, pid, ip
		if len(f) < 3 || f[0] != name || f[1] != "imap" {
			continue
		}
		pid, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, fmt.Errorf("doveadm who: %q", line)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// Doveadm runs `doveadm -c CONF args...` and returns its output.
func (d *Dovecot) Doveadm(args ...string) (string, error) {
	cmd := exec.Command(d.paths.doveadm, append([]string{"-c", d.conf}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return string(out), fmt.Errorf("doveadm %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// UIDValidity is a folder's UIDVALIDITY.
func (d *Dovecot) UIDValidity(name, folder string) (uint32, error) {
	out, err := d.Doveadm("-f", "flow", "mailbox", "status", "-u", name, "uidvalidity", folder)
	if err != nil {
		return 0, err
	}
	for _, f := range strings.Fields(out) {
		if v, ok := strings.CutPrefix(f, "uidvalidity="); ok {
			n, err := strconv.ParseUint(v, 10, 32)
			return uint32(n), err
		}
	}
	return 0, fmt.Errorf("doveadm mailbox status: no uidvalidity in %q", out)
}

// SetUIDValidity gives a folder a new UIDVALIDITY
// (`doveadm mailbox update --uid-validity`); its UIDs go on as before.
func (d *Dovecot) SetUIDValidity(name, folder string, n uint32) error {
	_, err := d.Doveadm("mailbox", "update", "-u", name, "--uid-validity", strconv.FormatUint(uint64(n), 10), folder)
	return err
}

// RenumberUIDs makes Dovecot forget a folder's UIDs, as a server whose
// index was rebuilt or whose mail was migrated: the folder gets a new
// UIDVALIDITY and its mails UIDs from 1 again. No session may have the
// folder open meanwhile.
func (d *Dovecot) RenumberUIDs(name, folder string) error {
	before, err := d.UIDValidity(name, folder)
	if err != nil {
		return err
	}
	dirs := map[string]bool{}
	for _, kind := range []string{"control", "index"} {
		out, err := d.Doveadm("mailbox", "path", "-u", name, "-t", kind, folder)
		if err != nil {
			return err
		}
		dirs[strings.TrimSpace(out)] = true
	}
	for dir := range dirs {
		for _, pattern := range []string{"dovecot-uidlist", "dovecot.index", "dovecot.index.log*", "dovecot.index.cache"} {
			files, _ := filepath.Glob(filepath.Join(dir, pattern))
			for _, f := range files {
				if err := os.Remove(f); err != nil {
					return err
				}
			}
		}
	}
	after, err := d.UIDValidity(name, folder)
	if err != nil {
		return err
	}
	if after == before {
		return d.SetUIDValidity(name, folder, before+1)
	}
	return nil
}

// chown gives path to the mail's owner (numeric uid and gid).
func chown(path, uid, gid string) error {
	u, err := strconv.Atoi(uid)
	if err != nil {
		return err
	}
	g, err := strconv.Atoi(gid)
	if err != nil {
		return err
	}
	return os.Chown(path, u, g)
}

// freePort is a loopback port nobody listened on a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// lockedBuffer is a bytes.Buffer a server's process writes while a test
// reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
