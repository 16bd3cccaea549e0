package mail_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// oldKey is the key the desk gave a mail before it hashed sender, subject
// and body: its Message-ID and the first 12 bytes of the SHA-256 of the
// whole mail.
func oldKey(messageID string, raw []byte) string {
	sum := sha256.Sum256(raw)
	return "mail:" + messageID + ":" + hex.EncodeToString(sum[:12])
}

// A mail taken in by an older desk, under the old key, is a duplicate when
// the new one reads it again (a crash between commit and move, a new
// UIDVALIDITY, mark_seen_only): a request makes no second ticket, a reply
// no second message. The older desk wrote its keys before the store was
// migrated to today's key schemes: here, a day before the store was
// opened.
func TestMailTakenUnderTheOldKeyIsADuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Now())
		svc := tickets.NewService(openStore(t, dialect, clock), tickets.Options{Clock: clock})
		clock.Set(time.Now().Add(-24 * time.Hour))
		in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Catalog: testCatalog(t)}, nil)

		raw := []byte(request("old1"))
		old, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "rani@example.id"}, Details: "refund please",
			IdempotencyKey: oldKey("old1@mail.example.id", raw), ExternalID: "old1@mail.example.id"})
		if err != nil {
			t.Fatal(err)
		}
		taken, err := in.Take(ctx, raw, "test")
		if err != nil || taken.Outcome != mail.TookDuplicate || taken.Ref != old.Ticket.Ref {
			t.Fatalf("the request read again: %+v %v, want a duplicate of %s", taken, err, old.Ticket.Ref)
		}

		reply := []byte("From: Rani Putri <rani@example.id>\r\nTo: " + desk + "\r\nSubject: Re: [" + old.Ticket.Ref + "] Mohon refund promosi\r\n" +
			"Message-ID: <old2@mail.example.id>\r\nDate: Mon, 16 Nov 2026 11:00:00 +0700\r\n\r\nAkun saya @rani.putri, terima kasih.\r\n")
		if _, err := svc.Intake.RequesterReply(ctx, tickets.RequesterUpdate{Ref: old.Ticket.Ref, Requester: tickets.Requester{Email: "rani@example.id"},
			Channel: tickets.ChannelEmail, Text: "Akun saya @rani.putri", IdempotencyKey: oldKey("old2@mail.example.id", reply),
			ExternalID: "old2@mail.example.id"}); err != nil {
			t.Fatal(err)
		}
		before, err := svc.Records.Detail(ctx, old.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		taken, err = in.Take(ctx, reply, "test")
		if err != nil || taken.Outcome != mail.TookDuplicate {
			t.Fatalf("the reply read again: %+v %v, want a duplicate", taken, err)
		}
		after, err := svc.Records.Detail(ctx, old.Ticket.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if len(after.Messages) != len(before.Messages) {
			t.Fatalf("%d messages, were %d", len(after.Messages), len(before.Messages))
		}
		if res, err := svc.Records.Search(ctx, "", "", 10, ""); err != nil || len(res.Tickets) != 1 {
			t.Fatalf("%d tickets (%v)", len(res.Tickets), err)
		}
		// A new mail is still taken in (the test can tell).
		if taken, err := in.Take(ctx, []byte(budiRequest("new1")), "test"); err != nil || taken.Outcome != mail.TookCreated {
			t.Fatalf("a new mail: %+v %v", taken, err)
		}
	})
}

// A store created since the key schemes of today holds no older keys: the
// intake does not hash each mail a second time for them, and a mail read
// again is still a duplicate, by today's key. A store that holds one
// older key makes the intake compute them.
func TestOlderKeysOnlyWhereTheStoreMayHoldThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		clock := storetest.NewClock(time.Now())
		svc := tickets.NewService(openStore(t, dialect, clock), tickets.Options{Clock: clock})
		in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Catalog: testCatalog(t)}, nil)
		raw := []byte(request("fresh1"))
		m, err := in.Parse(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if m.LegacyKey != "" {
			t.Fatalf("a new store: older key %q computed", m.LegacyKey)
		}
		if taken, err := in.Take(ctx, raw, "test"); err != nil || taken.Outcome != mail.TookCreated {
			t.Fatalf("the request: %+v %v", taken, err)
		}
		if taken, err := in.Take(ctx, raw, "test"); err != nil || taken.Outcome != mail.TookDuplicate {
			t.Fatalf("the request read again: %+v %v, want a duplicate", taken, err)
		}
		if may, err := svc.Records.MayHaveOlderKeys(ctx, "mail:"); err != nil || may {
			t.Fatalf("keys recorded since the migration count as older: %v %v", may, err)
		}

		// One key recorded before the store was migrated (another
		// channel's prefix does not count).
		clock.Set(time.Now().Add(-24 * time.Hour))
		if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelAgent,
			Actor: "agent", Requester: tickets.Requester{Email: "x@example.id"}, Details: "by phone",
			IdempotencyKey: "agent:old"}); err != nil {
			t.Fatal(err)
		}
		if may, err := svc.Records.MayHaveOlderKeys(ctx, "mail:"); err != nil || may {
			t.Fatalf("an agent's older key counts for mail: %v %v", may, err)
		}
		if _, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
			Requester: tickets.Requester{Email: "y@example.id"}, Details: "refund please", IdempotencyKey: "mail:<old@example.id>:00"}); err != nil {
			t.Fatal(err)
		}
		in = mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Catalog: testCatalog(t)}, nil)
		m, err = in.Parse(ctx, raw)
		if err != nil {
			t.Fatal(err)
		}
		if want := oldKey(m.MessageID, raw); m.LegacyKey != want {
			t.Fatalf("a store with an older key: older key %q, want %q", m.LegacyKey, want)
		}
	})
}
