package templates

import (
	"strings"
	"testing"

	"refunddesk/tickets"
)

// A denial's advice on disputing the charge follows how the order was paid
// (the promotion record's payment_method): the bank or card issuer for a
// card, the wallet's provider for a wallet, the platform's own appeal (no
// bank) for coins, and nothing at all about banks without a record; in
// every flavour and language.
func TestDeniedDisputeAdviceByPaymentMethod(t *testing.T) {
	e := newEngineT(t)
	type words struct{ bank, wallet, appeal string }
	w := map[string]words{
		tickets.LangEnglish:    {bank: "bank or card issuer", wallet: "provider of the wallet", appeal: "platform's own appeal"},
		tickets.LangIndonesian: {bank: "bank atau penerbit kartu", wallet: "penyedia dompet digital", appeal: "fitur banding platform"},
	}
	for _, flavour := range Flavours() {
		for lang, w := range w {
			for method, want := range map[string]string{"card": w.bank, "wallet": w.wallet, "coins": w.appeal, "": ""} {
				d := sample(lang)
				d.Status, d.Verdict, d.PaymentMethod = tickets.StatusDenied, tickets.VerdictIneligible, method
				m, err := e.Render(flavour, tickets.TemplateDenied, d)
				if err != nil {
					t.Fatal(err)
				}
				for _, part := range []string{m.Text, m.HTML} {
					if flavour == FlavourDiscord && part == m.HTML {
						continue
					}
					if want != "" && !strings.Contains(part, want) {
						t.Errorf("%s %s %q: no %q:\n%s", flavour, lang, method, want, part)
					}
					for _, other := range []string{w.bank, w.wallet, w.appeal} {
						if other != want && strings.Contains(part, other) {
							t.Errorf("%s %s %q: says %q:\n%s", flavour, lang, method, other, part)
						}
					}
					if method != "card" && strings.Contains(strings.ToLower(part), "bank ") && lang == tickets.LangEnglish && method != "coins" {
						t.Errorf("%s %s %q: speaks of a bank:\n%s", flavour, lang, method, part)
					}
				}
				// A revocation is never about a charge.
				d.Kind = tickets.KindRevocation
				if m, _ := e.Render(flavour, tickets.TemplateDenied, d); strings.Contains(m.Text, w.bank) || strings.Contains(m.Text, w.wallet) {
					t.Errorf("%s %s %q: a revocation's denial speaks of disputes", flavour, lang, method)
				}
			}
		}
	}
}
