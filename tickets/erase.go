package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
)

// Erasure of one requester's personal data (UU 27/2022, the GDPR): what
// goes and what stays is the domain's to say, here; the store finds and
// rewrites the rows (EraseStore). See docs/personal-data.md, "Erasure".

// Erased stands where a person's words or contact were: in a message's
// body and author, an audit entry's actor and values, a ticket's details
// and decision. It is a sign, not a word, so it reads the same in every
// language.
const Erased = "[…]"

// What an erasure removed from one ticket (AuditParams.Fields of an
// AuditErased entry; audit.erased_what.<code> in the catalog).
const (
	ErasedContact  = "contact"  // the requester's address, Discord id, name and account
	ErasedMessages = "messages" // the conversation's words, and the details
	ErasedEvidence = "evidence" // the files
	ErasedNotes    = "notes"    // what someone else (the erased person) wrote on this ticket
	ErasedMentions = "mentions" // the erased person named in what others wrote on this ticket
)

// EraseStore erases a requester's personal data.
type EraseStore interface {
	// EraseRequester runs fn in one write transaction, with the store's
	// Tx and an Eraser that finds and erases who's data in it: everything
	// fn writes is committed together, or nothing when fn (or the commit)
	// fails. On SQLite the transaction deletes with secure_delete on, the
	// search index keeps no erased word (it is merged whole when words were
	// taken out of it), and the write-ahead log is checkpointed and
	// truncated after the commit, so a copy of the files made afterwards
	// holds none of it.
	EraseRequester(ctx context.Context, who ErasureTarget, fn func(Tx, Eraser) error) error
}

// Eraser finds and erases one person's data inside EraseRequester's
// transaction.
type Eraser interface {
	// Find lists what the store keeps about the person: their own tickets
	// (by mail address in any case, or Discord id; and then by every
	// address and id those tickets give them), the tickets of others they
	// wrote on, and how much of each kind of data would go. It changes
	// nothing.
	Find() (*ErasureFound, error)
	// Erase erases what Find found, as ErasureFound's comment says, and
	// returns what it did.
	Erase(f *ErasureFound) (ErasureCounts, error)
}

// ErasureTarget names the person to erase: a mail address or a Discord id.
type ErasureTarget struct {
	Email     string `json:"email,omitempty"`
	DiscordID string `json:"discord_id,omitempty"`
}

// String is the target as it was given.
func (w ErasureTarget) String() string {
	if w.Email != "" {
		return w.Email
	}
	return "discord:" + w.DiscordID
}

// ErasureFound is what the store keeps about one person. Erase takes out:
//   - from their own tickets (Tickets): the requester's address, Discord
//     id and name, the account handle (and where it came from), the
//     details and an agent's decision in words; every message's body
//     (theirs, the agents' answers to them, the notes about them) and their
//     own name as an author; every evidence link; in the audit trail and
//     the follow-ups, the values that hold words or contacts
//     (AuditParams.Erase) and their name as an actor; the outbox's messages
//     to them (unsent ones deleted, sent and failed ones kept without
//     recipient, words or error). Other people's requests there (an
//     other_requester entry, its note and its files) are theirs, and stay;
//   - from others' tickets they wrote on (Others): their requests' entries,
//     notes and files (found exactly: the request's entry, its note by the
//     same author at the same instant, the evidence entries right after
//     it), their address wherever an audit entry named it;
//   - from any ticket of others (Mentioned, found by the search index) and
//     the kept rows above: every mention of them in text (Identity.Scrub);
//   - everywhere: files no remaining ticket links, outbox messages and
//     idempotency keys that carry their address or id, and the mail of
//     theirs the intake set aside.
//
// The tickets themselves stay, anonymised, with their bare facts.
type ErasureFound struct {
	// Identity is everything that names the person: the addresses, ids
	// and names their tickets give them (sorted, lower-case addresses).
	Emails     []string `json:"-"`
	DiscordIDs []string `json:"-"`
	Names      []string `json:"-"`
	Accounts   []string `json:"-"`
	// Tickets are their own tickets; Others the tickets of other people
	// they wrote on.
	Tickets []ErasedTicket `json:"tickets"`
	Others  []ErasedTicket `json:"others"`
	// Mentioned are others' tickets whose text named them, and no longer
	// does (Identity.Scrub).
	Mentioned []ErasedTicket `json:"mentioned"`
	// SetAside are where the intake put their mails it could not take
	// in (a folder and the mail's place in it), for the operator to delete
	// there: the store keeps only the record of it.
	SetAside []string      `json:"set_aside,omitempty"`
	Counts   ErasureCounts `json:"counts"`
}

// Empty reports whether nothing is kept about the person.
func (f *ErasureFound) Empty() bool {
	return len(f.Tickets) == 0 && len(f.Others) == 0 && len(f.Mentioned) == 0 && f.Counts == (ErasureCounts{})
}

