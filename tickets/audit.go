package tickets

import "time"

// The audit trail speaks in codes, as the policy's explanations do: an
// AuditEntry's Code names what happened (audit.<code> in the message
// catalog) and its Params hold what it speaks of, as data. The edges put an
// entry in words through templates.Catalog (Audit), in any language. An
// entry written before codes has only its words, in Detail, and keeps them.

// The codes of the audit trail (AuditEntry.Code).
const (
	AuditApproved         = "approved"          // an agent approved Amount (Text: their note)
	AuditAssigned         = "assigned"          // From → To (an empty one is nobody)
	AuditAutoApproved     = "auto_approved"     // Amount, at or below the policy's Limit
	AuditAutoClosed       = "auto_closed"       // after Waited without an answer; reopen within Window
	AuditBounced          = "bounced"           // mail to Recipient bounced: Error
	AuditCause            = "cause"             // the status moved because of Why
	AuditComment          = "comment"           // the agent's own words, Text
	AuditCreated          = "created"           // a Kind request by Channel
	AuditEdited           = "edited"            // Changes, field by field
	AuditErased           = "erased"            // the requester's personal data erased: Fields says what went (Erased*, erase.go)
	AuditEscalated        = "escalated"         // Alert, as queued for the agents
	AuditEvidence         = "evidence"          // a file: Name, ContentType, Size
	AuditExported         = "exported"          // the requester's personal data given out as one archive (export.go)
	AuditGave             = "gave"              // the requester gave Fields
	AuditHeldBack         = "held_back"         // Template to Recipient not sent: Count automatic mails, the limit is Max
	AuditJoined           = "joined"            // another Kind request by Channel (from Requester, when another); Fields filled
	AuditNotDelivered     = "not_delivered"     // Template to Channel:Recipient failed for good (Error); sent by Via to ViaRecipient
	AuditNotReminded      = "not_reminded"      // no way to reach the requester
	AuditOtherRequester   = "other_requester"   // a Kind request by Channel from Requester, not the ticket's requester: kept as a note
	AuditOutboxRetry      = "outbox_retry"      // Template to Channel Recipient (Outbox) put back; it had failed with Error
	AuditProgressUpdate   = "progress_update"   // told the requester the platform is still at it
	AuditReminded         = "reminded"          // no answer Since
	AuditRequesterWrote   = "requester_wrote"   // the requester wrote again
	AuditVerdict          = "verdict"           // VerdictBefore → Verdict (Rule), refund Amount; Why
	AuditVerdictUnchanged = "verdict_unchanged" // Verdict (Rule), refund Amount, computed again; Why
)

// AuditCodes are every AuditEntry.Code, sorted: each is in every language's
// catalog.
var AuditCodes = []string{
	AuditApproved, AuditAssigned, AuditAutoApproved, AuditAutoClosed, AuditBounced, AuditCause, AuditComment,
	AuditCreated, AuditEdited, AuditErased, AuditEscalated, AuditEvidence, AuditExported, AuditGave, AuditHeldBack, AuditJoined,
	AuditNotDelivered, AuditNotReminded, AuditOtherRequester, AuditOutboxRetry, AuditProgressUpdate, AuditReminded,
	AuditRequesterWrote, AuditRetention, AuditRetentionMessages, AuditVerdict, AuditVerdictUnchanged,
}

// What made the desk compute a verdict again (AuditParams.Why;
// audit.why.<code> in the catalog).
const (
	CauseEvidenceAdded     = "evidence_added"
	CauseFieldsChanged     = "fields_changed"
	CauseRecordsChanged    = "records_changed"
	CauseReopening         = "reopening" // computed again on the records as they are now
	CauseRequestJoined     = "request_joined"
	CauseRequesterAnswered = "requester_answered"
)

// Causes are every AuditParams.Why, sorted.
var Causes = []string{CauseEvidenceAdded, CauseFieldsChanged, CauseRecordsChanged, CauseReopening,
	CauseRequestJoined, CauseRequesterAnswered}

// DecisionAutoApproved is a ticket's DecisionCode when the desk approved it
// by itself: at or below DecisionParams.Limit.
const DecisionAutoApproved = "auto_approved"

// AuditParams are the values an audit entry speaks of, as data: money in
// minor units of Currency, spans of time (JSON: nanoseconds), instants,
// sizes in bytes, lists as lists, codes (a verdict, a rule, a kind, a
// channel, a cause), and people's own words as they gave them (an agent's
// note, a bounce's reason, a delivery error), which are shown as they are.
type AuditParams struct {
	Text  string `json:"text,omitempty"`  // an agent's own words
	Why   string `json:"why,omitempty"`   // a Cause* code
	Error string `json:"error,omitempty"` // words from outside: a bounce's reason, a delivery error

	From    string        `json:"from,omitempty"` // an assignee before ("" is nobody)
	To      string        `json:"to,omitempty"`   // and after
	Changes []FieldChange `json:"changes,omitempty"`
	Fields  []string      `json:"fields,omitempty"` // the fields a requester gave or a request filled

	VerdictBefore Verdict `json:"verdict_before,omitempty"`
	Verdict       Verdict `json:"verdict,omitempty"`
	Rule          string  `json:"rule,omitempty"` // the deciding rule

	Currency string `json:"currency,omitempty"`
	Amount   int64  `json:"amount,omitempty"` // a refund, an approval
	Limit    int64  `json:"limit,omitempty"`  // the policy's auto_approve_below

	Kind      Kind    `json:"kind,omitempty"`
	Channel   Channel `json:"channel,omitempty"`
	Requester string  `json:"requester,omitempty"` // a joining requester who is not the ticket's

	Name        string `json:"name,omitempty"` // a file's
	ContentType string `json:"content_type,omitempty"`
	Size        int64  `json:"size,omitempty"` // bytes

	Template     string  `json:"template,omitempty"`
	Recipient    string  `json:"recipient,omitempty"`
	Outbox       int64   `json:"outbox,omitempty"` // an outbox item's id
	Via          Channel `json:"via,omitempty"`    // the channel a message went by instead
	ViaRecipient string  `json:"via_recipient,omitempty"`
	Count        int     `json:"count,omitempty"`
	Max          int     `json:"max,omitempty"`

	Followup FollowupKind  `json:"followup,omitempty"` // a later follow-up that is due too
	Alert    *Alert        `json:"alert,omitempty"`
	Waited   time.Duration `json:"waited,omitempty"`
	Window   time.Duration `json:"window,omitempty"` // the reopen window
	Since    time.Time     `json:"since,omitzero"`
}

// FieldChange is one field an agent corrected, from what to what ("" is
// none).
type FieldChange struct {
	Field string `json:"field"` // account, order, reason, language
	From  string `json:"from"`
	To    string `json:"to"`
}

// comment is the audit of an action given with an agent's words: none
// without them.
func comment(text string) AuditEntry {
	if text == "" {
		return AuditEntry{}
	}
	return AuditEntry{Code: AuditComment, Params: AuditParams{Text: text}}
}

// verdictAudit is the audit of a verdict computed again: code is
// AuditVerdict (before is what it was) or AuditVerdictUnchanged.
func verdictAudit(code string, before Verdict, el Eligibility, why string) AuditParams {
	p := AuditParams{VerdictBefore: before, Verdict: el.Verdict, Why: why}
	if code == AuditVerdictUnchanged {
		p.VerdictBefore = ""
	}
	if step, ok := el.Deciding(); ok {
		p.Rule = step.Rule
	}
	if el.RefundAmount > 0 {
		p.Amount, p.Currency = el.RefundAmount, el.Currency
	}
	return p
}
