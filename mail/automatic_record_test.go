package mail_test

import (
	"context"
	"strings"
	"testing"

	"refunddesk/internal/devmail"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// relayed is Sari's request as a Google Group relays it: the group's
// List-* headers and Precedence: list on top of her mail.
func relayed(listID, id string) string {
	return "From: Sari <sari.kue@example.com>\r\nTo: support@refunddesk.example\r\nSubject: Refund ORD-3\r\n" +
		"Message-ID: <" + id + "@example.com>\r\nDate: Mon, 16 Nov 2026 03:00:00 +0000\r\n" +
		"List-Id: <" + listID + ">\r\nX-Google-Group-Id: 123456789012\r\nPrecedence: list\r\nMailing-list: list " + strings.Replace(listID, ".", "@", 1) + "\r\n" +
		"List-Unsubscribe: <mailto:googlegroups-manage+123+unsubscribe@googlegroups.com>\r\n\r\n" +
		"Tolong refund pesanan 7301234567890000021, videonya tidak pernah tayang.\r\n"
}

// Mail relayed by the desk's own list (the List-Id of its address, or one
// configured in OwnListIDs) becomes a ticket; the same from another list
// is automatic mail.
func TestMailRelayedByTheDesksOwnListIsARequest(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, listID string
		own          []string
		want         string
	}{
		{"the desk address's group", "support.refunddesk.example", nil, mail.TookCreated},
		{"a configured list id", "refunds.shop.example", []string{"<refunds.shop.example>"}, mail.TookCreated},
		{"another list", "kreator.lists.example", []string{"refunds.shop.example"}, mail.TookIgnored},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each case has its own store
			svc := tickets.NewService(openSQLiteCopy(t), tickets.Options{})
			in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, OwnListIDs: c.own, Catalog: testCatalog(t)}, nil)
			taken, err := in.Take(ctx, []byte(relayed(c.listID, "g1")), "test")
			if err != nil || taken.Outcome != c.want {
				t.Fatalf("%+v %v, want %s", taken, err, c.want)
			}
			if c.want == mail.TookIgnored && !strings.Contains(taken.Automatic, "Precedence: list") {
				t.Fatalf("automatic: %q", taken.Automatic)
			}
		})
	}
}

// A mail taken for automatic mail is moved as any other, and recorded for
// agents (mail failed) with the reason and where it went: once, however
// often it is seen.
func TestMailTakenForAutomaticIsRecordedOnce(t *testing.T) {
	f := newMailFixture(t, "sqlite", devmail.IMAPOptions{Move: true, UIDPlus: true})
	raw := relayed("kreator.lists.example", "g2")
	f.deliver(raw)
	f.deliver(request("r1"))
	if st := f.fetch(); st.Ignored != 1 || st.Created != 1 || st.Failed != 0 {
		t.Fatalf("stats %+v", st)
	}
	f.deliver(raw) // seen again (delivered twice, or read again after a crash)
	if st := f.fetch(); st.Ignored != 1 {
		t.Fatalf("stats %+v", st)
	}
	fails, err := f.svc.Intake.Failures(f.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 1 {
		t.Fatalf("%d records, want 1: %+v", len(fails), fails)
	}
	r := fails[0]
	if r.Sender != "sari.kue@example.com" || r.Subject != "Refund ORD-3" || r.SetAside != "refunddesk/processed" ||
		!strings.HasPrefix(r.Why().Words, "taken for automatic mail (Precedence: list") || !strings.HasSuffix(r.Reason, "; not answered") {
		t.Fatalf("record %+v", r)
	}
	if inbox, processed, failed := f.folders(); inbox != 0 || processed != 3 || failed != 0 {
		t.Fatalf("folders: inbox %d, processed %d, set aside %d", inbox, processed, failed)
	}
}