// ErasedTicket is one ticket an erasure touches, by its bare facts.
type ErasedTicket struct {
	ID     int64  `json:"-"`
	Ref    string `json:"ref"`
	Kind   Kind   `json:"kind"`
	Status Status `json:"status"`
}

// ErasureCounts say how much of each kind of data an erasure takes out.
type ErasureCounts struct {
	Tickets         int `json:"tickets"`          // their own, anonymised
	OtherTickets    int `json:"other_tickets"`    // others' they wrote on
	Messages        int `json:"messages"`         // messages whose words go
	EvidenceLinks   int `json:"evidence_links"`   // files unlinked from a ticket
	Blobs           int `json:"blobs"`            // files deleted: no other ticket links them
	BlobsKept       int `json:"blobs_kept"`       // files kept: another person's ticket links them too
	AuditEntries    int `json:"audit_entries"`    // audit entries whose words or contacts go
	Followups       int `json:"followups"`        // follow-ups whose words or contacts go
	OutboxDeleted   int `json:"outbox_deleted"`   // messages to them not sent yet: never sent
	OutboxBlanked   int `json:"outbox_blanked"`   // sent or failed messages kept without recipient and words
	IntakeKeys      int `json:"intake_keys"`      // idempotency keys that held their address or id
	InboundFailures int `json:"inbound_failures"` // records of their mails set aside
	MentionTickets  int `json:"mention_tickets"`  // others' tickets whose text named them
	Mentions        int `json:"mentions"`         // texts (details, messages, audit entries, outbox messages, set-aside mails' subjects) a mention of them went from
}

// Erase returns p without the person's data, and whether anything
// changed. On their own ticket (all) every value that holds words or a
// contact goes (an agent's note, an error, a recipient, a file's name, a
// corrected account); on another's, only the values that name them.
func (p AuditParams) Erase(id Identity, all bool) (AuditParams, bool) {
	changed := false
	for _, s := range []*string{&p.Text, &p.Error, &p.Requester, &p.Recipient, &p.ViaRecipient, &p.Name} {
		if *s != "" && *s != Erased && (all || id.Mentions(*s)) {
			*s, changed = Erased, true
		}
	}
	if len(p.Changes) > 0 {
		ch := append([]FieldChange(nil), p.Changes...)
		for i := range ch {
			personal := ch[i].Field == "account"
			for _, s := range []*string{&ch[i].From, &ch[i].To} {
				if *s != "" && *s != Erased && (all && personal || id.Mentions(*s)) {
					*s, changed = Erased, true
				}
			}
		}
		p.Changes = ch
	}
	return p, changed
}

// Scrub returns p with every mention of the person in its values (words,
// contacts, a file's name, a field's change) replaced by Erased, and
// whether there was one.
func (p AuditParams) Scrub(id *Identity) (AuditParams, bool) {
	changed := false
	for _, s := range []*string{&p.Text, &p.Error, &p.Requester, &p.Recipient, &p.ViaRecipient, &p.Name} {
		if out, ok := id.Scrub(*s); ok {
			*s, changed = out, true
		}
	}
	if len(p.Changes) > 0 {
		ch := append([]FieldChange(nil), p.Changes...)
		for i := range ch {
			for _, s := range []*string{&ch[i].From, &ch[i].To} {
				if out, ok := id.Scrub(*s); ok {
					*s, changed = out, true
				}
			}
		}
		p.Changes = ch
	}
	return p, changed
}

// EraseWords returns what stands for words (a message's body, a ticket's
// details, an audit entry stored in words) once erased: the marker, or
// nothing when there were none.
func EraseWords(s string) string {
	if s == "" {
		return ""
	}
	return Erased
}

// EraseRules returns a verdict's steps without the account the requester
// gave and the words of steps stored before codes; the rules, outcomes,
// codes and amounts stay.
func EraseRules(steps []RuleStep) []RuleStep {
	out := make([]RuleStep, len(steps))
	for i, s := range steps {
		s.Params.Account, s.Params.OrderAccount = "", ""
		s.Detail, s.DetailRequester = EraseWords(s.Detail), EraseWords(s.DetailRequester)
		out[i] = s
	}
	return out
}

// EraseRequest asks to erase one person's data: by mail address or by
// Discord id (one of them).
type EraseRequest struct {
	Email     string
	DiscordID string
	Actor     string // the agent erasing
	// DryRun finds and counts what would go, and changes nothing.
	DryRun bool
}

// ErasureResult says what an erasure did (or, on a dry run, would do).
type ErasureResult struct {
	Who    string        `json:"who"` // the address or discord:ID as given
	DryRun bool          `json:"dry_run"`
	Actor  string        `json:"actor"`
	At     time.Time     `json:"at"`
	Found  *ErasureFound `json:"found"`
	// Nothing: nothing is kept about the person (erased already, or never
	// written to the desk); nothing was done.
	Nothing bool `json:"nothing"`
}

