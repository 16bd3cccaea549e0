package tickets

import (
	"errors"
	"fmt"
	"time"
)

// Templates the outbox refers to; the channels render them from templates/.
const (
	TemplateAcknowledgement     = "acknowledgement"
	TemplateRequestInfo         = "request_info"
	TemplateApproved            = "approved"
	TemplateDenied              = "denied"
	TemplateRevocationForwarded = "revocation_forwarded"
	TemplateRevocationDone      = "revocation_done"
	TemplateReply               = "reply"
	TemplateReminder            = "reminder"
	TemplateAutoClosed          = "auto_closed"
	TemplateClosePromotion      = "close_promotion"
	// TemplateStillInProgress tells a requester that the platform is still
	// working on what was forwarded to it.
	TemplateStillInProgress = "still_in_progress"
	// TemplateReceived tells someone only that their message was received:
	// no ticket, reference or status. It answers a request about an order
	// whose open ticket is someone else's (FlagOtherRequester), and a new
	// mail past the sender's hourly limit of new tickets (Limit set). It is
	// queued on no ticket.
	TemplateReceived = "received"

	// TemplateCard tells a watcher (Options.Watchers) that a ticket was
	// created or changed; TemplateAlert takes an alert to the agents
	// (Options.Alerts). Both go to agents' channels, never to a requester.
	TemplateCard  = "card"
	TemplateAlert = "alert"
)

// Outbox statuses.
const (
	OutboxPending = "pending" // waiting for its time (first try or a retry)
	OutboxSending = "sending" // leased to a sender
	OutboxSent    = "sent"
	OutboxFailed  = "failed" // gave up: a permanent error, or too many tries
)

// MessageData is what a template needs to write a message to a requester. It
// is a snapshot taken in the transaction that queued the message, so a
// message says what was true when it was decided.
type MessageData struct {
	Ref      string  `json:"ref"`
	Kind     Kind    `json:"kind"`
	Status   Status  `json:"status"`
	Account  string  `json:"account,omitempty"`
	Order    string  `json:"order,omitempty"`
	Reason   Reason  `json:"reason,omitempty"`
	Verdict  Verdict `json:"verdict,omitempty"`
	Amount   int64   `json:"amount,omitempty"`
	Currency string  `json:"currency,omitempty"`
	// Missing lists what the requester still has to send: order, order_unknown,
	// account, reason, evidence.
	Missing []string `json:"missing,omitempty"`
	// Text is the agent's question, reply or reason for a denial.
	Text string `json:"text,omitempty"`
	// Explanation is the verdict's reasoning: the steps that did not simply
	// pass, in codes; the channel puts them in the requester's language. (An
	// item queued before codes holds the words themselves: see RuleStep.)
	Explanation []RuleStep `json:"explanation,omitempty"`
	// Joined: the request was added to a ticket already open for the order.
	Joined bool `json:"joined,omitempty"`
	// PaymentMethod is how the order was paid (wallet, coins, card; empty
	// when the order has no record), for advice that depends on it (a
	// denial's dispute).
	PaymentMethod string `json:"payment_method,omitempty"`
	// Limit, for TemplateReceived: the new tickets one address may open in
	// an hour, which this mail went past (0: not about a limit).
	Limit int `json:"limit,omitempty"`
	// Alert is why a ticket needs the agents, for TemplateAlert, in a code
	// the channel writes at send time. (An alert queued before codes has
	// its words in Text and no Alert.)
	Alert *Alert `json:"alert,omitempty"`
}

// The alerts the follow-ups raise for the agents (Alert.Code; alert.<code>
// in the message catalog).
const (
	AlertWaitingAgent    = "waiting_agent"    // past the first-response target (Target)
	AlertWaitingPlatform = "waiting_platform" // the platform has not answered
	AlertNotResolved     = "not_resolved"     // approved and not marked paid
)

// AlertCodes are every Alert.Code: each is in every language's catalog.
var AlertCodes = []string{AlertNotResolved, AlertWaitingAgent, AlertWaitingPlatform}

// Alert says why a ticket needs the agents: how long it has waited, and
// for AlertWaitingAgent the first-response target it is past.
type Alert struct {
	Code   string        `json:"code"`
	Ref    string        `json:"ref"`
	Waited time.Duration `json:"waited"`
	Target time.Duration `json:"target,omitempty"`
}

