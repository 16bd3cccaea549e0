package tickets

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is what a ticket asks for.
type Kind string

const (
	KindRefund     Kind = "refund"     // money back for a promotion order
	KindRevocation Kind = "revocation" // withdraw a content authorization
)

// Kinds lists every kind, in display order.
var Kinds = []Kind{KindRefund, KindRevocation}

// Status is where a ticket stands in its life.
type Status string

const (
	StatusNew             Status = "new"
	StatusNeedsInfo       Status = "needs_info"       // waiting on the requester
	StatusInReview        Status = "in_review"        // waiting on an agent
	StatusWaitingPlatform Status = "waiting_platform" // forwarded to the platform
	StatusApproved        Status = "approved"
	StatusDenied          Status = "denied"
	StatusResolved        Status = "resolved" // refund paid / revocation done
	StatusClosed          Status = "closed"
)

// Statuses lists every status in the order of a ticket's life.
var Statuses = []Status{StatusNew, StatusNeedsInfo, StatusInReview, StatusWaitingPlatform,
	StatusApproved, StatusDenied, StatusResolved, StatusClosed}

// Open reports whether a ticket in this status still takes requests for its
// order: everything before resolved and closed.
func (s Status) Open() bool { return s != StatusResolved && s != StatusClosed }

// WaitingOnAgents reports whether an agent owes the next step.
func (s Status) WaitingOnAgents() bool { return s == StatusNew || s == StatusInReview }

// Undecided reports whether no decision has been taken yet: the verdict may
// still move the ticket (auto-approval, back to in_review).
func (s Status) Undecided() bool {
	return s == StatusNew || s == StatusNeedsInfo || s == StatusInReview
}

// Channel is where a ticket came from.
type Channel string

const (
	ChannelDiscord Channel = "discord"
	ChannelEmail   Channel = "email"
	ChannelAgent   Channel = "agent" // filed by an agent (CLI, API) on someone's behalf
)

// Channels lists every channel a request can come from.
var Channels = []Channel{ChannelDiscord, ChannelEmail, ChannelAgent}

// Channels for the agents (a channel's board of ticket cards, its alerts)
// are the channels' own: they are registered in Options.Watchers and
// Options.Alerts, not named here.

// Reason is the requester's reason for a refund, one of the policy's categories.
type Reason string

const (
	ReasonUnderDelivery     Reason = "under_delivery"
	ReasonTechnicalError    Reason = "technical_error"
	ReasonRejected          Reason = "rejected"
	ReasonStoppedByPlatform Reason = "stopped_by_platform"
	ReasonDuplicateCharge   Reason = "duplicate_charge"
	ReasonClosedEarly       Reason = "closed_early"
	ReasonWrongVideo        Reason = "wrong_video"
	ReasonChangedMind       Reason = "changed_mind"
	ReasonOther             Reason = "other"
)

// Reasons lists every reason in the order the policy table gives them.
var Reasons = []Reason{ReasonUnderDelivery, ReasonTechnicalError, ReasonRejected,
	ReasonStoppedByPlatform, ReasonDuplicateCharge, ReasonClosedEarly, ReasonWrongVideo,
	ReasonChangedMind, ReasonOther}

// Verdict is what the policy says of a request.
type Verdict string

const (
	VerdictEligible    Verdict = "eligible"
	VerdictIneligible  Verdict = "ineligible"
	VerdictNeedsInfo   Verdict = "needs_info"
	VerdictNeedsReview Verdict = "needs_review"
)

// Verdicts lists every verdict.
var Verdicts = []Verdict{VerdictEligible, VerdictIneligible, VerdictNeedsInfo, VerdictNeedsReview}

// Flags that the domain and the channels set on tickets.
const (
	FlagAccountMismatch  = "account_mismatch"  // the account differs from the order's
	FlagUnverifiedSender = "unverified_sender" // mail failed DMARC/DKIM/SPF
	FlagUndeliverable    = "undeliverable"     // mail to the requester bounced
	FlagUnreachable      = "dm_closed"         // the requester's chat channel refuses the desk's messages (Unreachable)
	FlagReopened         = "reopened"          // opened again after a decision
	// FlagOtherRequester: someone who is not the requester wrote about the
	// ticket's order (or account); their words are an internal note.
	FlagOtherRequester = "other_requester"
	// FlagGuessed: the channel's reading model, not its rules, gave the
	// request's kind or reason (mail: Request.Guessed); an agent checks it.
	FlagGuessed = "guessed"
)

