package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"
)

// Delivery is the outbox seen from the channels' senders: claim what is
// due, deliver it, record what happened; an agent puts failed messages
// back; a channel that finds a requester out of reach says so. A sender
// that stops mid-way loses nothing: its lease runs out and the item is
// taken again.
type Delivery struct{ *core }

// ClaimOutbox leases up to limit due items of a channel for lease.
func (d *Delivery) ClaimOutbox(ctx context.Context, ch Channel, limit int, lease time.Duration) ([]OutboxItem, error) {
	now := d.clock.Now()
	return d.store.ClaimOutbox(ctx, ch, limit, now, now.Add(lease))
}

// FinishOutbox records a delivery attempt on an item as ClaimOutbox gave
// it: fenced by its lease, so a sender whose lease ran out and whose item
// another sender claimed since changes nothing (ErrConflict).
func (d *Delivery) FinishOutbox(ctx context.Context, it OutboxItem, r OutboxResult) error {
	return d.store.FinishOutbox(ctx, it.ID, it.LeaseUntil, r, d.clock.Now())
}

// DeliveryStats counts what a delivery run did. Deferred items were given
// back untried because the channel was down. LeaseLost items were not
// recorded by this run: their lease ran out, before their turn (they were
// not sent) or while they were being sent (the result was dropped: the
// sender that claimed them since records its own).
type DeliveryStats struct {
	Sent, Retried, Failed, Deferred, LeaseLost int
}

// DeliverOutbox drains a channel's due items: it claims them batch at a time
// for lease, hands each to send, and records the result, until none is due
// or ctx ends. A batch that has begun is finished, even when ctx ends: its
// items are sent and recorded, not left half-way.
// Each send's context ends when its item's lease does. An item whose
// lease ran out before its turn is not sent: it is given back (or left to
// the sender that claimed it since). One whose lease ran out while it was
// being sent is not an error either: its result is dropped by the fenced
// finish, and whoever holds the item now records theirs (see
// docs/architecture.md on what fencing guarantees).
//
// When send defers an item (the channel is down: its connection failed, not
// the message), the run stops: that item and the rest of the batch are
// given back without counting an attempt, due as before, and the error
// returned wraps ErrChannelDown and the result's Cause. The caller waits
// before it tries the channel again. When send's result says Stop (the
// connection was lost on that very message), the result is recorded first,
// charged to that item, and the run stops the same way after it.
func (d *Delivery) DeliverOutbox(ctx context.Context, ch Channel, batch int, lease time.Duration,
	send func(context.Context, OutboxItem) OutboxResult) (DeliveryStats, error) {
	var st DeliveryStats
	work := context.WithoutCancel(ctx)
	for ctx.Err() == nil {
		items, err := d.ClaimOutbox(ctx, ch, batch, lease)
		if err != nil || len(items) == 0 {
			return st, err
		}
		for i, it := range items {
			res, sent := d.sendLeased(work, it, send)
			if !sent {
				res = OutboxResult{Deferred: true}
			} else if res.Deferred {
				st.Deferred += len(items) - i
				return st, d.giveBack(work, ch, items[i:], res)
			}
			if err := d.finishLeased(work, ch, it, res, &st); err != nil {
				return st, err
			}
			if res.Stop && !res.Sent && !res.Permanent {
				st.Deferred += len(items) - i - 1
				return st, d.giveBack(work, ch, items[i+1:], res)
			}
		}
	}
	return st, ctx.Err()
}

// sendLeased sends an item within what is left of its lease: its context
// ends with the lease, and an item whose lease ran out before its turn is
// not sent (false).
func (d *Delivery) sendLeased(ctx context.Context, it OutboxItem, send func(context.Context, OutboxItem) OutboxResult) (OutboxResult, bool) {
	left := it.LeaseUntil.Sub(d.clock.Now())
	if left <= 0 {
		return OutboxResult{}, false
	}
	sctx, cancel := context.WithTimeout(ctx, left)
	defer cancel()
	return send(sctx, it), true
}

