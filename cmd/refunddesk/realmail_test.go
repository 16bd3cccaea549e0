package main

// The desk against mail servers it did not write: Debian's Dovecot and
// Postfix, started on loopback by internal/mailtest (skipped where they are
// not installed, failing in CI). Requesters mail the desk through Postfix,
// which delivers into Dovecot over LMTP; the desk reads its mailbox over
// IMAP and answers through Postfix, into the requesters' Dovecot mailboxes.
// The desk's folder settings are the defaults throughout.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	pngenc "image/png"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"refunddesk/internal/mailtest"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

const (
	realDeskAddr = "support@desk.example.test"
	realDeskPass = "desk-pw"
	realRani     = "rani@example.test"
	realBudi     = "budi@example.test"
	realOrder    = "7301000000000000001"
)

// realDesk is a desk whose mail goes through a private Dovecot and Postfix.
type realDesk struct {
	t  *testing.T
	c  *cli
	dc *mailtest.Dovecot
	pf *mailtest.Postfix
}

func startRealDesk(t *testing.T, layout mailtest.Layout) *realDesk {
	t.Helper()
	dc := mailtest.StartDovecot(t, mailtest.DovecotOptions{Layout: layout, Users: map[string]string{
		realDeskAddr: realDeskPass, realRani: "rani-pw", realBudi: "budi-pw"}})
	pf := mailtest.StartPostfix(t, mailtest.PostfixOptions{Dovecot: dc, Domains: []string{"example.test", "desk.example.test"}})
	c := newCLI(t, sqlstore.SQLite)
	// The servers stamp mail with the real time: so does the desk here.
	c.clock = storetest.NewClock(time.Now().UTC().Truncate(time.Second))
	for k, v := range map[string]string{
		"REFUNDDESK_MAIL_ADDRESS":            realDeskAddr,
		"REFUNDDESK_MAIL_IMAP_ADDRESS":       dc.Addr,
		"REFUNDDESK_MAIL_IMAP_TLS":           "none",
		"REFUNDDESK_MAIL_IMAP_USERNAME":      realDeskAddr,
		"REFUNDDESK_MAIL_IMAP_PASSWORD":      realDeskPass,
		"REFUNDDESK_MAIL_IMAP_POLL_INTERVAL": "200ms",
		"REFUNDDESK_MAIL_SMTP_ADDRESS":       pf.Addr,
		"REFUNDDESK_MAIL_SMTP_TLS":           "none",
	} {
		c.env[k] = v
	}
	// Rani's promotion delivered a fifth of the reach promised, and ended
	// days ago: a refund within the policy's window.
	day := func(d int) string { return time.Now().UTC().AddDate(0, 0, d).Format(time.RFC3339) }
	c.ok("promotions", "import", c.file("promotions.csv", header+
		realOrder+",@rani,v1,views,100000,IDR,wallet,"+day(-10)+","+day(-10)+","+day(-3)+",,completed,10000,2000,100000,false,0\n"))
	return &realDesk{t: t, c: c, dc: dc, pf: pf}
}

