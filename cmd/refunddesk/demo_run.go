package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/spf13/cobra"

	"refunddesk/internal/devmail"
	"refunddesk/internal/sample"
	"refunddesk/tickets"
)

// The demo's mail system: the desk's mailbox and the requesters' are users
// of one loopback IMAP server, and its SMTP server delivers to them.
const (
	demoDesk     = "support@refunddesk.test"
	demoPassword = "demo"
	demoIMAP     = "127.0.0.1:1143"
	demoSMTP     = "127.0.0.1:1025"
	demoHTTP     = "127.0.0.1:8080"
)

// demoMail is one sample request mail.
type demoMail struct {
	from, name, subject, about string
	text, html                 string
	attach                     []byte
	attachName                 string
}

// demoMails are the sample requests `demo send` mails, written from the
// demo's records (the same all day).
func demoMails(p demoPicks) []demoMail {
	order := func(q *tickets.Promotion, fallback string) (string, string) {
		if q == nil {
			return fallback, "@demo.creator"
		}
		return q.OrderNumber, q.Account
	}
	var out []demoMail
	o, a := order(p.underDelivered, sample.OrderNumber(1))
	out = append(out, demoMail{from: "rani.putri@example.id", name: "Rani Putri", about: "Indonesian, under-delivery, a screenshot attached",
		subject: "Minta refund promosi video",
		text: "Halo kak,\n\nSaya mau minta pengembalian dana untuk promosi video saya. Jangkauannya jauh di bawah yang dijanjikan, " +
			"penayangannya cuma sedikit sekali.\n\nNomor pesanan: " + o + "\nNama akun: " + a + "\n\nTangkapan layar terlampir.\n\nTerima kasih,\nRani\n\nDikirim dari iPhone saya",
		attach: screenshot(11), attachName: "hasil-promosi.png"})
	o, a = order(p.nothingDelivered, sample.OrderNumber(2))
	out = append(out, demoMail{from: "danny@example.com", name: "Danny K", about: "English, HTML only, a promotion that never ran",
		subject: "Refund request - promotion never ran",
		html: "<html><body><p>Hello,</p><p>My promotion never started because of an error: it shows <b>0 views</b> after the whole period, " +
			"but I was charged. Please refund it.</p><p>Order number: " + o + "<br>Account name: " + a + "</p><p>Thanks,<br>Danny</p></body></html>",
		attach: screenshot(12), attachName: "zero-views.png"})
	o, a = order(p.twin, sample.OrderNumber(3))
	out = append(out, demoMail{from: "sinta@example.id", name: "Sinta", about: "Indonesian, charged twice, the order in the subject",
		subject: "Tagihan ganda pesanan " + o,
		text: "Selamat siang,\n\nSaya ditagih dua kali untuk promosi yang sama (akun " + a + "). Mohon dikembalikan salah satunya. " +
			"Bukti pembayaran terlampir.\n\nSalam,\nSinta",
		attach: screenshot(13), attachName: "struk.png"})
	o, a = order(p.closedEarly, sample.OrderNumber(4))
	out = append(out, demoMail{from: "josh@example.com", name: "Josh", about: "English, closed early by the creator (the policy says no)",
		subject: "Refund for the rest of my promotion",
		text: "Hi,\n\nI closed my promotion early myself after one day because I wanted to change the video. " +
			"Can I get the unused budget back?\n\nOrder " + o + ", account " + a + ".\n\nJosh"})
	out = append(out, demoMail{from: "creator0@example.id", name: "Kreator", about: "Indonesian, withdraw a content authorization",
		subject: "Cabut izin penggunaan konten",
		text:    "Halo,\n\nSaya ingin mencabut izin penggunaan konten video saya untuk promosi. Nama akun: " + sample.Account(0) + "\n\nTerima kasih."})
	out = append(out, demoMail{from: "maya@example.com", name: "Maya", about: "English, no order number (the desk asks for it)",
		subject: "Promotion rejected but I was charged",
		text:    "Hello,\n\nMy promotion was rejected in review but the money was still taken from my wallet. Please help.\n\nMaya"})
	return out
}