// finishLeased records an item's result and counts it; a result the fence
// refused (the lease was lost) is counted and logged, not an error.
func (d *Delivery) finishLeased(ctx context.Context, ch Channel, it OutboxItem, res OutboxResult, st *DeliveryStats) error {
	err := d.FinishOutbox(ctx, it, res)
	switch {
	case errors.Is(err, ErrConflict):
		st.LeaseLost++
		d.log.Warn("an outbox item's lease ran out; this sender's result is dropped", slog.Int64("outbox", it.ID),
			slog.String("channel", string(ch)), slog.Bool("sent", res.Sent), slog.Bool("tried", !res.Deferred))
		return nil
	case err != nil:
		return err
	}
	switch {
	case res.Deferred:
		st.LeaseLost++ // not tried: its lease ran out before its turn; given back
	case res.Sent:
		st.Sent++
	case res.Permanent:
		st.Failed++
	default:
		st.Retried++
	}
	return nil
}

// giveBack returns items a run could not try to the queue, uncounted, and
// says why the run stopped.
func (d *Delivery) giveBack(ctx context.Context, ch Channel, items []OutboxItem, res OutboxResult) error {
	var errs []error
	for _, it := range items {
		err := d.FinishOutbox(ctx, it, OutboxResult{Deferred: true, Err: res.Err})
		if errors.Is(err, ErrConflict) {
			d.log.Warn("an outbox item's lease ran out before it was given back", slog.Int64("outbox", it.ID), slog.String("channel", string(ch)))
		} else if err != nil {
			errs = append(errs, err)
		}
	}
	down := fmt.Errorf("%w: %s", ErrChannelDown, res.Err)
	if res.Cause != nil {
		down = fmt.Errorf("%w: %w", ErrChannelDown, res.Cause)
	}
	return errors.Join(append([]error{down}, errs...)...)
}

