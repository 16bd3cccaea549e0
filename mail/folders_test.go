package mail_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"refunddesk/internal/devmail"
	"refunddesk/internal/storetest"
	"refunddesk/mail"
)

// logBuffer collects a logger's lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// take returns the lines written since the last call.
func (l *logBuffer) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	l.b.Reset()
	return s
}

func loginIMAP(t *testing.T, addr, user, pass string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(user, pass).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// The demo's mail system lives in memory, so a restart loses its mail: its
// folders must get new UIDVALIDITY values, or a client's cursor from the
// run before would skip the first mails of this one. Every response that
// carries a UIDVALIDITY carries the same value for a folder.
func TestDevmailUIDValidityIsNewAtEveryStart(t *testing.T) {
	before := uint32(time.Now().Unix())
	srv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.AddUser(desk, deskPass); err != nil {
		t.Fatal(err)
	}
	after := uint32(time.Now().Unix())
	c := loginIMAP(t, srv.Addr, desk, deskPass)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	// The start's time in seconds: a server started a second later or more
	// gives a greater value (go-imap's in-memory server alone gives 1).
	inbox := sel.UIDValidity
	if inbox < before || inbox > after {
		t.Fatalf("INBOX UIDVALIDITY %d, want the start's time (%d..%d)", inbox, before, after)
	}
	if err := c.Create("done", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status("done", &imap.StatusOptions{UIDValidity: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	done := st.UIDValidity
	if done <= inbox {
		t.Fatalf("done's UIDVALIDITY %d, INBOX's %d", done, inbox)
	}
	for i := range 2 {
		raw := []byte("From: a@example.com\r\nSubject: " + string(rune('a'+i)) + "\r\n\r\nx\r\n")
		app := c.Append("INBOX", int64(len(raw)), nil)
		_, err := app.Write(raw)
		if err == nil {
			err = app.Close()
		}
		data, werr := app.Wait()
		if err == nil {
			err = werr
		}
		if err != nil || data.UIDValidity != inbox {
			t.Fatalf("APPENDUID %+v, %v; want UIDVALIDITY %d", data, err, inbox)
		}
	}
	if sel, err = c.Select("INBOX", nil).Wait(); err != nil || sel.UIDValidity != inbox || sel.NumMessages != 2 {
		t.Fatalf("%+v, %v", sel, err)
	}
	cp, err := c.Copy(imap.UIDSetNum(1), "done").Wait()
	if err != nil || cp.UIDValidity != done {
		t.Fatalf("COPYUID %+v, %v; want UIDVALIDITY %d", cp, err, done)
	}
	mv, err := c.Move(imap.UIDSetNum(2), "done").Wait()
	if err != nil || mv.UIDValidity != done {
		t.Fatalf("MOVE's COPYUID %+v, %v; want UIDVALIDITY %d", mv, err, done)
	}
	// The MOVE took the mail out of the INBOX, and told the client so.
	if n := srv.Count(desk, "INBOX"); n != 1 || srv.Count(desk, "done") != 2 {
		t.Fatalf("INBOX %d, done %d", n, srv.Count(desk, "done"))
	}
	if n := c.Mailbox().NumMessages; n != 1 {
		t.Fatalf("the client sees %d messages in the INBOX after the MOVE", n)
	}
	if _, err := c.List("", "*", &imap.ListOptions{ReturnStatus: &imap.StatusOptions{UIDValidity: true}}).Collect(); err == nil {
		t.Fatal("LIST RETURN (STATUS (UIDVALIDITY)) answered, with unshifted values")
	}
}

// A mailbox that went back behind the cursor but kept its UIDVALIDITY (the
// demo's mail system did so at every start) is read again, with a warning,
// whether it now holds fewer mails than the cursor passed, as many, or
// more; a mail taken in before is not doubled. A mailbox that did not go
// back is not read again, nor warned about.
func TestFetcherNoticesAMailboxThatWentBack(t *testing.T) {
	for _, c := range []struct {
		name     string
		seenOnly bool
		again    []string // mails in the mailbox after its restart
		dups     int
	}{
		{"fewer", false, []string{"b1"}, 0},
		{"as-many", false, []string{"a1", "b1", "b2"}, 1},
		{"more", false, []string{"b1", "b2", "b3", "b4"}, 0},
		{"fewer-seen-only", true, []string{"b1"}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			opt := devmail.IMAPOptions{Move: true, UIDPlus: true, UIDValidity: 7}
			f := newMailFixture(t, storetest.Dialects()[0], opt)
			var logs logBuffer
			cfg := mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass, MarkSeenOnly: c.seenOnly}
			fetcher := mail.NewFetcher(cfg, f.intake, f.svc, slog.New(slog.NewTextHandler(&logs, nil)))
			fetch := func() mail.IntakeStats {
				t.Helper()
				st, err := fetcher.RunOnce(f.ctx)
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
			for _, id := range []string{"a1", "a2", "a3"} {
				f.deliver(request(id))
			}
			if st := fetch(); st.Fetched != 3 {
				t.Fatalf("first pass: %+v", st)
			}
			if st := fetch(); st.Fetched != 0 || strings.Contains(logs.take(), "went back") {
				t.Fatalf("second pass, nothing new: %+v; warned: %s", st, logs.take())
			}
			// The mail system starts again, empty, with the same UIDVALIDITY.
			addr := f.imap.Addr
			f.imap.Close()
			srv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true, UIDValidity: 7, Addr: addr})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { srv.Close() })
			if err := srv.AddUser(desk, deskPass); err != nil {
				t.Fatal(err)
			}
			f.imap = srv
			for _, id := range c.again {
				f.deliver(request(id))
			}
			st := fetch()
			if st.Fetched != len(c.again) || st.Duplicates != c.dups {
				t.Fatalf("after the restart: %+v, want %d fetched, %d seen before", st, len(c.again), c.dups)
			}
			if l := logs.take(); !strings.Contains(l, "went back") || !strings.Contains(l, "level=WARN") {
				t.Fatalf("no warning: %s", l)
			}
			if c.seenOnly {
				if n := srv.CountLive(desk, "INBOX"); n != len(c.again) {
					t.Fatalf("INBOX %d", n)
				}
			} else if n := srv.Count(desk, "refunddesk/processed"); n != len(c.again) {
				t.Fatalf("processed %d, want %d", n, len(c.again))
			}
			if st := fetch(); st.Fetched != 0 || strings.Contains(logs.take(), "went back") {
				t.Fatalf("the pass after: %+v", st)
			}
		})
	}
}