// Erase erases one requester's personal data in one transaction: the
// anonymised tickets keep their bare facts (reference, kind, order,
// reason, verdict and rule, amounts, currency, statuses, dates, assignee)
// so the accounts and the dashboard still add up, and each ticket touched
// gets an AuditErased entry by the agent. It refuses, changing nothing,
// while a refund of theirs is approved and not yet paid (erase.unpaid):
// the payment needs their contact. A person about whom nothing is kept
// gives a result with Nothing set, and nothing is written.
func (d *Desk) Erase(ctx context.Context, r EraseRequest) (*ErasureResult, error) {
	if err := d.checkAgent(r.Actor); err != nil {
		return nil, err
	}
	who, err := erasureTarget(r)
	if err != nil {
		return nil, err
	}
	var res *ErasureResult
	for attempt := 0; attempt < 4; attempt++ {
		var queued map[Channel]bool
		err = d.store.EraseRequester(ctx, who, func(tx Tx, e Eraser) error {
			w := &writeTx{Tx: tx, queued: map[Channel]bool{}}
			queued = w.queued
			var err error
			res, err = d.erase(w, e, who, r)
			return err
		})
		if err == nil {
			d.wake(queued)
		}
		if !errors.Is(err, ErrConcurrent) {
			break
		}
	}
	if errors.Is(err, ErrConcurrent) {
		return nil, conflict("concurrent.gave_up")
	}
	if err != nil {
		return nil, err
	}
	if !res.DryRun && !res.Nothing {
		d.log.Info("requester erased", slog.String("actor", r.Actor), slog.Int("tickets", res.Found.Counts.Tickets),
			slog.Int("other_tickets", res.Found.Counts.OtherTickets))
	}
	return res, nil
}

// erase is Erase's transaction.
func (d *Desk) erase(tx *writeTx, e Eraser, who ErasureTarget, r EraseRequest) (*ErasureResult, error) {
	now := d.clock.Now()
	res := &ErasureResult{Who: who.String(), DryRun: r.DryRun, Actor: r.Actor, At: now}
	found, err := e.Find()
	if err != nil {
		return nil, fmt.Errorf("find the requester's data: %w", err)
	}
	res.Found = found
	if found.Empty() {
		res.Nothing = true
		return res, nil
	}
	var unpaid []string
	for _, t := range found.Tickets {
		if awaitsPayment(t) {
			unpaid = append(unpaid, t.Ref)
		}
	}
	if len(unpaid) > 0 {
		return nil, conflict("erase.unpaid", "Refs", strings.Join(unpaid, ", "), "Count", len(unpaid))
	}
	if r.DryRun {
		return res, nil
	}
	counts, err := e.Erase(found)
	if err != nil {
		return nil, fmt.Errorf("erase the requester's data: %w", err)
	}
	found.Counts = counts
	for i, list := range [][]ErasedTicket{found.Tickets, found.Others, found.Mentioned} {
		for _, et := range list {
			what := [][]string{{ErasedContact, ErasedMessages, ErasedEvidence}, {ErasedNotes}, {ErasedMentions}}[i]
			if err := tx.AddAudit(et.ID, AuditEntry{At: now, Actor: r.Actor, Action: AuditErased, Code: AuditErased,
				Params: AuditParams{Fields: what}}); err != nil {
				return nil, err
			}
			t, err := tx.Ticket(et.ID)
			if err != nil {
				return nil, err
			}
			if err := d.changed(tx, t); err != nil {
				return nil, err
			}
		}
	}
	return res, nil
}

// awaitsPayment reports whether a ticket is a refund approved and not yet
// paid (resolved is paid: statemachine.go).
func awaitsPayment(t ErasedTicket) bool {
	return t.Kind == KindRefund && t.Status == StatusApproved
}

// erasureTarget checks that a request names one person, by one mail
// address or one Discord id.
func erasureTarget(r EraseRequest) (ErasureTarget, error) {
	email, discord := strings.TrimSpace(r.Email), strings.TrimSpace(r.DiscordID)
	switch {
	case email == "" && discord == "":
		return ErasureTarget{}, Invalid("requester", "erase.no_target")
	case email != "" && discord != "":
		return ErasureTarget{}, Invalid("requester", "erase.both_targets")
	case email != "":
		addr, err := mail.ParseAddress(email)
		if err != nil || addr.Address != email {
			return ErasureTarget{}, Invalid("email", "email.invalid", "Value", email)
		}
		return ErasureTarget{Email: email}, nil
	}
	if err := CheckDiscordID(discord); err != nil {
		return ErasureTarget{}, err
	}
	return ErasureTarget{DiscordID: discord}, nil
}
