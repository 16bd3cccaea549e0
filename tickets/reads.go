package tickets

import (
	"context"
	"strings"
)

// Records are the desk's reads (a ticket, its whole story, a search, a
// requester's own tickets, a promotion record and its tickets, the counts
// behind the metrics) and the imports of the platform's records.
type Records struct{ *core }

// Ticket returns a ticket by reference.
func (r *Records) Ticket(ctx context.Context, ref string) (*Ticket, error) {
	return r.ticket(ctx, ref)
}

// Detail returns the whole story of a ticket: fields, evidence, messages,
// audit trail, outbox and the promotion record.
func (r *Records) Detail(ctx context.Context, ref string) (*TicketDetail, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	var d *TicketDetail
	err = r.store.View(ctx, func(tx Tx) error {
		d, err = tx.Detail(id)
		return err
	})
	return d, err
}

// Search runs a query for an agent (who is "me"); language: takes the
// languages the desk answers in (Options.Languages).
func (r *Records) Search(ctx context.Context, query, agent string, limit int, after string) (*SearchResult, error) {
	q, err := parseQuery(query, queryEnv{now: r.clock.Now(), agent: agent, languages: r.languages})
	if err != nil {
		return nil, err
	}
	if limit < 0 || limit > MaxPageSize {
		return nil, Invalid("limit", "limit.out_of_range", "Max", MaxPageSize, "Default", DefaultPageSize, "Value", limit)
	}
	return r.store.Search(ctx, q, SearchOptions{Limit: limit, After: after, Now: r.clock.Now(), FirstResponse: r.sla.FirstResponse})
}

// RequesterTickets lists a requester's own tickets, newest first, and only theirs.
func (r *Records) RequesterTickets(ctx context.Context, who Requester, limit int) ([]Ticket, error) {
	if who.Email == "" && who.DiscordID == "" {
		return nil, Invalid("requester", "requester.no_identity")
	}
	q := &Query{Sort: DefaultSort}
	res, err := r.store.Search(ctx, q, SearchOptions{Limit: limit, Now: r.clock.Now(), FirstResponse: r.sla.FirstResponse, Requester: &who})
	if err != nil {
		return nil, err
	}
	return res.Tickets, nil
}

// RequesterTicket returns one of a requester's own tickets; someone else's
// ticket is not found, the same as one that does not exist.
func (r *Records) RequesterTicket(ctx context.Context, who Requester, ref string) (*Ticket, error) {
	t, err := r.ticket(ctx, ref)
	if err != nil {
		return nil, err
	}
	if !ownedBy(t, who) {
		return nil, NotFound("ticket.not_found", "Ref", strings.ToUpper(strings.TrimSpace(ref)))
	}
	return t, nil
}

// EvidenceFile returns the bytes of one of a ticket's files, by name or hash.
func (r *Records) EvidenceFile(ctx context.Context, ref, nameOrHash string) (Evidence, []byte, error) {
	id, err := ParseRef(ref)
	if err != nil {
		return Evidence{}, nil, err
	}
	var ev Evidence
	var data []byte
	err = r.store.View(ctx, func(tx Tx) error {
		t, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		for _, e := range t.Evidence {
			if e.SHA256 == nameOrHash || e.Name == nameOrHash || (len(nameOrHash) >= 8 && strings.HasPrefix(e.SHA256, nameOrHash)) {
				ev = e
				data, err = tx.EvidenceData(e.SHA256)
				return err
			}
		}
		return NotFound("evidence.not_found", "Ref", t.Ref, "Name", nameOrHash)
	})
	return ev, data, err
}

// MayHaveOlderKeys reports whether keys beginning with prefix may have
// been recorded under an earlier scheme (Store.OlderKeys): when not, a
// channel need not compute a request's PreviousKeys.
func (r *Records) MayHaveOlderKeys(ctx context.Context, prefix string) (bool, error) {
	return r.store.OlderKeys(ctx, prefix)
}

// Promotion returns an order's record.
func (r *Records) Promotion(ctx context.Context, order string) (*Promotion, error) {
	var p *Promotion
	err := r.store.View(ctx, func(tx Tx) error {
		var err error
		p, err = tx.Promotion(order)
		return err
	})
	return p, err
}

// PromotionDetail returns an order's record and the tickets linked to it.
func (r *Records) PromotionDetail(ctx context.Context, order string) (*PromotionDetail, error) {
	o, err := NormalizeOrder(order)
	if err != nil {
		return nil, err
	}
	if o == "" {
		return nil, Invalid("order", "order.missing")
	}
	var d *PromotionDetail
	err = r.store.View(ctx, func(tx Tx) error {
		p, err := tx.Promotion(o)
		if err != nil {
			return err
		}
		ts, err := tx.PromotionTickets(o)
		if err != nil {
			return err
		}
		d = &PromotionDetail{Promotion: *p, Tickets: ts}
		return nil
	})
	return d, err
}

// Stats counts tickets by status, overdue tickets, the outbox's unsent and
// failed items and the follow-ups due, for the metrics.
func (r *Records) Stats(ctx context.Context) (*Stats, error) {
	return r.store.Stats(ctx, r.clock.Now(), r.sla.FirstResponse)
}