// OutboxItem is one message waiting to go to a requester, written in the same
// transaction as the change that caused it.
type OutboxItem struct {
	ID        int64       `json:"id"`
	TicketID  int64       `json:"-"`
	TicketRef string      `json:"ticket"`
	Channel   Channel     `json:"channel"`
	Recipient string      `json:"recipient"`
	Template  string      `json:"template"`
	Language  string      `json:"language"`
	Data      MessageData `json:"data"`
	Status    string      `json:"status"`
	Attempts  int         `json:"attempts"`
	LastError string      `json:"last_error,omitempty"`
	// Automatic: sent by the desk itself, not by an agent.
	Automatic bool `json:"automatic"`
	// ExternalID is the id the channel gave the message once sent.
	ExternalID    string     `json:"external_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	NextAttemptAt time.Time  `json:"next_attempt_at"`
	SentAt        *time.Time `json:"sent_at,omitempty"`
	// Key makes queuing idempotent: a second item with the same key is dropped.
	Key string `json:"-"`
	// LeaseUntil, on a claimed item, is when its sender's lease ends, as
	// the claim wrote it. It is also the lease's token: a claim of an item
	// whose lease ran out writes a later one, and finishing the item
	// (Delivery.FinishOutbox) checks it, so a sender that lost its lease
	// changes nothing.
	LeaseUntil time.Time `json:"-"`
}

// OutboxResult is what became of one delivery attempt.
type OutboxResult struct {
	Sent       bool
	ExternalID string // the Message-ID or message id the channel gave it
	Err        string // why it failed
	// Permanent: trying again cannot help (a 5xx, an unknown user).
	Permanent bool
	// RetryAt: when to try again after a temporary failure.
	RetryAt time.Time
	// Deferred: the item was not tried because the channel itself is down
	// (its connection or login failed, not this message). Its lease is given
	// back and the attempt is not counted; its next try is not moved, and Err
	// becomes its last error. DeliverOutbox then stops the run and gives back
	// the rest of the batch the same way.
	Deferred bool
	// Stop: the result is recorded as it says (a temporary failure,
	// charged to this item), then the run stops as for a deferral: the rest
	// of the batch is given back uncounted and DeliverOutbox returns
	// ErrChannelDown wrapping Cause. For a connection lost while this very
	// message was being sent: the message goes behind the others, and the
	// next run tries them on a new connection.
	Stop bool
	// Cause is the error behind a deferral or a stop, for DeliverOutbox's
	// caller; it is not stored.
	Cause error
}

// ErrChannelDown: a channel could not deliver anything because its
// connection is down (the SMTP session failed). DeliverOutbox returns it,
// wrapping the cause, after giving the claimed items back uncounted.
var ErrChannelDown = errors.New("the channel is down; nothing was attempted")

// OutboxRetry says which failed outbox items an agent puts back in the
// queue: the ones named, or every failed one (of a channel).
type OutboxRetry struct {
	IDs []int64 `json:"ids,omitempty"`
	// Failed: every failed item of Channel (email and discord when empty).
	Failed  bool    `json:"failed,omitempty"`
	Channel Channel `json:"channel,omitempty"`
}

// OutboxRetried is what RetryOutbox did: the items put back in the queue,
// and those a retry of every failed item left alone, with why.
type OutboxRetried struct {
	Requeued []OutboxItem    `json:"requeued"`
	Skipped  []OutboxSkipped `json:"skipped"`
}

// OutboxSkipped is a failed item a retry did not put back, and why: Code
// and Params are the conflict a retry of this item alone is refused with
// (outbox.rerouted, outbox.no_ticket); Why is left for the edges to write
// in words (templates.Catalog.Explain).
type OutboxSkipped struct {
	OutboxItem
	Code   string `json:"code"`
	Params Params `json:"params,omitempty"`
	Why    string `json:"why"`
}

// RerouteKey is the key of the message queued on another channel in place
// of outbox item id (Unreachable): it queues that message once, and tells a
// retry that item id's message went another way.
func RerouteKey(id int64) string { return fmt.Sprintf("rerouted:%d", id) }

// OutboxFilter selects outbox items to list.
type OutboxFilter struct {
	Status  string // "" for any
	Channel Channel
	Limit   int
	// Before, when set, lists only items older than this id: the last id
	// of the page before (the list is newest first).
	Before int64
}

// Cursor is where an intake stopped in a source (an IMAP folder).
type Cursor struct {
	UIDValidity uint32
	LastUID     uint32
	UpdatedAt   time.Time
}

// InboundFailure is an inbound item that could not be taken in.
type InboundFailure struct {
	ID        int64     `json:"id"`
	Channel   Channel   `json:"channel"`
	Key       string    `json:"key"`
	Source    string    `json:"source"`
	Sender    string    `json:"sender"`
	Subject   string    `json:"subject"`
	Size      int64     `json:"size"`
	Reason    string    `json:"reason"`
	SetAside  string    `json:"set_aside"` // where it was put (a folder)
	CreatedAt time.Time `json:"created_at"`
}
