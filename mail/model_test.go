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
