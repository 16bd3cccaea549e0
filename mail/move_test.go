package mail_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"

	"refunddesk/internal/devmail"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// moveBreaker is a connection to the IMAP server that, while on, sends the
// fetcher's MOVEs to a folder that does not exist, so the server refuses
// them.
type moveBreaker struct {
	net.Conn
	on *atomic.Bool
}

func (c *moveBreaker) Write(p []byte) (int, error) {
	if c.on.Load() && bytes.Contains(p, []byte(" MOVE ")) {
		if _, err := c.Conn.Write(bytes.ReplaceAll(p, []byte("refunddesk/processed"), []byte("refunddesk/nowhere"))); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return c.Conn.Write(p)
}

// A batch's move runs while the next batch is taken in, but the cursor
// passes a batch's mails only once their move has completed: when the
// server refuses the moves, the pass fails and the cursor stays where it
// was; the next pass sees the mails again, knows them, and moves them.
func TestMailCursorWaitsForTheMove(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	for _, id := range []string{"mv1", "mv2", "mv3"} {
		f.deliver(budiRequest(id))
	}
	var breaking atomic.Bool
	breaking.Store(true)
	cfg := mail.IMAPConfig{Address: f.imap.Addr, TLS: "none", Username: desk, Password: deskPass, BatchSize: 1}
	fetcher := mail.NewFetcher(cfg, f.intake, f.svc, nil)
	fetcher.Dial = func(ctx context.Context) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", f.imap.Addr)
		if err != nil {
			return nil, err
		}
		return &moveBreaker{Conn: conn, on: &breaking}, nil
	}
	if _, err := fetcher.RunOnce(f.ctx); err == nil {
		t.Fatal("a pass whose moves were refused did not fail")
	}
	name := "imap:" + desk + "@" + f.imap.Addr + "/INBOX"
	cur, err := f.svc.Intake.Cursor(f.ctx, name)
	if err != nil && !errors.Is(err, tickets.ErrNotFound) {
		t.Fatal(err)
	}
	if cur.LastUID != 0 {
		t.Fatalf("the cursor passed UID %d, whose mail was never moved", cur.LastUID)
	}
	if inbox, processed, _ := f.folders(); inbox != 3 || processed != 0 {
		t.Fatalf("after the refused moves: INBOX %d, processed %d; want 3, 0", inbox, processed)
	}

	breaking.Store(false)
	st, err := fetcher.RunOnce(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Created+st.Duplicates+st.Joined != 3 {
		t.Fatalf("second pass: %+v", st)
	}
	if n := len(f.tickets()); n != 1 {
		t.Fatalf("%d tickets, want 1 (the three mails are one request and its repeats)", n)
	}
	if inbox, processed, _ := f.folders(); inbox != 0 || processed != 3 {
		t.Fatalf("after the second pass: INBOX %d, processed %d; want 0, 3", inbox, processed)
	}
	if cur, err := f.svc.Intake.Cursor(f.ctx, name); err != nil || cur.LastUID != 3 {
		t.Fatalf("cursor %+v, %v; want UID 3", cur, err)
	}
}
