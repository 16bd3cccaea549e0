package tickets_test

import (
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// A denial carries how the order was paid (its record's payment method),
// for the advice on disputing the charge; an order without a record, none.
func TestServiceDenialCarriesPaymentMethod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newSvcFixture(t, dialect, tickets.Options{})
		card := svcPromotion(svcOrderB, svcAccountB, 5000)
		card.PaymentMethod = "card"
		f.importPromos(svcPromotion(svcOrderA, svcAccountA, 5000), card)
		for order, want := range map[string]string{svcOrderA: "wallet", svcOrderB: "card", svcOrderC: ""} {
			ref := f.submit(svcRefund(order, svcAccountA)).Ticket.Ref
			f.act(tickets.ActionRequest{Ref: ref, Actor: "ayu", Action: tickets.ActionDeny, Text: "no"})
			d := f.detail(ref)
			o := d.Outbox[len(d.Outbox)-1]
			if o.Template != tickets.TemplateDenied || o.Data.PaymentMethod != want {
				t.Errorf("order %s: %s with payment method %q, want %q", order, o.Template, o.Data.PaymentMethod, want)
			}
		}
	})
}