// RetryOutbox puts failed messages to requesters (email and Discord items)
// back in the queue for an agent: due now, their attempts counted from zero
// again, each recorded in its ticket's audit trail under the agent. Named
// by id, it is all or nothing: an id that does not exist (ErrNotFound), an
// item that has not failed, that belongs to no ticket or whose message was
// already sent another way (ErrConflict), or an item for agents, not a
// requester (a validation error), changes nothing. With r.Failed, the
// failed items that cannot be put back (their message went by mail when
// the requester's DMs were closed; no ticket to record the retry in) are
// left alone and reported as skipped, with why.
func (d *Delivery) RetryOutbox(ctx context.Context, agent string, r OutboxRetry) (OutboxRetried, error) {
	if err := d.checkAgent(agent); err != nil {
		return OutboxRetried{}, err
	}
	channels, ids, err := checkRetry(r)
	if err != nil {
		return OutboxRetried{}, err
	}
	var out OutboxRetried
	err = d.update(ctx, func(tx *writeTx) error {
		out = OutboxRetried{}
		todo := ids
		if r.Failed {
			todo = nil
			for _, ch := range channels {
				more, err := tx.FailedOutbox(ch)
				if err != nil {
					return err
				}
				todo = append(todo, more...)
			}
			slices.Sort(todo)
		}
		now := d.clock.Now()
		for _, id := range todo {
			if err := d.retry(tx, id, agent, r.Failed, now, &out); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return OutboxRetried{}, err
	}
	return out, nil
}

// checkRetry validates what a retry names: the channels whose failed items
// it puts back, or the ids (in order, each once).
func checkRetry(r OutboxRetry) ([]Channel, []int64, error) {
	channels := []Channel{ChannelEmail, ChannelDiscord}
	switch {
	case r.Failed && len(r.IDs) > 0:
		return nil, nil, Invalid("ids", "ids.both")
	case !r.Failed && len(r.IDs) == 0:
		return nil, nil, Invalid("ids", "ids.none")
	case !r.Failed && r.Channel != "":
		return nil, nil, Invalid("channel", "channel.only_with_all")
	case r.Channel == ChannelEmail || r.Channel == ChannelDiscord:
		channels = []Channel{r.Channel}
	case r.Channel != "":
		return nil, nil, Invalid("channel", "channel.not_retryable", "Value", string(r.Channel))
	}
	if len(r.IDs) > MaxPageSize {
		return nil, nil, Invalid("ids", "ids.too_many", "Max", MaxPageSize, "Count", len(r.IDs))
	}
	seen := map[int64]bool{}
	for _, id := range r.IDs {
		if id <= 0 {
			return nil, nil, Invalid("ids", "ids.not_id", "Value", id)
		}
		seen[id] = true
	}
	return channels, slices.Sorted(maps.Keys(seen)), nil
}

// retry puts one failed message back in the queue, recorded in its
// ticket's audit trail under the agent. One that must not be put back is
// refused, or, in a retry of every failed item (all), skipped with why.
func (d *Delivery) retry(tx *writeTx, id int64, agent string, all bool, now time.Time, out *OutboxRetried) error {
	it, err := tx.OutboxItem(id)
	if errors.Is(err, ErrNotFound) {
		return NotFound("outbox.not_found", "ID", id)
	}
	if err != nil {
		return err
	}
	if it.Channel != ChannelEmail && it.Channel != ChannelDiscord {
		return Invalid("ids", "ids.agents_item", "ID", id, "Channel", string(it.Channel))
	}
	if it.Status != OutboxFailed {
		return conflict("outbox.not_failed", "ID", id, "Status", string(it.Status))
	}
	refused, err := retryRefusal(tx, it)
	if err != nil {
		return err
	}
	if refused != nil {
		if !all {
			return refused
		}
		out.Skipped = append(out.Skipped, OutboxSkipped{OutboxItem: *it, Code: refused.Code, Params: refused.Params})
		return nil
	}
	if err := tx.requeue(it, now); err != nil {
		return err
	}
	if err := tx.AddAudit(it.TicketID, AuditEntry{At: now, Actor: agent, Action: "outbox_retry", Code: AuditOutboxRetry,
		Params: AuditParams{Template: it.Template, Channel: it.Channel, Recipient: it.Recipient, Outbox: it.ID, Error: it.LastError}}); err != nil {
		return err
	}
	it.Status, it.Attempts, it.NextAttemptAt = OutboxPending, 0, now
	out.Requeued = append(out.Requeued, *it)
	return nil
}

// retryRefusal says why a failed item must not be put back (nil when it
// may): its message was queued on another channel in its place (putting it
// back would send it twice: outbox.rerouted), or it belongs to no ticket
// (no audit trail to record the retry in: outbox.no_ticket).
func retryRefusal(tx Tx, it *OutboxItem) (*ConflictError, error) {
	if it.TicketID == 0 {
		return conflict("outbox.no_ticket", "ID", it.ID), nil
	}
	other, err := tx.OutboxByKey(RerouteKey(it.ID))
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return conflict("outbox.rerouted", "ID", it.ID, "Channel", string(other.Channel), "Recipient", other.Recipient,
		"Other", other.ID, "Status", string(other.Status)), nil
}

// Outbox lists outbox items, newest first.
func (d *Delivery) Outbox(ctx context.Context, f OutboxFilter) ([]OutboxItem, error) {
	switch f.Status {
	case "", OutboxPending, OutboxSending, OutboxSent, OutboxFailed:
	default:
		return nil, Invalid("status", "status.not_outbox", "Value", string(f.Status))
	}
	if f.Limit <= 0 || f.Limit > MaxPageSize {
		f.Limit = DefaultPageSize
	}
	return d.store.ListOutbox(ctx, f)
}

// ThreadIDs returns the ids of a ticket's inbound messages on a channel,
// oldest first, for a reply to thread under them (In-Reply-To, References).
func (d *Delivery) ThreadIDs(ctx context.Context, ticketID int64, ch Channel) ([]string, error) {
	var ids []string
	err := d.store.View(ctx, func(tx Tx) error {
		var err error
		ids, err = tx.ExternalIDs(ticketID, ch)
		return err
	})
	return ids, err
}

// Undeliverable records that messages to an address bounce: the ticket (or,
// without one, every open ticket of the address) is flagged, agents see why
// in the audit trail, and further messages go by Discord when the requester
// has it.
func (d *Delivery) Undeliverable(ctx context.Context, ref, address, why string) ([]string, error) {
	address = strings.TrimSpace(address)
	var refs []string
	err := d.update(ctx, func(tx *writeTx) error {
		refs = nil
		var ids []int64
		if ref != "" {
			id, err := ParseRef(ref)
			if err != nil {
				return err
			}
			ids = []int64{id}
		} else if address != "" {
			var err error
			if ids, err = tx.TicketsByRequesterEmail(address); err != nil {
				return err
			}
		}
		now := d.clock.Now()
		for _, id := range ids {
			t, err := tx.Ticket(id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if address != "" && !strings.EqualFold(t.Requester.Email, address) {
				continue // the bounce is for someone else's address
			}
			t.SetFlag(FlagUndeliverable)
			t.UpdatedAt = now
			if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: "undeliverable", Code: AuditBounced,
				Params: AuditParams{Recipient: t.Requester.Email, Error: why}}); err != nil {
				return err
			}
			if err := tx.SaveTicket(t); err != nil {
				return err
			}
			if err := d.changed(tx, t); err != nil {
				return err
			}
			refs = append(refs, t.Ref)
		}
		return nil
	})
	return refs, err
}

// Unreachable records that a requester's channel refuses the desk's
// messages (a message of the outbox could not be delivered, and never
// will be: a chat user who closed their direct messages): the ticket is
// flagged where agents see it, and the message goes on the requester's
// other channel instead when they have one. It reports whether the
// message was sent on another way.
func (d *Delivery) Unreachable(ctx context.Context, item OutboxItem, why string) (bool, error) {
	if item.TicketID == 0 {
		// A message on no ticket (TemplateReceived): no ticket to flag, and
		// no other way known to reach its recipient.
		return false, nil
	}
	var rerouted bool
	err := d.update(ctx, func(tx *writeTx) error {
		rerouted = false
		t, err := tx.Ticket(item.TicketID)
		if err != nil {
			return err
		}
		now := d.clock.Now()
		flag := unreachableFlag(item.Channel)
		t.SetFlag(flag)
		t.UpdatedAt = now
		ch, rcpt, ok := route(t)
		if ok && ch == item.Channel {
			ok = false // not flagged away: there is no other way
		}
		p := AuditParams{Template: item.Template, Channel: item.Channel, Recipient: item.Recipient, Error: why}
		if ok {
			p.Via, p.ViaRecipient = ch, rcpt
		}
		if err := tx.AddAudit(t.ID, AuditEntry{At: now, Actor: ActorSystem, Action: flag, Code: AuditNotDelivered, Params: p}); err != nil {
			return err
		}
		if err := tx.SaveTicket(t); err != nil {
			return err
		}
		if ok {
			rerouted = true
			// Keyed by the item it replaces: queued once however often this
			// is called, and a retry of the item knows its message went.
			if err := d.enqueue(tx, t, ch, rcpt, item.Template, RerouteKey(item.ID), item.Data, item.Automatic); err != nil {
				return err
			}
		}
		return d.changed(tx, t)
	})
	return rerouted, err
}

// unreachableFlag is the flag that keeps route off a requester's channel.
func unreachableFlag(ch Channel) string {
	if ch == ChannelEmail {
		return FlagUndeliverable
	}
	return FlagUnreachable
}
