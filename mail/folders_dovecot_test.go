package mail_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// dovecotServer is Debian's Dovecot, started by a test on a loopback port
// with one user, who reads mail over IMAP with a password and no TLS.
type dovecotServer struct {
	addr string
	home string // the user's home; the mail is under home/Maildir
}

const dovecotUser, dovecotPass = "desk", "desk-password"

// startDovecot starts Dovecot with the given mail_location and extra
// configuration (a namespace, say), in the foreground, stopped when the
// test ends. Without Dovecot the test is skipped, unless CI is set.
func startDovecot(t *testing.T, location, extra string) *dovecotServer {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin, err = exec.LookPath("/usr/sbin/dovecot")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("dovecot is not installed (apt-get install dovecot-imapd), and CI must not skip this test")
		}
		t.Skip("dovecot is not installed (apt-get install dovecot-imapd)")
	}
	// Dovecot's unprivileged processes must reach the folder: not
	// t.TempDir(), whose parent only its owner may enter.
	dir, err := os.MkdirTemp("", "refunddesk-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	home := filepath.Join(dir, "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	// Dovecot refuses mail owned by root: as root, the mail is nobody's.
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	uid, gid, users := me.Uid, me.Gid, ""
	if os.Geteuid() == 0 {
		nobody, err := user.Lookup("nobody")
		if err != nil {
			t.Fatal(err)
		}
		uid, gid = nobody.Uid, nobody.Gid
		u, _ := strconv.Atoi(uid)
		g, _ := strconv.Atoi(gid)
		if err := os.Chown(home, u, g); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	} else {
		// Not root: every Dovecot process runs as this user.
		users = fmt.Sprintf("default_internal_user = %s\ndefault_login_user = %s\n", me.Username, me.Username)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	passwd := filepath.Join(dir, "passwd")
	if err := os.WriteFile(passwd, []byte(fmt.Sprintf("%s:{PLAIN}%s:%s:%s::%s\n", dovecotUser, dovecotPass, uid, gid, home)), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "dovecot.conf")
	logPath := filepath.Join(dir, "dovecot.log")
	text := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[2]s
instance_name = refunddesk-test-%[3]d
%[4]slisten = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
first_valid_gid = 1
mail_location = %[5]s
passdb {
  driver = passwd-file
  args = %[6]s
}
userdb {
  driver = passwd-file
  args = %[6]s
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = %[3]d
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
%[7]s
`, dir, logPath, port, users, location, passwd, extra)
	if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd := exec.Command(bin, "-F", "-c", conf)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	failed := func(why string) {
		t.Helper()
		logs, _ := os.ReadFile(logPath)
		t.Fatalf("dovecot %s\n%s\n%s", why, out.String(), logs)
	}
	// Wait until it listens (a start, not a measure: Dovecot takes a few
	// milliseconds; the bound is only for a Dovecot that hangs).
	for deadline := time.Now().Add(15 * time.Second); ; {
		select {
		case <-exited:
			failed("exited")
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			failed("does not listen on " + addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &dovecotServer{addr: addr, home: home}
}

// login logs in as the desk's user, as a mail client would.
func (d *dovecotServer) login(t *testing.T) *imapclient.Client {
	t.Helper()
	return loginIMAP(t, d.addr, dovecotUser, dovecotPass)
}

func (d *dovecotServer) append(t *testing.T, folder, raw string) {
	t.Helper()
	c := d.login(t)
	cmd := c.Append(folder, int64(len(raw)), nil)
	_, err := cmd.Write([]byte(raw))
	if err == nil {
		err = cmd.Close()
	}
	if _, werr := cmd.Wait(); err == nil {
		err = werr
	}
	if err != nil {
		t.Fatalf("append to %s: %v", folder, err)
	}
	_ = c.Logout().Wait()
}

// folders lists the user's folders, with the messages in each.
func (d *dovecotServer) folders(t *testing.T) map[string]int {
	t.Helper()
	c := d.login(t)
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, l := range list {
		if slices.Contains(l.Attrs, imap.MailboxAttrNonExistent) || slices.Contains(l.Attrs, imap.MailboxAttrNoSelect) {
			continue
		}
		st, err := c.Status(l.Mailbox, &imap.StatusOptions{NumMessages: true}).Wait()
		if err != nil {
			t.Fatal(err)
		}
		out[l.Mailbox] = int(*st.NumMessages)
	}
	_ = c.Logout().Wait()
	return out
}

// desk is the desk's side: a store, the intake, and a fetcher for the server.
type dovecotDesk struct {
	svc    *tickets.Service
	intake *mail.Intake
	srv    *dovecotServer
}

func newDovecotDesk(t *testing.T, srv *dovecotServer) *dovecotDesk {
	t.Helper()
	clock := storetest.NewClock(time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC))
	svc := tickets.NewService(openStore(t, storetest.Dialects()[0], clock), tickets.Options{Clock: clock})
	if _, err := svc.Records.ImportPromotions(t.Context(), strings.NewReader(records), tickets.ImportOptions{File: "records.csv"}); err != nil {
		t.Fatal(err)
	}
	return &dovecotDesk{svc: svc, intake: mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Catalog: testCatalog(t)}, nil), srv: srv}
}

func (d *dovecotDesk) fetcher(processed, failed string) *mail.Fetcher {
	return mail.NewFetcher(mail.IMAPConfig{Address: d.srv.addr, TLS: "none", Username: dovecotUser, Password: dovecotPass,
		ProcessedFolder: processed, FailedFolder: failed}, d.intake, d.svc, nil)
}

// The default folders work unchanged on Dovecot's layouts: Maildir++
// (separator "."), the fs layout ("/"), and personal folders under an INBOX.
// prefix; the desk takes a mail in and moves it to the server's name of
// refunddesk/processed.
func TestFoldersOnDovecot(t *testing.T) {
	for _, c := range []struct {
		name, location, extra   string
		delim, prefix           string
		processed, failed, done string // done: the server's name of refunddesk/done
	}{
		{"maildir++", "maildir:~/Maildir", "", ".", "", "refunddesk.processed", "refunddesk.unprocessed", "refunddesk.done"},
		{"fs", "maildir:~/Maildir:LAYOUT=fs", "", "/", "", "refunddesk/processed", "refunddesk/unprocessed", "refunddesk/done"},
		{"inbox-prefix", "maildir:~/Maildir", "namespace inbox {\n  prefix = INBOX.\n  separator = .\n  inbox = yes\n}\n", ".", "INBOX.",
			"INBOX.refunddesk.processed", "INBOX.refunddesk.unprocessed", "INBOX.refunddesk.done"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case has its own Dovecot and store
			srv := startDovecot(t, c.location, c.extra)
			d := newDovecotDesk(t, srv)
			srv.append(t, "INBOX", request("dove1"))
			f := d.fetcher("", "")
			st, err := f.RunOnce(t.Context())
			if err != nil || st.Fetched != 1 || st.Created != 1 {
				t.Fatalf("%+v, %v", st, err)
			}
			got := srv.folders(t)
			want := map[string]int{"INBOX": 0, c.processed: 1, c.failed: 0}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("folders %v, want %v", got, want)
			}
			layout, err := f.Inspect(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if layout.Delim != c.delim || layout.Namespace != c.prefix || !layout.NamespaceKnown || layout.Folders[0].Name != "INBOX" ||
				layout.Folders[1].Name != c.processed || layout.Folders[2].Name != c.failed || layout.Folders[1].Note != "" {
				t.Fatalf("%+v", layout)
			}
			// Written with the prefix already, a name is not prefixed twice.
			layout, err = d.fetcher("INBOX/refunddesk/done", "").Inspect(t.Context())
			done := "INBOX." + strings.TrimPrefix(c.done, "INBOX.")
			if c.prefix == "" {
				done = "INBOX" + c.delim + c.done
			}
			if err != nil || layout.Folders[1].Name != done || layout.Folders[1].Note != "created" {
				t.Fatalf("INBOX/refunddesk/done: %+v, %v; want %s", layout, err, done)
			}
			// A level that holds the server's separator is refused, and
			// names the key.
			_, err = d.fetcher("", "a.b/x").Inspect(t.Context())
			if c.delim == "." {
				if err == nil || !strings.Contains(err.Error(), `mail.imap.failed_folder "a.b/x": has the level "a.b", which holds the server's hierarchy separator "."`) {
					t.Fatalf("a.b/x: %v", err)
				}
			} else if err != nil {
				t.Fatalf("a.b/x on a / server: %v", err)
			}
		})
	}
}