// submit hands a mail to Postfix as a requester's mail program would.
func (d *realDesk) submit(from string, raw []byte) {
	d.t.Helper()
	c, err := smtp.Dial(d.pf.Addr)
	if err != nil {
		d.t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("mua.example.test"); err != nil {
		d.t.Fatal(err)
	}
	if err := c.SendMail(from, []string{realDeskAddr}, bytes.NewReader(raw)); err != nil {
		d.t.Fatalf("submit to postfix: %v", err)
	}
	if err := c.Quit(); err != nil {
		d.t.Fatal(err)
	}
}

// inbox is what an account holds in a folder (as the desk's config names
// it: "refunddesk/processed").
func (d *realDesk) inbox(user, folder string) [][]byte {
	d.t.Helper()
	msgs, err := d.dc.Messages(user, d.dc.Folder(folder))
	if err != nil {
		d.t.Fatal(err)
	}
	return msgs
}

// count is the number of mails in an account's folder, by doveadm.
func (d *realDesk) count(user, folder string) int {
	d.t.Helper()
	out, err := d.dc.Doveadm("-f", "flow", "mailbox", "status", "-u", user, "messages", d.dc.Folder(folder))
	if err != nil {
		d.t.Fatal(err)
	}
	m := regexp.MustCompile(`messages=(\d+)`).FindStringSubmatch(out)
	if m == nil {
		d.t.Fatalf("doveadm mailbox status: %q", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func (d *realDesk) detail(ref string) tickets.TicketDetail {
	d.t.Helper()
	var td tickets.TicketDetail
	if err := json.Unmarshal([]byte(d.c.ok("tickets", "show", ref, "--json")), &td); err != nil {
		d.t.Fatal(err)
	}
	return td
}

func (d *realDesk) tickets() []tickets.Ticket {
	d.t.Helper()
	var list []tickets.Ticket
	if err := json.Unmarshal([]byte(d.c.ok("tickets", "list", "--json", "--limit", "1000")), &list); err != nil {
		d.t.Fatal(err)
	}
	return list
}

// raniRequest is Rani's refund request, in Indonesian, with her order,
// account and a screenshot of the promotion's results: nothing missing.
func raniRequest(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var png bytes.Buffer
	if err := pngenc.Encode(&png, img); err != nil {
		t.Fatal(err)
	}
	shot := base64.StdEncoding.EncodeToString(png.Bytes())
	var wrapped strings.Builder
	for len(shot) > 76 {
		wrapped.WriteString(shot[:76] + "\r\n")
		shot = shot[76:]
	}
	wrapped.WriteString(shot + "\r\n")
	return []byte("From: Rani Putri <" + realRani + ">\r\nTo: Refund Desk <" + realDeskAddr + ">\r\nSubject: refund promosi\r\n" +
		"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <req-1@example.test>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" +
		"Halo, jangkauan promosi saya (no. pesanan " + realOrder + ", akun @rani) jauh di bawah estimasi: " +
		"hanya 2.000 dari 10.000 tayangan. Tangkapan layar terlampir. Mohon refund.\r\n" +
		"--b1\r\nContent-Type: image/png; name=\"hasil.png\"\r\nContent-Disposition: attachment; filename=\"hasil.png\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n" + wrapped.String() + "--b1--\r\n")
}

// revocation is a creator's request to stop using their videos in ads.
func revocation(i int, from string) []byte {
	return []byte(fmt.Sprintf("From: Creator %d <%s>\r\nTo: %s\r\nSubject: cabut izin\r\nDate: %s\r\nMessage-ID: <rev-%d@example.test>\r\n"+
		"Content-Type: text/plain; charset=UTF-8\r\n\r\nSaya ingin mencabut izin penggunaan konten saya. Nama akun: @kreator_%d\r\n",
		i, from, realDeskAddr, time.Now().Format(time.RFC1123Z), i, i))
}

func mailHeader(t *testing.T, raw []byte) mail.Header {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%v:\n%s", err, raw)
	}
	return m.Header
}

// a, b, f: a request mailed to the desk through Postfix becomes a ticket
// with its verdict; the acknowledgement reaches the requester's Dovecot
// mailbox through Postfix, threaded and with [RD-1] in its subject; her
// answer to it joins the ticket. On both of Dovecot's layouts: Maildir++
// (stock, separator ".") and LAYOUT=fs (separator "/").
func TestRealMailRequestAcknowledgedAndAnswered(t *testing.T) {
	for _, layout := range []mailtest.Layout{mailtest.Maildir, mailtest.MaildirFS} {
		t.Run(layout.String(), func(t *testing.T) {
			d := startRealDesk(t, layout)
			srv := d.c.start("serve")
			srv.waitOut(t, `refunddesk serve`)

			d.submit(realRani, raniRequest(t))
			var acks [][]byte
			eventually(t, "the acknowledgement reaches Rani's mailbox", func() bool {
				acks = d.inbox(realRani, "INBOX")
				return len(acks) > 0
			})
			list := d.tickets()
			if len(list) != 1 {
				t.Fatalf("%d tickets for one request", len(list))
			}
			tk := list[0]
			if tk.Ref != "RD-1" || tk.Channel != tickets.ChannelEmail || tk.Kind != tickets.KindRefund || tk.Order != realOrder ||
				tk.Reason != tickets.ReasonUnderDelivery || tk.Language != "id" || tk.Requester.Email != realRani {
				t.Fatalf("ticket: %+v", tk)
			}
			if tk.Eligibility.Verdict != tickets.VerdictEligible {
				t.Fatalf("verdict %q, want eligible: %+v", tk.Eligibility.Verdict, tk.Eligibility)
			}

			ack := mailHeader(t, acks[0])
			if !strings.Contains(ack.Get("Subject"), "[RD-1]") {
				t.Errorf("acknowledgement subject %q lacks [RD-1]", ack.Get("Subject"))
			}
			if ack.Get("In-Reply-To") != "<req-1@example.test>" || !strings.Contains(ack.Get("References"), "<req-1@example.test>") {
				t.Errorf("acknowledgement not threaded: In-Reply-To %q, References %q", ack.Get("In-Reply-To"), ack.Get("References"))
			}
			if from, err := ack.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != realDeskAddr {
				t.Errorf("acknowledgement From %q", ack.Get("From"))
			}
			if !bytes.Contains(acks[0], []byte("by mail.example.test (Postfix)")) {
				t.Errorf("the acknowledgement did not come through Postfix:\n%s", acks[0])
			}

			// b: Rani answers the acknowledgement from her mail program.
			reply := []byte("From: Rani Putri <" + realRani + ">\r\nTo: <" + realDeskAddr + ">\r\nSubject: Re: " + ack.Get("Subject") + "\r\n" +
				"Date: " + time.Now().Format(time.RFC1123Z) + "\r\nMessage-ID: <req-2@example.test>\r\n" +
				"In-Reply-To: " + ack.Get("Message-Id") + "\r\nReferences: <req-1@example.test> " + ack.Get("Message-Id") + "\r\n" +
				"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nTerima kasih. Iklan saya berhenti tayang sejak tanggal 5.\r\n")
			d.submit(realRani, reply)
			eventually(t, "the answer joins RD-1", func() bool {
				for _, m := range d.detail("RD-1").Messages {
					if m.ExternalID == "<req-2@example.test>" || strings.Contains(m.Body, "berhenti tayang sejak tanggal 5") {
						return true
					}
				}
				return false
			})
			if n := len(d.tickets()); n != 1 {
				t.Fatalf("%d tickets after the answer, want 1", n)
			}
			eventually(t, "the desk's INBOX is emptied into its processed folder", func() bool {
				return d.count(realDeskAddr, "INBOX") == 0 && d.count(realDeskAddr, "refunddesk/processed") == 2
			})
			if code := srv.stop(t); code != 0 {
				t.Fatalf("serve exit %d: %s", code, srv.errs)
			}
		})
	}
}

// creators adds n requesters' accounts and returns their addresses.
func (d *realDesk) creators(n int) []string {
	d.t.Helper()
	var addrs []string
	for i := range n {
		a := fmt.Sprintf("creator%03d@example.test", i)
		if err := d.dc.AddUser(a, "pw"); err != nil {
			d.t.Fatal(err)
		}
		addrs = append(addrs, a)
	}
	return addrs
}

// acknowledged waits until each address's INBOX holds one mail, and fails
// if any holds more (or another account got mail).
func (d *realDesk) acknowledged(addrs []string) {
	d.t.Helper()
	var counts map[string]int
	total := func() int {
		var err error
		if counts, err = d.dc.Counts("INBOX"); err != nil {
			d.t.Fatal(err)
		}
		n := 0
		for _, a := range addrs {
			n += counts[a]
		}
		return n
	}
	eventually(d.t, fmt.Sprintf("%d acknowledgements delivered", len(addrs)), func() bool { return total() >= len(addrs) })
	for _, a := range addrs {
		if counts[a] != 1 {
			d.t.Errorf("%s holds %d mails, want one acknowledgement", a, counts[a])
		}
	}
	if n := total(); n != len(addrs) {
		d.t.Errorf("%d mails for %d requesters", n, len(addrs))
	}
}

// c: a hundred acknowledgements in one run of the sender go over one SMTP
// session with Postfix (one EHLO), and every one is delivered; none fails.
func TestRealMailHundredAcknowledgementsOneSession(t *testing.T) {
	d := startRealDesk(t, mailtest.Maildir)
	addrs := d.creators(100)
	var raws [][]byte
	for i, a := range addrs {
		raws = append(raws, revocation(i, a))
	}
	if err := d.dc.Deliver(realDeskAddr, raws...); err != nil {
		t.Fatal(err)
	}
	if out := d.c.ok("mail", "fetch", "--once"); !strings.Contains(out, "100 mail(s): 100 new ticket(s)") {
		t.Fatalf("fetch: %s", out)
	}
	if out := d.c.ok("outbox", "send", "--once"); !strings.HasPrefix(out, "100 sent, 0 to try again later, 0 failed") {
		t.Fatalf("send: %s", out)
	}
	d.acknowledged(addrs)
	if out := d.c.ok("outbox", "list", "--failed"); !strings.Contains(out, "no messages") {
		t.Fatalf("failed messages:\n%s", out)
	}
	// Postfix's account of its sessions: the desk's is the one with mail.
	sessions := regexp.MustCompile(`disconnect from \S+ ehlo=\d+ mail=\d+.*`).FindAllString(d.pf.Log(), -1)
	if len(sessions) != 1 || !strings.Contains(sessions[0], "ehlo=1 mail=100 rcpt=100 data=100 quit=1") {
		t.Fatalf("the desk's SMTP sessions, as Postfix logged them:\n%s", strings.Join(sessions, "\n"))
	}
}

// d: the desk's INBOX gets a new UIDVALIDITY (doveadm) while a request
// taken in before is back in it: the new mail is taken in, the old one not
// again. Then the INBOX's UIDs start again at 1 under another UIDVALIDITY
// (an index rebuilt), below the desk's cursor: the same.
func TestRealMailUIDValidityChange(t *testing.T) {
	d := startRealDesk(t, mailtest.Maildir)
	addrs := d.creators(3)
	first := revocation(0, addrs[0])
	if err := d.dc.Deliver(realDeskAddr, first); err != nil {
		t.Fatal(err)
	}
	if out := d.c.ok("mail", "fetch", "--once"); !strings.Contains(out, "1 mail(s): 1 new ticket(s)") {
		t.Fatalf("fetch: %s", out)
	}

	// The first request copied back (byte for byte, as an IMAP COPY), a
	// new UIDVALIDITY, a new request.
	processed := d.inbox(realDeskAddr, "refunddesk/processed")
	if len(processed) != 1 {
		t.Fatalf("%d mails in the processed folder", len(processed))
	}
	first = processed[0]
	if err := d.dc.Append(realDeskAddr, "INBOX", first); err != nil {
		t.Fatal(err)
	}
	v, err := d.dc.UIDValidity(realDeskAddr, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.dc.SetUIDValidity(realDeskAddr, "INBOX", v+1000); err != nil {
		t.Fatal(err)
	}
	if err := d.dc.Deliver(realDeskAddr, revocation(1, addrs[1])); err != nil {
		t.Fatal(err)
	}
	if out := d.c.ok("mail", "fetch", "--once"); !strings.Contains(out, "2 mail(s): 1 new ticket(s)") || !strings.Contains(out, "1 seen before") {
		t.Fatalf("fetch after the new UIDVALIDITY: %s", out)
	}

	// Again, and the UIDs start from 1: both mails are below the cursor.
	if err := d.dc.Append(realDeskAddr, "INBOX", first); err != nil {
		t.Fatal(err)
	}
	if err := d.dc.Deliver(realDeskAddr, revocation(2, addrs[2])); err != nil {
		t.Fatal(err)
	}
	if err := d.dc.RenumberUIDs(realDeskAddr, "INBOX"); err != nil {
		t.Fatal(err)
	}
	if out := d.c.ok("mail", "fetch", "--once"); !strings.Contains(out, "2 mail(s): 1 new ticket(s)") || !strings.Contains(out, "1 seen before") {
		t.Fatalf("fetch after the UIDs started again: %s", out)
	}
	if n := d.count(realDeskAddr, "INBOX"); n != 0 {
		t.Fatalf("%d mails left in the desk's INBOX", n)
	}
	list := d.tickets()
	if len(list) != 3 {
		t.Fatalf("%d tickets for 3 requests", len(list))
	}
	if out := d.c.ok("outbox", "send", "--once"); !strings.HasPrefix(out, "3 sent, 0 to try again later, 0 failed") {
		t.Fatalf("send: %s", out)
	}
	d.acknowledged(addrs)
}

// buildDesk builds refunddesk into a temporary folder.
func buildDesk(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "refunddesk")
	start := time.Now()
	if out, err := exec.Command(goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("go build: %v", time.Since(start).Round(time.Millisecond))
	return bin
}

// process is the built desk running as a process of its own.
type process struct {
	cmd  *exec.Cmd
	logs *syncBuffer
	done chan struct{}
}

// waitStarted waits until serve says its component has started (its store
// is open by then), for at most two minutes.
func (p *process) waitStarted(t *testing.T, component string) {
	t.Helper()
	want := `"msg":"started"`
	for deadline := time.Now().Add(2 * time.Minute); ; {
		for _, line := range strings.Split(p.logs.String(), "\n") {
			if strings.Contains(line, want) && strings.Contains(line, `"component":"`+component+`"`) {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("refunddesk serve ended before its %s started:\n%s", component, p.logs)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("refunddesk serve's %s did not start in 2 minutes:\n%s", component, p.logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// runDesk starts `refunddesk serve` with the desk's environment.
func (d *realDesk) runDesk(bin string, env map[string]string) *process {
	d.t.Helper()
	p := &process{cmd: exec.Command(bin, "serve"), logs: &syncBuffer{}, done: make(chan struct{})}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "REFUNDDESK_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	d.t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if d.t.Failed() {
			d.t.Logf("refunddesk serve (pid %d):\n%s", p.cmd.Process.Pid, p.logs)
		}
	})
	return p
}

// e: refunddesk killed with SIGKILL while it takes in a few hundred mails,
// twice, then started again: every mail is a ticket exactly once, nothing
// is lost, and no requester is acknowledged twice. Each kill falls where it
// hurts most, between a batch's commit and its move out of the INBOX: the
// desk's IMAP session is stopped (SIGSTOP) mid-intake, the desk commits
// what it has and waits on the server, and is killed then (its session
// too, so that the move it sent is never done).
func TestRealMailKilledMidIntake(t *testing.T) {
	d := startRealDesk(t, mailtest.Maildir)
	bin := buildDesk(t)
	const n = 300
	addrs := d.creators(n)
	var raws [][]byte
	for i, a := range addrs {
		raws = append(raws, revocation(i, a))
	}
	if err := d.dc.Deliver(realDeskAddr, raws...); err != nil {
		t.Fatal(err)
	}
	d.c.ok("migrate")
	env := map[string]string{}
	for k, v := range d.c.env {
		env[k] = v
	}
	// Batches of 20 rather than 100: more commits and moves to be killed
	// between. A killed instance's hold on the mailbox lapses after the
	// lease: 1 s here, not 30.
	env["REFUNDDESK_MAIL_IMAP_BATCH_SIZE"] = "20"
	env["REFUNDDESK_SERVE_INTAKE_LEASE"] = "1s"
	// The sender waits for the last run, so that a kill never falls between
	// a mail's acceptance by Postfix and its record (the one double no one
	// can avoid, docs/mail.md "Sending").
	intakeOnly := map[string]string{"REFUNDDESK_MAIL_SMTP_ADDRESS": ""}
	for k, v := range env {
		if _, ok := intakeOnly[k]; !ok {
			intakeOnly[k] = v
		}
	}
	// At least two kills, and on until one has fallen in the window (the
	// desk may have had nothing committed and unmoved when stopped).
	left, inWindow := n, 0
	for kill := 1; kill <= 2 || inWindow == 0; kill++ {
		if kill > 6 || left == 0 {
			t.Fatalf("%d kills, none between a commit and its move; %d mails left", kill-1, left)
		}
		had := d.ticketCount()
		p := d.runDesk(bin, intakeOnly)
		// It opens its store first, running: after a kill that means
		// recovering the log the killed desk left, which, held but a few
		// milliseconds at a time on a busy machine under -race, ran past
		// the store's 15 s deadline for opening and ended the desk.
		p.waitStarted(t, "intake")
		// The desk runs a few milliseconds at a time (SIGSTOP, SIGCONT),
		// and is looked at while held, until it has committed tickets of
		// its own. Then its IMAP session is held instead (SIGSTOP of the
		// Dovecot process serving it) and the desk let go: it commits the
		// batch it has fetched and waits on that batch's move, where the
		// kill falls. (A desk left to run took all the mail in before a
		// test polling the mailbox had seen a move, on a busy machine.)
		pid := p.cmd.Process.Pid
		_ = syscall.Kill(pid, syscall.SIGSTOP)
		committed, moved := had, n-left
		for slice := 0; committed == had && moved < n; slice++ {
			select {
			case <-p.done:
				t.Fatalf("refunddesk serve ended by itself:\n%s", p.logs)
			default:
			}
			if slice == 3000 {
				t.Fatalf("refunddesk serve took nothing in:\n%s", p.logs)
			}
			_ = syscall.Kill(pid, syscall.SIGCONT)
			time.Sleep(2 * time.Millisecond)
			_ = syscall.Kill(pid, syscall.SIGSTOP)
			// Held while it holds a lock (recovering the log of the
			// desk killed before it), the desk is let go again.
			if c, err := d.tryTicketCount(); err == nil {
				committed, moved = c, n-d.count(realDeskAddr, "INBOX")
			}
		}
		sessions, err := d.dc.Sessions(realDeskAddr)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sessions {
			_ = syscall.Kill(s, syscall.SIGSTOP)
		}
		_ = syscall.Kill(pid, syscall.SIGCONT)
		for still := 0; still < 10; {
			time.Sleep(100 * time.Millisecond)
			if now := d.ticketCount(); now != committed {
				committed, still = now, 0
			} else {
				still++
			}
		}
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.done
		for _, s := range sessions {
			_ = syscall.Kill(s, syscall.SIGKILL)
		}
		left = d.count(realDeskAddr, "INBOX")
		if committed > n-left {
			inWindow++
		}
		t.Logf("kill -9 number %d: %d tickets committed, %d mails moved out of the INBOX, %d left", kill, committed, n-left, left)
	}

	p := d.runDesk(bin, env)
	d.acknowledged(addrs)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-p.done
	if code := p.cmd.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("serve exit %d after SIGTERM:\n%s", code, p.logs)
	}
	list := d.tickets()
	perRequester := map[string]int{}
	for _, tk := range list {
		perRequester[tk.Requester.Email]++
	}
	if len(list) != n || len(perRequester) != n {
		t.Fatalf("%d tickets from %d requesters for %d mails", len(list), len(perRequester), n)
	}
	if in, done := d.count(realDeskAddr, "INBOX"), d.count(realDeskAddr, "refunddesk/processed"); in != 0 || done != n {
		t.Fatalf("the desk's INBOX holds %d, its processed folder %d", in, done)
	}
	if out := d.c.ok("mail", "failed"); strings.Contains(out, "@example.test") {
		t.Fatalf("mail set aside:\n%s", out)
	}
	// Nothing taken twice: no mail joined its own ticket again, and one
	// acknowledgement was queued per ticket.
	if in, out := d.storeCount(`SELECT COUNT(*) FROM ticket_messages WHERE kind = 'in'`),
		d.storeCount(`SELECT COUNT(*) FROM outbox WHERE channel = 'email'`); in != n || out != n {
		t.Fatalf("%d requester messages and %d queued mails for %d requests", in, out, n)
	}
	d.acknowledged(addrs)
}

// ticketCount counts the tickets in the desk's SQLite file with a plain
// connection: a desk held (SIGSTOP) in the middle of a write blocks no
// reader, where opening the store (its migrations) would wait for the
// desk's lock. (Not read-only: after a kill -9 the first reader may have
// to recover the write-ahead log, which a read-only connection cannot.)
func (d *realDesk) ticketCount() int {
	d.t.Helper()
	var err error
	for range 25 {
		var n int
		if n, err = d.tryTicketCount(); err == nil {
			return n
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.t.Fatalf("count the tickets: %v", err)
	return 0
}

// tryTicketCount counts the tickets once; it fails when the database is
// locked for more than a moment (by a desk held while it recovers the
// log after a kill, say).
func (d *realDesk) tryTicketCount() (int, error) {
	db, err := sql.Open("sqlite", "file:"+d.c.env["REFUNDDESK_STORE_DSN"]+"?_pragma=busy_timeout(200)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRow(`SELECT COUNT(*) FROM tickets`).Scan(&n)
	return n, err
}

// storeCount runs a counting query on the desk's store.
func (d *realDesk) storeCount(query string) int {
	d.t.Helper()
	db, err := sqlstore.Open(context.Background(), d.c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{})
	if err != nil {
		d.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.SQL().Get(&n, query); err != nil {
		d.t.Fatalf("%s: %v", query, err)
	}
	return n
}
