package tickets

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// ExportStore reads everything the desk keeps about one requester.
type ExportStore interface {
	// ExportRequester reads, in one read-only transaction (one snapshot of
	// the store), what the desk keeps about the requester found by who's
	// mail address (in any case) or Discord id, either when both are given,
	// and calls fn with it while the transaction is open: fn reads the
	// evidence's bytes through open, one file at a time and in pieces,
	// never all of them at once. See RequesterRecords for what is read.
	ExportRequester(ctx context.Context, who Requester, fn func(*RequesterRecords, OpenEvidence) error) error
}

// OpenEvidence streams the bytes of a stored evidence file, by its SHA-256
// (ErrNotFound when there is none).
type OpenEvidence func(sha256 string) (io.Reader, error)

// RequesterRecords are what the store keeps about a requester, as read:
//   - Tickets: their own tickets (by requester address or Discord id),
//     oldest first, each with every message, evidence file, audit entry and
//     outbox item as stored, the parts of other people included (the
//     export takes those out: ExportView);
//   - Elsewhere: what they wrote on tickets that are not theirs (a note kept
//     on another requester's ticket, design.md), their message and the
//     files they sent with it only, never that ticket;
//   - Outbox: the messages queued to them on no ticket (the received
//     message of a note kept elsewhere, a mail over the limit);
//   - SetAside: the mails of theirs the intake set aside (by sender).
//
// Identity is who the person is, as erasure finds them: the address or
// Discord id asked for, then every address and id their tickets give them
// (and so on, until no new one comes), with the names on those tickets.
// Everything above is read for all of those contacts, and what is sent to
// or names any of them is theirs.
type RequesterRecords struct {
	Identity  Identity         `json:"-"`
	Tickets   []TicketDetail   `json:"tickets"`
	Elsewhere []ForeignNote    `json:"elsewhere"`
	Outbox    []OutboxItem     `json:"outbox"`
	SetAside  []InboundFailure `json:"set_aside"`
}

// ForeignNote is what a requester wrote about an order (or account) whose
// open ticket was someone else's: their message, and the files they sent
// with it. Nothing of the ticket it was kept on.
type ForeignNote struct {
	Message  Message    `json:"message"`
	Evidence []Evidence `json:"evidence"`
}

// Empty reports whether nothing is kept about the requester.
func (r *RequesterRecords) Empty() bool {
	return len(r.Tickets) == 0 && len(r.Elsewhere) == 0 && len(r.Outbox) == 0 && len(r.SetAside) == 0
}

// RequesterExport is a requester's data as it is given to them: their own
// tickets with only what is theirs or about them (ExportView), their words
// elsewhere, the messages sent to them and their mails set aside.
type RequesterExport struct {
	// Requester is who was asked for: a mail address or a Discord id.
	Requester Requester
	// Language is the one the archive speaks: their newest ticket's, else
	// that of the newest message sent to them, else English.
	Language string
	RequesterRecords
}

