package mail_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"refunddesk/mail"
	"refunddesk/tickets"
)

// The intake goes by the reading model where the rules read nothing: a
// request whose reason only the model reads (a discount code not applied)
// opens its ticket with that reason and the flag guessed; one the rules
// read is not flagged; an automatic reply worded as no rule knows (an inbox
// read on the first Monday of each month) opens nothing and is kept for
// the agents as worded_model, in their words.
func TestIntakeReadingModel(t *testing.T) {
	ctx := context.Background()
	svc := tickets.NewService(openSQLiteCopy(t), tickets.Options{})
	cat := testCatalog(t)
	in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Catalog: cat}, nil)
	cases := []struct {
		file    string
		outcome string
		reason  tickets.Reason
		guessed []string
	}{
		{"testdata/heldout12/040-en-us-gmail-nurse-night-shifts-discount-code-not-applied.eml", mail.TookCreated, tickets.ReasonOther, []string{"reason"}},
		{"testdata/heldout12/001-id-outlook-cp1252-bimbel-formal-terealisasi-va-mandiri.eml", mail.TookCreated, tickets.ReasonUnderDelivery, nil},
		{"testdata/heldout12/039-en-auto-inbox-checked-first-monday-of-month-filmmaker.eml", mail.TookIgnored, "", nil},
	}
	var why tickets.SetAsideReason
	for _, c := range cases {
		raw, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		req := mail.Understand(ctx, m, svc.Records, "refunddesk.example")
		if !slices.Equal(req.Guessed, c.guessed) {
			t.Errorf("%s: guessed %q, want %q", c.file, req.Guessed, c.guessed)
		}
		taken, err := in.Take(ctx, raw, "test")
		if err != nil || taken.Outcome != c.outcome {
			t.Fatalf("%s: %+v %v, want %s", c.file, taken, err, c.outcome)
		}
		if c.outcome != mail.TookCreated {
			if taken.AutoSign.Code != mail.AutoWordedModel {
				t.Fatalf("%s: automatic as %+v, want %s", c.file, taken.AutoSign, mail.AutoWordedModel)
			}
			why = mail.AutomaticSetAside(taken.AutoSign) // what the fetcher keeps for the agents
			continue
		}
		tk, err := svc.Records.Ticket(ctx, taken.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Reason != c.reason || tk.HasFlag(tickets.FlagGuessed) != (len(c.guessed) > 0) {
			t.Errorf("%s: ticket reason %q, flags %q; want %q, guessed %v", c.file, tk.Reason, tk.Flags, c.reason, len(c.guessed) > 0)
		}
	}
	for lang, words := range map[string]string{"en": "the reading model reads it so", "id": "menurut model pembaca"} {
		if got := cat.SetAside(lang, why); !strings.Contains(got, words) {
			t.Errorf("%s: %q, want %q in it", lang, got, words)
		}
	}
}

// A reply that tells its problem at length gives the reason the model reads
// to a ticket that has none, and flags it guessed; to a ticket that has its
// reason it gives nothing, and no flag.
func TestIntakeReadingModelReply(t *testing.T) {
	ctx := context.Background()
	raw, err := os.ReadFile("testdata/heldout16/036-en-fj-owa-reply-irt-cousins-wedding-meke-promoted-not-the-dive.eml")
	if err != nil {
		t.Fatal(err)
	}
	const from = "Kelera Naivalu <kelera.naivalu@outlook.com>"
	for _, c := range []struct {
		name, first  string
		keeps, wants tickets.Reason
		guessed      bool
	}{
		{"no reason yet", "Tolong refund promosi saya.", "", tickets.ReasonWrongVideo, true},
		{"a reason already", "My promotion was rejected, please refund it.", tickets.ReasonRejected, tickets.ReasonRejected, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			svc := tickets.NewService(openSQLiteCopy(t), tickets.Options{})
			in := mail.NewIntake(svc, mail.IntakeConfig{Address: desk, Catalog: testCatalog(t)}, nil)
			first, err := in.Take(ctx, []byte(plain(from, "first", "Refund", c.first)), "test")
			if err != nil || first.Outcome != mail.TookCreated {
				t.Fatalf("%+v %v", first, err)
			}
			if tk, err := svc.Records.Ticket(ctx, first.Ref); err != nil || tk.Reason != c.keeps || tk.HasFlag(tickets.FlagGuessed) {
				t.Fatalf("the first mail's ticket: %+v %v", tk, err)
			}
			reply := strings.Replace(string(raw), "Subject: RE: your question", "Subject: RE: ["+first.Ref+"] your question", 1)
			m, err := mail.Parse([]byte(reply))
			if err != nil {
				t.Fatal(err)
			}
			if req := mail.Understand(ctx, m, svc.Records, "refunddesk.example"); req.Reason != tickets.ReasonWrongVideo || !slices.Equal(req.Guessed, []string{"reason"}) {
				t.Fatalf("the reply reads %q, guessed %q", req.Reason, req.Guessed)
			}
			taken, err := in.Take(ctx, []byte(reply), "test")
			if err != nil || taken.Outcome != mail.TookReply || taken.Ref != first.Ref {
				t.Fatalf("%+v %v", taken, err)
			}
			tk, err := svc.Records.Ticket(ctx, first.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if tk.Reason != c.wants || tk.HasFlag(tickets.FlagGuessed) != c.guessed {
				t.Fatalf("after the reply: reason %q, flags %q; want %q, guessed %v", tk.Reason, tk.Flags, c.wants, c.guessed)
			}
		})
	}
}