// On a Maildir++ Dovecot: a non-ASCII name goes over the wire in modified
// UTF-7 (Dovecot keeps that form in its folder names on disk); a folder
// that exists under another case is used, not doubled; and special-use
// folders are found by their use, or the error names the key.
func TestDovecotFolderNames(t *testing.T) {
	srv := startDovecot(t, "maildir:~/Maildir", `namespace inbox {
  inbox = yes
  mailbox Archive {
    special_use = \Archive
    auto = create
  }
  mailbox Junk {
    special_use = \Junk
  }
}
`)
	d := newDovecotDesk(t, srv)
	c := srv.login(t)
	if err := c.Create("Refunddesk.Unprocessed", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	_ = c.Logout().Wait()
	srv.append(t, "INBOX", request("dove2"))
	f := d.fetcher("refunddesk/erledigt-ü", "")
	if st, err := f.RunOnce(t.Context()); err != nil || st.Fetched != 1 {
		t.Fatalf("%+v, %v", st, err)
	}
	if _, err := os.Stat(filepath.Join(srv.home, "Maildir", ".refunddesk.erledigt-&APw-")); err != nil {
		t.Fatalf("the folder is not named in modified UTF-7 on the server: %v", err)
	}
	got := srv.folders(t)
	want := map[string]int{"INBOX": 0, "Archive": 0, "refunddesk.erledigt-ü": 1, "Refunddesk.Unprocessed": 0}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("folders %v, want %v", got, want)
	}

	srv.append(t, "INBOX", request("dove3"))
	f = d.fetcher(`\Archive`, "")
	if st, err := f.RunOnce(t.Context()); err != nil || st.Fetched != 1 {
		t.Fatalf("%+v, %v", st, err)
	}
	if n := srv.folders(t)["Archive"]; n != 1 {
		t.Fatalf("Archive holds %d", n)
	}
	layout, err := f.Inspect(t.Context())
	if err != nil || layout.Folders[1].Name != "Archive" || layout.Folders[1].Note != `special use \Archive` {
		t.Fatalf("%+v, %v", layout, err)
	}
	_, err = d.fetcher("", `\Junk`).Inspect(t.Context())
	if err == nil || !strings.Contains(err.Error(), `mail.imap.failed_folder "\\Junk": the server marks no folder as \Junk (it marks \Archive Archive)`) {
		t.Fatalf("no Junk folder: %v", err)
	}
}