// A folder that exists under another case is used, never a second one.
func TestFolderUnderAnotherCaseIsUsed(t *testing.T) {
	f := newMailFixture(t, storetest.Dialects()[0], devmail.IMAPOptions{Move: true, UIDPlus: true})
	if err := f.imap.Append(desk, "RefundDesk/Processed", []byte("From: a@example.com\r\nSubject: old\r\n\r\nold\r\n")); err != nil {
		t.Fatal(err)
	}
	f.deliver(request("r1"))
	if st := f.fetch(); st.Fetched != 1 {
		t.Fatalf("%+v", st)
	}
	if n, m := f.imap.Count(desk, "RefundDesk/Processed"), f.imap.Count(desk, "refunddesk/processed"); n != 2 || m != 0 {
		t.Fatalf("RefundDesk/Processed %d, refunddesk/processed %d", n, m)
	}
	layout, err := f.fetcher.Inspect(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if layout.Delim != "/" || layout.Folders[1].Name != "RefundDesk/Processed" || layout.Folders[1].Note != "exists as RefundDesk/Processed" ||
		layout.Folders[2].Name != "refunddesk/unprocessed" || layout.Folders[2].Key != "mail.imap.failed_folder" {
		t.Fatalf("%+v", layout)
	}
}

// Folders that cannot be used stop the fetcher at connect, with an error
// that names the key, and nothing is taken in.
func TestFolderErrorsNameTheKey(t *testing.T) {
	f := newMailFixture(t, storetest.Dialects()[0], devmail.IMAPOptions{Move: true, UIDPlus: true})
	f.deliver(request("r1"))
	for _, c := range []struct {
		mailbox, processed string
		want               string
	}{
		{"INBOX", "INBOX", `mail.imap.processed_folder "INBOX": is INBOX, the mailbox read`},
		{"requests", "refunddesk/processed", `mail.imap.mailbox "requests": the server has no folder requests`},
		{"INBOX", `\Archive`, `mail.imap.processed_folder "\\Archive": the server marks no folder as \Archive (it marks no folder with a special use`},
	} {
		cfg := mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass, Mailbox: c.mailbox, ProcessedFolder: c.processed}
		_, err := mail.NewFetcher(cfg, f.intake, f.svc, nil).RunOnce(f.ctx)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v", c, err)
		}
	}
	if len(f.tickets()) != 0 || f.imap.CountLive(desk, "INBOX") != 1 {
		t.Fatal("mail was taken in")
	}
}

// A new UIDVALIDITY is warned about once, even while the mailbox stays
// empty, and its mail is read from the start.
func TestNewUIDValidityIsWarnedAboutOnce(t *testing.T) {
	f := newMailFixture(t, storetest.Dialects()[0], devmail.IMAPOptions{Move: true, UIDPlus: true})
	var logs logBuffer
	fetcher := mail.NewFetcher(mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass},
		f.intake, f.svc, slog.New(slog.NewTextHandler(&logs, nil)))
	f.deliver(request("u1"))
	if st, err := fetcher.RunOnce(f.ctx); err != nil || st.Fetched != 1 {
		t.Fatalf("%+v, %v", st, err)
	}
	if err := f.imap.Recreate(desk, "INBOX", nil); err != nil {
		t.Fatal(err)
	}
	warned := 0
	for range 2 {
		if st, err := fetcher.RunOnce(f.ctx); err != nil || st.Fetched != 0 {
			t.Fatalf("%+v, %v", st, err)
		}
		warned += strings.Count(logs.take(), "UIDVALIDITY changed")
	}
	f.deliver(request("u2"))
	if st, err := fetcher.RunOnce(f.ctx); err != nil || st.Fetched != 1 {
		t.Fatalf("%+v, %v", st, err)
	}
	if warned += strings.Count(logs.take(), "UIDVALIDITY changed"); warned != 1 {
		t.Fatalf("warned %d times", warned)
	}
}