// ExportRequester gives agent (who acts) everything the desk keeps about
// the requester who names (a mail address, any case, or a Discord id):
// write is called with it inside one read transaction, and writes the
// archive, reading the evidence's bytes through open as it goes. Once
// write has succeeded, every exported ticket's audit trail records that
// agent exported it (AuditExported, no personal data in it): a read that
// gives people's data out of the desk is recorded, and only one that did.
// A requester of whom nothing is kept is requester.not_found; a Discord id
// is checked as erasure checks it (CheckDiscordID).
func (r *Records) ExportRequester(ctx context.Context, who Requester, agent string,
	write func(*RequesterExport, OpenEvidence) error) (*RequesterExport, error) {
	who.Email, who.DiscordID, who.Name = strings.TrimSpace(who.Email), strings.TrimSpace(who.DiscordID), ""
	switch {
	case who.Email == "" && who.DiscordID == "":
		return nil, Invalid("requester", "requester.no_identity")
	case who.Email != "" && !plausibleEmail(who.Email):
		return nil, Invalid("email", "email.invalid", "Value", who.Email)
	}
	if who.DiscordID != "" {
		// The same id erasure takes: a short number names nobody.
		if err := CheckDiscordID(who.DiscordID); err != nil {
			return nil, err
		}
	}
	if err := r.checkAgent(agent); err != nil {
		return nil, err
	}
	var out *RequesterExport
	err := r.store.ExportRequester(ctx, who, func(rec *RequesterRecords, open OpenEvidence) error {
		if rec.Empty() {
			return NotFound("requester.not_found", "Requester", contact(who))
		}
		out = ExportView(rec, who)
		return write(out, open)
	})
	if err != nil {
		return nil, err
	}
	refs := make([]string, len(out.Tickets))
	for i, d := range out.Tickets {
		refs[i] = d.Ref
	}
	// No address or id in the log: the log is not where people's data goes.
	r.log.Info("a requester's data exported", slog.String("agent", agent), slog.Any("tickets", refs),
		slog.Int("notes_elsewhere", len(out.Elsewhere)), slog.Int("messages_on_no_ticket", len(out.Outbox)),
		slog.Int("mails_set_aside", len(out.SetAside)))
	if len(out.Tickets) == 0 {
		return out, nil
	}
	now := r.clock.Now()
	err = r.update(ctx, func(tx *writeTx) error {
		for _, d := range out.Tickets {
			if err := tx.AddAudit(d.ID, AuditEntry{At: now, Actor: agent, Action: "exported", Code: AuditExported}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("record the export in the audit trail: %w", err)
	}
	return out, nil
}

// plausibleEmail is a mail address as the lookups take it: a bare address
// (no name, no angle brackets), as erasure takes it too.
func plausibleEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

// ExportView is rec as the requester who may see it: from each of their
// tickets it takes out what is someone else's or only the agents' tools
// (rec is not changed):
//   - a note someone else wrote about the ticket's order, and the audit
//     entries of it (other_requester, the files they sent, audited under
//     them right after it), and those files; the same for a request that
//     joined the ticket from someone else, as requests did before such
//     notes (requestOnTicket). A note written under another contact of the
//     person's own is theirs, and stays;
//   - an account the desk took from the order's record (SourceRecord),
//     with its source, and an agent's change from or to the record's
//     account (hiddenAccounts);
//   - any audit entry that names another requester or recipient
//     (Requester, Recipient, ViaRecipient not theirs);
//   - outbox items not addressed to them (the agents' cards and alerts);
//   - the flag other_requester, which says someone else wrote;
//   - the promotion record (the platform's, of an account that may not be
//     theirs), the follow-ups (the desk's schedule), and the rules' params
//     (they may name another account or order): each rule keeps its name
//     and outcome.
func ExportView(rec *RequesterRecords, who Requester) *RequesterExport {
	out := &RequesterExport{Requester: Requester{Email: who.Email, DiscordID: who.DiscordID}, Language: LangEnglish}
	out.Identity = exportIdentity(rec.Identity, who)
	out.Elsewhere = slices.Clone(rec.Elsewhere)
	out.Outbox = slices.Clone(rec.Outbox)
	out.SetAside = slices.Clone(rec.SetAside)
	for _, d := range rec.Tickets {
		out.Tickets = append(out.Tickets, ownView(d, out.Identity))
	}
	if n := len(out.Tickets); n > 0 {
		out.Language = out.Tickets[n-1].Language
	} else if n := len(out.Outbox); n > 0 {
		out.Language = out.Outbox[n-1].Language
	}
	if out.Language == "" {
		out.Language = LangEnglish
	}
	return out
}

// exportIdentity is id with who's own address and Discord id in it (rec
// read by the store has them already): addresses in lower case, sorted.
func exportIdentity(id Identity, who Requester) Identity {
	out := Identity{Emails: slices.Clone(id.Emails), DiscordIDs: slices.Clone(id.DiscordIDs), Names: slices.Clone(id.Names)}
	for i, e := range out.Emails {
		out.Emails[i] = strings.ToLower(e)
	}
	if e := strings.ToLower(who.Email); e != "" && !slices.Contains(out.Emails, e) {
		out.Emails = append(out.Emails, e)
	}
	if who.DiscordID != "" && !slices.Contains(out.DiscordIDs, who.DiscordID) {
		out.DiscordIDs = append(out.DiscordIDs, who.DiscordID)
	}
	slices.Sort(out.Emails)
	slices.Sort(out.DiscordIDs)
	return out
}

// IsContactOf reports whether a contact as the desk writes it (a mail
// address in any case, a Discord id, or discord:ID) is one of id's.
func IsContactOf(id Identity, s string) bool {
	if s == "" {
		return false
	}
	for _, e := range id.Emails {
		if strings.EqualFold(s, e) {
			return true
		}
	}
	for _, d := range id.DiscordIDs {
		if s == d || s == "discord:"+d {
			return true
		}
	}
	return false
}

// EvidenceName is the name of the file an evidence entry of the audit
// trail added, and whether e is one: its Params.Name, or for an entry
// written before codes (migration 0006: no code, action evidence) the
// name its words begin with ("shot.png (image/png, 30 B)").
func (e AuditEntry) EvidenceName() (string, bool) {
	switch {
	case e.Code == AuditEvidence:
		return e.Params.Name, true
	case e.Code == "" && e.Action == "evidence":
		d := strings.TrimSuffix(e.Detail, ")")
		if i := strings.LastIndex(d, " ("); i >= 0 && len(d) < len(e.Detail) {
			return d[:i], true
		}
		return e.Detail, true
	}
	return "", false
}

// requestOnTicket reports whether e is the entry of a request written on
// the ticket by someone who was not its requester then, and under which
// contact: an other_requester note (Params.Requester, or the actor before
// codes); before those, a request that joined the ticket from another
// requester (Params.Requester; before codes, the actor, and its words say
// so: the only words of those entries read here).
func requestOnTicket(e AuditEntry) (string, bool) {
	switch {
	case e.Action == "other_requester" || e.Code == AuditOtherRequester,
		e.Code == AuditJoined && e.Params.Requester != "",
		e.Code == "" && e.Action == "joined" && strings.Contains(e.Detail, "from a different requester"):
		return cmp.Or(e.Params.Requester, e.Actor), true
	}
	return "", false
}

// hiddenAccounts are the keys (AccountKey) of the accounts on d that are
// the order's record's and not the requester's: the account the desk took
// from the record (SourceRecord), and the record's own unless the ticket's
// account, given by the requester or an agent, is that one.
func hiddenAccounts(d TicketDetail) map[string]bool {
	hidden := map[string]bool{}
	fromRecord := d.Sources.Of(FieldSourceAccount) == SourceRecord
	if fromRecord && d.Account != "" {
		hidden[AccountKey(d.Account)] = true
	}
	if d.Promotion != nil && d.Promotion.Account != "" {
		if k := AccountKey(d.Promotion.Account); fromRecord || d.Account == "" || AccountKey(d.Account) != k {
			hidden[k] = true
		}
	}
	return hidden
}

func ownView(d TicketDetail, who Identity) TicketDetail {
	v := d
	// An account the desk took from the order's record is not theirs, and
	// the desk never shows it to them (messageData): neither does the
	// export, nor where it came from, nor an agent's change from or to it.
	hidden := hiddenAccounts(d)
	v.Sources = d.Sources.clone()
	if d.Sources.Of(FieldSourceAccount) == SourceRecord {
		v.Account = ""
		delete(v.Sources, FieldSourceAccount)
	}
	v.Promotion, v.Followups = nil, nil
	v.Flags = slices.DeleteFunc(slices.Clone(d.Flags), func(f string) bool { return f == FlagOtherRequester })
	v.Eligibility.Rules = make([]RuleStep, len(d.Eligibility.Rules))
	for i, s := range d.Eligibility.Rules {
		v.Eligibility.Rules[i] = RuleStep{Rule: s.Rule, Outcome: s.Outcome, Code: s.Code}
	}

	// Someone else's requests on this ticket: each other_requester entry
	// (and a request that joined it from someone else, as requests did
	// before other_requester), then the files its writer sent, audited
	// under them in the same transaction. One written under a contact of
	// the person's own (by Discord on their ticket by address, before the
	// desk knew the two were one person) is theirs, and stays.
	type stamp struct {
		actor string
		at    time.Time
	}
	notes := map[stamp]bool{}  // someone else's note (other_requester)
	joins := map[stamp]bool{}  // someone else's request joined (before other_requester)
	mine := map[stamp]bool{}   // theirs, under another contact
	files := map[string]bool{} // name and time of a file someone else sent
	fileKey := func(name string, at time.Time) string { return name + "\x00" + at.UTC().Format(time.RFC3339Nano) }
	v.Audit = nil
	for i := 0; i < len(d.Audit); i++ {
		e := d.Audit[i]
		if contact, ok := requestOnTicket(e); ok {
			if IsContactOf(who, contact) {
				mine[stamp{e.Actor, e.At.UTC()}] = true
				v.Audit = append(v.Audit, e)
				continue
			}
			if e.Code == AuditJoined || e.Action == "joined" {
				joins[stamp{e.Actor, e.At.UTC()}] = true
			} else {
				notes[stamp{e.Actor, e.At.UTC()}] = true
			}
			for i+1 < len(d.Audit) && d.Audit[i+1].Actor == e.Actor {
				name, ok := d.Audit[i+1].EvidenceName()
				if !ok {
					break
				}
				i++
				files[fileKey(name, d.Audit[i].At)] = true
			}
			continue
		}
		p := e.Params
		if (p.Requester != "" && !IsContactOf(who, p.Requester)) || (p.Recipient != "" && !IsContactOf(who, p.Recipient)) ||
			(p.ViaRecipient != "" && !IsContactOf(who, p.ViaRecipient)) {
			continue
		}
		if len(p.Changes) > 0 && len(hidden) > 0 {
			e.Params.Changes = slices.Clone(p.Changes)
			for j, c := range e.Params.Changes {
				if c.Field != FieldSourceAccount {
					continue
				}
				if hidden[AccountKey(c.From)] {
					e.Params.Changes[j].From = ""
				}
				if hidden[AccountKey(c.To)] {
					e.Params.Changes[j].To = ""
				}
			}
		}
		v.Audit = append(v.Audit, e)
	}
	v.Messages = nil
	for _, m := range d.Messages {
		at := stamp{m.Author, m.CreatedAt.UTC()}
		switch {
		case m.Kind == MessageNote && mine[at]:
		case m.Kind == MessageNote && (notes[at] || m.Channel != ChannelAgent):
			continue // someone else's words, kept as a note
		case m.Kind == MessageIn && joins[at]:
			continue // someone else's words, joined to the ticket
		}
		v.Messages = append(v.Messages, m)
	}
	v.Evidence = nil
	for _, e := range d.Evidence {
		if files[fileKey(e.Name, e.AddedAt)] {
			continue
		}
		v.Evidence = append(v.Evidence, e)
	}
	v.Outbox = nil
	for _, it := range d.Outbox {
		if IsContactOf(who, it.Recipient) {
			v.Outbox = append(v.Outbox, it)
		}
	}
	return v
}