// Flags lists the flags the query language accepts.
var Flags = []string{FlagAccountMismatch, FlagUnverifiedSender, FlagUndeliverable, FlagUnreachable, FlagReopened,
	FlagOtherRequester, FlagGuessed}

// Languages the desk answers in.
const (
	LangEnglish    = "en"
	LangIndonesian = "id"
)

// Requester is who asked, on the channel they asked from.
type Requester struct {
	Email     string `json:"email"`
	DiscordID string `json:"discord_id"`
	Name      string `json:"name"`
}

// Ticket is one request and its current state. The JSON form is the stable
// contract of `--json` and of the HTTP API.
type Ticket struct {
	ID          int64       `json:"-"`
	Ref         string      `json:"ref"`
	Kind        Kind        `json:"kind"`
	Status      Status      `json:"status"`
	Channel     Channel     `json:"channel"`
	Account     string      `json:"account"`
	Order       string      `json:"order"`
	Reason      Reason      `json:"reason"`
	Details     string      `json:"details"`
	Language    string      `json:"language"`
	Sources     Sources     `json:"sources"` // where kind, account, order and reason came from (sources.go)
	Requester   Requester   `json:"requester"`
	Evidence    []Evidence  `json:"evidence"`
	Eligibility Eligibility `json:"eligibility"`
	Flags       []string    `json:"flags"`
	Assignee    string      `json:"assignee"`
	// ApprovedAmount is what an agent (or auto-approval) granted, in minor units.
	ApprovedAmount *int64 `json:"approved_amount,omitempty"`
	// Decision is the reason given with a denial, or the note with an
	// approval, in the agent's words. A decision the desk took by itself
	// is a code instead (DecisionCode: DecisionAutoApproved, with its
	// DecisionParams), which an edge that shows the ticket writes into
	// Decision through the catalog.
	Decision       string      `json:"decision,omitempty"`
	DecisionCode   string      `json:"decision_code,omitempty"`
	DecisionParams AuditParams `json:"decision_params,omitzero"`
	ParentRef      string      `json:"parent_ref,omitempty"` // the closed ticket this one follows
	// InfoRequested: an agent asked the requester something that is not answered yet.
	InfoRequested   bool      `json:"info_requested,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
	StatusChangedAt time.Time `json:"status_changed_at"`
	// WaitingSince is when the ticket last started waiting on agents (zero
	// when it is not waiting on them); the first-response target runs from it.
	WaitingSince *time.Time `json:"waiting_since,omitempty"`
	// Version counts the transactions that changed the ticket: 1 when it is
	// created, one more with each that saves it. An agent's change may name
	// the version it saw (ActionRequest.ExpectVersion, Fields.ExpectVersion)
	// and is refused (ticket.changed) when the ticket has moved on since.
	Version int64 `json:"version"`

	// Stale marks a verdict that must be computed again (its promotion record
	// changed); the service clears it.
	Stale bool `json:"-"`
}

// HasFlag reports whether the ticket carries flag.
func (t *Ticket) HasFlag(flag string) bool {
	for _, f := range t.Flags {
		if f == flag {
			return true
		}
	}
	return false
}

// SetFlag adds flag (once) and reports whether it was new.
func (t *Ticket) SetFlag(flag string) bool {
	if t.HasFlag(flag) {
		return false
	}
	t.Flags = append(t.Flags, flag)
	return true
}

// ClearFlag removes flag and reports whether it was there.
func (t *Ticket) ClearFlag(flag string) bool {
	for i, f := range t.Flags {
		if f == flag {
			t.Flags = append(t.Flags[:i], t.Flags[i+1:]...)
			return true
		}
	}
	return false
}

// Evidence is a file attached to a ticket, stored once by its SHA-256.
type Evidence struct {
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	AddedAt     time.Time `json:"added_at"`
}

// Eligibility is the policy's verdict on a ticket and how it was reached.
type Eligibility struct {
	Verdict      Verdict    `json:"verdict"`
	RefundAmount int64      `json:"refund_amount"`
	Currency     string     `json:"currency"`
	Rules        []RuleStep `json:"rules"`
	EvaluatedAt  time.Time  `json:"evaluated_at"`
}

// RuleStep is one check that ran and its outcome, in codes: Code names the
// explanation and Params holds what it speaks of. The channels put it in
// words through the message catalog (templates.Catalog), in any language.
//
// Detail and DetailRequester are words the policy never writes. A verdict
// stored before explanations became codes has only them (Code is empty) and
// is shown as it was stored; an edge that shows a ticket (JSON, the CLI)
// fills them in: Detail in English for agents, DetailRequester in the
// ticket's language.
type RuleStep struct {
	Rule            string     `json:"rule"`
	Outcome         string     `json:"outcome"` // "pass", or the verdict it decided
	Code            string     `json:"code,omitempty"`
	Params          RuleParams `json:"params,omitzero"`
	Detail          string     `json:"detail"`
	DetailRequester string     `json:"detail_requester,omitempty"`
}

// UnmarshalJSON reads a step, or a plain string: the explanation of a message
// queued before explanations became codes (its words, in the requester's
// language).
func (s *RuleStep) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var text string
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		*s = RuleStep{Detail: text, DetailRequester: text}
		return nil
	}
	type plain RuleStep // without this method
	return json.Unmarshal(b, (*plain)(s))
}

// RuleParams are the values a rule step's explanation speaks of, as data:
// money in minor units of Currency, instants, counts, a percentage, spans of
// time (JSON: nanoseconds), and codes (the promotion's status, what evidence
// is needed). Shares of the promised reach are worked out from Delivered and
// Promised when shown, exactly.
type RuleParams struct {
	Order        string          `json:"order,omitempty"`
	Account      string          `json:"account,omitempty"`
	OrderAccount string          `json:"order_account,omitempty"` // the account the order is on record for
	Twin         string          `json:"twin,omitempty"`          // the other order of a duplicate charge
	PromoStatus  PromotionStatus `json:"promotion_status,omitempty"`
	Scope        string          `json:"scope,omitempty"` // of an authorization: video or account

	Currency  string `json:"currency,omitempty"`
	Paid      int64  `json:"paid,omitempty"`
	Spent     int64  `json:"spent,omitempty"`
	Unspent   int64  `json:"unspent,omitempty"` // paid − spent, at least 0
	Refunded  int64  `json:"refunded,omitempty"`
	Remaining int64  `json:"remaining,omitempty"` // paid − refunded
	Shortfall int64  `json:"shortfall,omitempty"` // the share of paid that was not delivered
	Refund    int64  `json:"refund,omitempty"`    // what the step grants

	Delivered        int64 `json:"delivered,omitempty"`
	Promised         int64 `json:"promised,omitempty"`
	ThresholdPercent int64 `json:"threshold_percent,omitempty"`

	Ended      time.Time     `json:"ended,omitzero"`
	WindowEnd  time.Time     `json:"window_end,omitzero"` // the last moment of the refund window
	Granted    time.Time     `json:"granted,omitzero"`
	Revoked    time.Time     `json:"revoked,omitzero"`
	WindowDays int           `json:"window_days,omitempty"`
	Gap        time.Duration `json:"gap,omitempty"`    // between twin orders
	Window     time.Duration `json:"window,omitempty"` // the policy's twin window

	Evidence     int    `json:"evidence,omitempty"`      // files attached
	EvidenceWhat string `json:"evidence_what,omitempty"` // an Evidence* code
}

// Deciding returns the step that decided the verdict (the last one), if any.
func (e Eligibility) Deciding() (RuleStep, bool) {
	if len(e.Rules) == 0 {
		return RuleStep{}, false
	}
	return e.Rules[len(e.Rules)-1], true
}

// MessageKind says which way a message went.
type MessageKind string

const (
	MessageIn   MessageKind = "in"   // from the requester
	MessageOut  MessageKind = "out"  // to the requester
	MessageNote MessageKind = "note" // internal, agents only
)

// Message is one entry of a ticket's conversation.
type Message struct {
	ID         int64       `json:"id"`
	Kind       MessageKind `json:"kind"`
	Channel    Channel     `json:"channel"`
	Author     string      `json:"author"`
	Body       string      `json:"body"`
	ExternalID string      `json:"external_id,omitempty"` // Message-ID, interaction id
	CreatedAt  time.Time   `json:"created_at"`
}

// AuditEntry records who did what to a ticket, and when, in codes: Code
// says what happened (one of AuditCodes; empty when there is nothing more
// to say than the action) and Params what it speaks of (audit.go).
//
// Detail is words the domain never writes. An entry stored before the audit
// trail became codes has only them (Code is empty) and is shown as it was
// stored; an edge that shows a ticket (JSON, the CLI) fills them in, in
// English, through the catalog (templates.Catalog.Audit).
type AuditEntry struct {
	At         time.Time   `json:"at"`
	Actor      string      `json:"actor"`
	Action     string      `json:"action"`
	FromStatus Status      `json:"from_status,omitempty"`
	ToStatus   Status      `json:"to_status,omitempty"`
	Code       string      `json:"code,omitempty"`
	Params     AuditParams `json:"params,omitzero"`
	Detail     string      `json:"detail,omitempty"`
}

// TicketDetail is the whole story of a ticket, for `show`.
type TicketDetail struct {
	Ticket
	Promotion *Promotion   `json:"promotion"`
	Messages  []Message    `json:"messages"`
	Audit     []AuditEntry `json:"audit"`
	Outbox    []OutboxItem `json:"outbox"`
	// Followups are what is due on the ticket, and what was done or cancelled.
	Followups []Followup `json:"followups"`
}

// FormatRef turns a ticket id into its reference, RD-<n>.
func FormatRef(id int64) string { return "RD-" + strconv.FormatInt(id, 10) }

// ParseRef turns "RD-12", "rd-12", "#12" or "12" into a ticket id.
func ParseRef(ref string) (int64, error) {
	s := strings.TrimSpace(ref)
	switch {
	case len(s) > 3 && strings.EqualFold(s[:3], "RD-"):
		s = s[3:]
	case strings.HasPrefix(s, "#"):
		s = s[1:]
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strings.HasPrefix(s, "+") {
		return 0, Invalid("ref", "ref.invalid", "Value", ref)
	}
	return id, nil
}

// ParseKind validates a kind.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if string(k) == s {
			return k, nil
		}
	}
	return "", Invalid("kind", "kind.unknown", "Value", s, "Allowed", joinEnum(Kinds))
}

// ParseStatus validates a status.
func ParseStatus(s string) (Status, error) {
	for _, v := range Statuses {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Invalid("status", "status.unknown", "Value", s, "Allowed", joinEnum(Statuses))
}

// ParseReason validates a reason. The empty string is "no reason given".
func ParseReason(s string) (Reason, error) {
	if s == "" {
		return "", nil
	}
	for _, v := range Reasons {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Invalid("reason", "reason.unknown", "Value", s, "Allowed", joinEnum(Reasons))
}

// ParseChannel validates a channel.
func ParseChannel(s string) (Channel, error) {
	for _, v := range Channels {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Invalid("channel", "channel.unknown", "Value", s, "Allowed", joinEnum(Channels))
}

// ParseVerdict validates a verdict.
func ParseVerdict(s string) (Verdict, error) {
	for _, v := range Verdicts {
		if string(v) == s {
			return v, nil
		}
	}
	return "", Invalid("verdict", "verdict.unknown", "Value", s, "Allowed", joinEnum(Verdicts))
}

// ParseLanguage checks that a language is one of known, the languages the
// desk answers in (BCP 47 tags: Options.Languages; when none are given,
// those DetectLanguage tells apart), and returns it as known writes it. It
// takes a tag as MatchLanguage does ("id", "ID", "in", "id-ID") or the
// language's name in English or in itself ("Indonesian"); empty means
// English.
func ParseLanguage(s string, known []string) (string, error) {
	if len(known) == 0 {
		known = detectedLanguages
	}
	if strings.TrimSpace(s) == "" {
		return LangEnglish, nil
	}
	if lang, ok := MatchLanguage(s, known); ok {
		return lang, nil
	}
	if lang, ok := languageNamed(s, known); ok {
		return lang, nil
	}
	return "", Invalid("language", "language.unknown", "Value", s, "Allowed", strings.Join(known, ", "))
}

func joinEnum[T ~string](vs []T) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = string(v)
	}
	return strings.Join(parts, ", ")
}

// NormalizeOrder strips the spaces and dashes people type inside order
// numbers and checks what is left is digits.
func NormalizeOrder(s string) (string, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '\u00a0':
		default:
			return "", Invalid("order", "order.not_digits", "Value", s)
		}
	}
	out := b.String()
	if len(out) > 32 {
		return "", Invalid("order", "order.too_long", "Value", s)
	}
	return out, nil
}

// AccountKey is the form accounts are compared in: no leading @, lower case.
func AccountKey(account string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(account), "@"))
}

// NormalizeAccount returns the display form of an account, "@handle", and
// checks it looks like one.
func NormalizeAccount(s string) (string, error) {
	key := strings.TrimPrefix(strings.TrimSpace(s), "@")
	if key == "" {
		return "", nil
	}
	if len(key) > 64 {
		return "", Invalid("account", "account.too_long", "Value", s)
	}
	for _, r := range key {
		if r <= ' ' || r == '@' || r == '\u00a0' || r == '"' || r == '\'' || r == '<' || r == '>' {
			return "", Invalid("account", "account.invalid", "Value", s)
		}
	}
	return "@" + key, nil
}

// String is the reference and status, for logs.
func (t *Ticket) String() string { return fmt.Sprintf("%s (%s)", t.Ref, t.Status) }