// compose writes a sample mail as MIME.
func (d demoMail) compose(to string, now time.Time) []byte {
	var b bytes.Buffer
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	h("From", mime.QEncoding.Encode("utf-8", d.name)+" <"+d.from+">")
	h("To", to)
	h("Subject", mime.QEncoding.Encode("utf-8", d.subject))
	h("Date", now.Format(time.RFC1123Z))
	h("Message-ID", "<demo-"+hex.EncodeToString(id)+"@"+strings.SplitN(d.from, "@", 2)[1]+">")
	h("MIME-Version", "1.0")
	body, ct := d.text, "text/plain"
	if d.html != "" {
		body, ct = d.html, "text/html"
	}
	if d.attach == nil {
		h("Content-Type", ct+"; charset=utf-8")
		h("Content-Transfer-Encoding", "8bit")
		b.WriteString("\r\n" + strings.ReplaceAll(body, "\n", "\r\n"))
		return b.Bytes()
	}
	var parts bytes.Buffer
	w := multipart.NewWriter(&parts)
	h("Content-Type", "multipart/mixed; boundary="+w.Boundary())
	b.WriteString("\r\n")
	pw, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {ct + "; charset=utf-8"}, "Content-Transfer-Encoding": {"8bit"}})
	_, _ = pw.Write([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	aw, _ := w.CreatePart(textproto.MIMEHeader{"Content-Type": {"image/png"}, "Content-Transfer-Encoding": {"base64"},
		"Content-Disposition": {`attachment; filename="` + d.attachName + `"`}})
	enc := base64.StdEncoding.EncodeToString(d.attach)
	for len(enc) > 76 {
		_, _ = aw.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	_, _ = aw.Write([]byte(enc + "\r\n"))
	_ = w.Close()
	b.Write(parts.Bytes())
	return b.Bytes()
}

func (m *Main) demoCommand() *cobra.Command {
	var records, sampleTickets int
	var imapAddr, smtpAddr, httpAddr string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole desk on this machine: sample records, a loopback mail system, the HTTP API",
		Long: `Runs refunddesk as a support team would, with nothing to set up: SQLite in
./data (store.dsn), sample promotion and authorization records, a mail system
on loopback ports (an IMAP server holding the desk's mailbox and the
requesters', and an SMTP server delivering into it), the follow-ups, the HTTP
API, and the Discord bot when discord.token is set.

Then, from another terminal, "refunddesk demo send" mails one of several
sample requests to the desk; "refunddesk tickets list" shows the queue; the
desk's answers land in the requesters' mailboxes, readable with any mail
client. Interrupt to stop.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			svc, err := m.service(ctx)
			if err != nil {
				return err
			}
			out := m.Stdout
			picks, opt, err := m.demoRecords(ctx, svc, records)
			if err != nil {
				return err
			}
			if err := m.fillDemoQueue(ctx, svc, records, sampleTickets, opt, picks); err != nil {
				return err
			}
			imapSrv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true, Idle: true, Addr: imapAddr})
			if err != nil {
				return fmt.Errorf("start the demo's IMAP server on %s: %w (another demo running? give --imap)", imapAddr, err)
			}
			defer imapSrv.Close()
			smtpSrv, err := devmail.StartSMTP(devmail.SMTPOptions{Addr: smtpAddr, Deliver: imapSrv})
			if err != nil {
				return fmt.Errorf("start the demo's SMTP server on %s: %w (another demo running? give --smtp)", smtpAddr, err)
			}
			defer smtpSrv.Close()
			users := []string{demoDesk}
			for _, d := range demoMails(picks) {
				users = append(users, d.from)
			}
			for _, u := range users {
				if err := imapSrv.AddUser(u, demoPassword); err != nil {
					return err
				}
			}

			c := m.config
			c.Mail.Address = demoDesk
			c.Mail.IMAP.Address, c.Mail.IMAP.TLS, c.Mail.IMAP.Username, c.Mail.IMAP.Password = imapSrv.Addr, "none", demoDesk, demoPassword
			c.Mail.IMAP.PollInterval = tickets.Duration{Duration: 2 * time.Second}
			c.Mail.SMTP.Address, c.Mail.SMTP.TLS, c.Mail.SMTP.Username = smtpSrv.Addr, "none", ""
			c.Followups.Interval = tickets.Duration{Duration: 10 * time.Second}
			c.HTTP.Address = httpAddr
			tok := make([]byte, 12)
			_, _ = rand.Read(tok)
			token := "demo-" + hex.EncodeToString(tok)
			c.HTTP.Tokens = append(c.HTTP.Tokens, "demo-agent:"+token)
			if err := c.Validate(); err != nil {
				return usageError{err}
			}
			consolePassword, err := m.demoConsoleAgent(ctx)
			if err != nil {
				return err
			}
			s, err := m.newServer(svc)
			if err != nil {
				return err
			}
			go func() {
				select {
				case <-s.ready:
				case <-ctx.Done():
					return
				}
				bin := commandName()
				fmt.Fprintf(out, `
The web console: http://%[9]s/
  sign in as %[10]s, password %[11]s

The demo's mail system: IMAP %[2]s, SMTP %[3]s (no TLS, loopback only).
  The desk reads %[4]s; requesters' mailboxes (password %[5]q): %[6]s

Try, from another terminal:
  %[1]s demo send             mail a sample request (%[7]d samples: demo send --list)
  %[1]s tickets list          the queue, a few seconds later
  %[1]s tickets show RD-1
  %[1]s tickets approve RD-1 --as demo-agent
  %[1]s followups list
  curl -H 'Authorization: Bearer %[8]s' http://%[9]s/api/tickets
  curl http://%[9]s/healthz

Interrupt (Ctrl-C) to stop.
`, bin, imapSrv.Addr, smtpSrv.Addr, demoDesk, demoPassword, strings.Join(users[1:], ", "), len(users)-1, token, s.addr,
					demoAgent, consolePassword)
			}()
			return s.run(ctx)
		},
	}
	cmd.Flags().IntVar(&records, "records", 2000, "how many promotion records to generate")
	cmd.Flags().IntVar(&sampleTickets, "sample-tickets", demoQueueSize, "how many sample tickets to file at the first start (0: start with an empty queue)")
	cmd.Flags().StringVar(&imapAddr, "imap", demoIMAP, "where the demo's IMAP server listens")
	cmd.Flags().StringVar(&smtpAddr, "smtp", demoSMTP, "where the demo's SMTP server listens")
	cmd.Flags().StringVar(&httpAddr, "http", demoHTTP, "where the HTTP API listens")
	cmd.AddCommand(m.demoSendCommand(), m.demoFillCommand())
	return cmd
}

func (m *Main) demoSendCommand() *cobra.Command {
	var smtpAddr string
	var records int
	var list bool
	cmd := &cobra.Command{
		Use:   "send [N]",
		Short: "Mail sample request N (default: the next one) to the running demo's desk",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clock := m.Clock
			if clock == nil {
				clock = tickets.SystemClock{}
			}
			now := clock.Now()
			opt := sample.Options{Seed: 42, Now: now.Truncate(24 * time.Hour), Days: 60}
			policy, err := tickets.LoadPolicy("")
			if err != nil {
				return err
			}
			mails := demoMails(pickDemoOrders(records, opt, time.Duration(policy.WindowDays)*24*time.Hour))
			if list {
				for i, d := range mails {
					fmt.Fprintf(m.Stdout, "%d  %-22s %s\n", i+1, d.from, d.about)
				}
				return nil
			}
			n := int(now.Unix()%int64(len(mails))) + 1
			if len(args) == 1 {
				if n, err = strconv.Atoi(args[0]); err != nil || n < 1 || n > len(mails) {
					return usageError{fmt.Errorf("sample %q is not one between 1 and %d (demo send --list shows them)", args[0], len(mails))}
				}
			}
			d := mails[n-1]
			c, err := smtp.Dial(smtpAddr)
			if err != nil {
				return fmt.Errorf("the demo's SMTP server at %s does not answer (is `refunddesk demo` running?): %w", smtpAddr, err)
			}
			defer c.Close()
			if err := c.SendMail(d.from, []string{demoDesk}, bytes.NewReader(d.compose(demoDesk, now))); err != nil {
				return fmt.Errorf("send sample %d: %w", n, err)
			}
			_ = c.Quit()
			fmt.Fprintf(m.Stdout, "sent sample %d from %s to %s: %s\nThe desk takes it in within a few seconds: %s tickets list\n",
				n, d.from, demoDesk, d.about, commandName())
			return nil
		},
	}
	cmd.Flags().StringVar(&smtpAddr, "smtp", demoSMTP, "the demo's SMTP server")
	cmd.Flags().IntVar(&records, "records", 2000, "as given to demo")
	cmd.Flags().BoolVar(&list, "list", false, "list the samples")
	return cmd
}
