package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// IntakeConfig says who the desk is on mail and what it takes in.
type IntakeConfig struct {
	// Address is the desk's own address: mail from it is never taken in.
	Address string
	// MessageIDDomain is the domain of the desk's Message-IDs (default: the
	// Address's domain); mail carrying it as its own id is never taken in.
	MessageIDDomain string
	// MaxSize is the largest mail taken in (default 25 MiB).
	MaxSize int64
	// RequireAuth: a mail with no authentication result the desk believes
	// (see Auth) is unverified too.
	RequireAuth bool
	// Auth says whose Authentication-Results are believed, and whether the
	// desk checks DKIM signatures itself.
	Auth AuthConfig
	// OwnListIDs are the List-Ids of the desk's own lists (a Google Group
	// or an alias list that delivers to the desk): mail relayed by them is
	// taken in as any other. The list of Address ("support.shop.example"
	// for support@shop.example) is always one.
	OwnListIDs []string
	// NewTicketsPerHour: new tickets one sender's address may open in an
	// hour (mail.new_tickets_per_hour; 0: no limit). A mail past it opens
	// none: it is set aside (TookFailed, Code ReasonRateLimited) and its
	// sender answered once (tickets.OutcomeLimited). An answer on a
	// ticket, and a request joining the open ticket of its order, are not
	// new tickets.
	NewTicketsPerHour int
	// Catalog writes why an attachment was not kept, in English, in the
	// ticket's message (the domain gives codes); NewIntake loads the
	// embedded one when nil.
	Catalog *templates.Catalog
}

// ownList reports whether id (a mail's List-Id) is one of the desk's lists.
func (c IntakeConfig) ownList(id string) bool {
	if id == "" {
		return false
	}
	if c.Address != "" && strings.EqualFold(id, strings.Replace(c.Address, "@", ".", 1)) {
		return true
	}
	for _, own := range c.OwnListIDs {
		if strings.EqualFold(id, strings.Trim(strings.TrimSpace(own), "<>")) {
			return true
		}
	}
	return false
}

func (c IntakeConfig) domain() string { return messageIDDomain(c.MessageIDDomain, c.Address, "") }

// messageIDDomain is the configured Message-ID domain, else the address's
// domain, else def.
func messageIDDomain(configured, address, def string) string {
	if configured != "" {
		return configured
	}
	if _, d, ok := strings.Cut(address, "@"); ok {
		return strings.ToLower(d)
	}
	return def
}

// Outcomes of taking in a mail.
const (
	TookCreated   = "created"   // a new ticket
	TookJoined    = "joined"    // added to the ticket open for its order
	TookReply     = "reply"     // an answer on its ticket
	TookDuplicate = "duplicate" // seen before: nothing changed
	TookIgnored   = "ignored"   // automatic mail, our own mail
	TookBounce    = "bounce"    // a mail of ours bounced
	TookFailed    = "failed"    // cannot be taken in: set aside
	// TookReceived: about an order whose open ticket is someone else's:
	// kept there as a note for the agents (tickets.OutcomeReceived).
	TookReceived = "received"
)

// ReasonRateLimited is the code of a mail set aside because its sender
// went past NewTicketsPerHour (Taken.Code); the reason recorded for agents
// (InboundFailure.Reason) begins with it.
const ReasonRateLimited = tickets.SetAsideRateLimited

// Taken says what became of one mail.
type Taken struct {
	Outcome string
	Ref     string
	// Reason says why a mail was ignored or failed.
	Reason string
	// Code names why a mail was set aside (tickets.SetAsideCodes: too_big,
	// unreadable, no_sender, not_taken, rate_limited), with its values in
	// Params and the domain's refusals in Problems; "" for a mail not set
	// aside.
	Code     string
	Params   tickets.Params
	Problems []*tickets.ValidationError
	// Automatic says why the mail was ignored as automatic mail (not the
	// desk's own, not a bounce recorded on a ticket), in English, and
	// AutoSign as a code; "" otherwise. A person's mail may be taken for
	// one: the caller records it for agents (see AutomaticReason).
	Automatic string
	AutoSign  AutoSign
}

// SetAside is why a mail set aside (TookFailed) was, as recorded for
// agents (tickets.InboundFailure.Reason, through Format).
func (t Taken) SetAside() tickets.SetAsideReason {
	return tickets.SetAsideReason{Code: t.Code, Params: t.Params, Problems: t.Problems, Words: t.Reason}
}

// AutomaticReason is what agents read of a mail taken for automatic mail,
// in English.
func AutomaticReason(why string) string {
	return "taken for automatic mail (" + why + "); not answered"
}

// AutomaticSetAside is the record of a mail taken for automatic mail
// (tickets.SetAsideAutomatic): its Why is the sign's code, beside the
// sign's values.
func AutomaticSetAside(sign AutoSign) tickets.SetAsideReason {
	p := tickets.Params{"Why": sign.Code}
	for k, v := range sign.Params {
		p[k] = v
	}
	return tickets.SetAsideReason{Code: tickets.SetAsideAutomatic, Params: p, Words: AutomaticReason(sign.String())}
}

// Codes of a mail that cannot be read (tickets.SetAsideUnreadable's
// Problem): the rest are their parser's words (its Error).
const UnreadableNoHeader = "no_header"

// UnreadableCodes are every code Unreadable gives.
var UnreadableCodes = []string{UnreadableNoHeader}

// unreadable is why a mail that does not parse is set aside.
func unreadable(err error) Taken {
	words := strings.TrimPrefix(err.Error(), ErrUnparseable.Error()+": ")
	t := Taken{Outcome: TookFailed, Code: tickets.SetAsideUnreadable, Reason: err.Error(), Params: tickets.Params{"Error": words}}
	if errors.Is(err, errNoHeader) {
		t.Params = tickets.Params{"Problem": UnreadableNoHeader}
	}
	return t
}

// Intake turns mails into tickets.
type Intake struct {
	svc   *tickets.Service
	cfg   IntakeConfig
	log   *slog.Logger
	auth  *Authenticator
	older olderKeys
}

// olderKeys remembers whether the store may hold mail keys of the older
// scheme (Message.LegacyKey), once the store has said so: the answer
// cannot change, since every key recorded from now on has today's form.
type olderKeys struct {
	mu    sync.Mutex
	known bool
	may   bool
}

// mayHaveOlderKeys asks the store once; when it cannot tell, the older
// key is computed, as it always was.
func (in *Intake) mayHaveOlderKeys(ctx context.Context) bool {
	if in.svc == nil {
		return false
	}
	in.older.mu.Lock()
	defer in.older.mu.Unlock()
	if !in.older.known {
		may, err := in.svc.Records.MayHaveOlderKeys(ctx, "mail:")
		if err != nil {
			in.log.Warn("mail: the store cannot say whether it holds keys of older versions; each mail's older key is computed", slog.Any("error", err))
			return true
		}
		in.older.known, in.older.may = true, may
	}
	return in.older.may
}

// NewIntake returns an intake over the ticket service.
func NewIntake(svc *tickets.Service, cfg IntakeConfig, log *slog.Logger) *Intake {
	if cfg.MaxSize <= 0 {
		cfg.MaxSize = 25 << 20
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.RequireAuth && len(cfg.Auth.AuthServIDs) == 0 {
		if cfg.Auth.VerifyDKIM {
			log.Warn("mail.require_auth is on but no mail.authserv_id is set: only mail with a valid DKIM signature of its From domain counts as verified")
		} else {
			log.Warn("mail.require_auth is on but no mail.authserv_id is set: no Authentication-Results is believed, so every mail is flagged unverified_sender")
		}
	}
	if cfg.Catalog == nil {
		cat, err := templates.NewCatalog(log)
		if err != nil {
			log.Error("mail: the message catalog does not load; attachments refused are noted with their codes", slog.Any("error", err))
		}
		cfg.Catalog = cat
	}
	return &Intake{svc: svc, cfg: cfg, log: log, auth: NewAuthenticator(cfg.Auth, log)}
}

// Config returns the intake's configuration.
func (in *Intake) Config() IntakeConfig { return in.cfg }

// Take takes in one mail. A mail that cannot be taken in (unreadable, too
// big) comes back as TookFailed with the reason, for the caller to set it
// aside; an error means the store could not be reached and the mail must be
// tried again later.
func (in *Intake) Take(ctx context.Context, raw []byte, source string) (Taken, error) {
	if int64(len(raw)) > in.cfg.MaxSize {
		return in.tooBig(int64(len(raw))), nil
	}
	m, err := in.Parse(ctx, raw)
	if err != nil {
		return unreadable(err), nil
	}
	return in.TakeParsed(ctx, m, source)
}

// Parse reads a raw mail (see Parse) and weighs its sender's
// authentication as the intake is configured to (see AuthConfig); with
// VerifyDKIM this may look DNS up, for at most the DKIMTimeout. It also
// reads what the mail asks for, all but the lookups of its order numbers
// (see reading). It is the parse to use before TakeParsed, outside any
// transaction.
func (in *Intake) Parse(ctx context.Context, raw []byte) (*Message, error) {
	m, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	in.auth.Check(ctx, m, raw)
	if in.mayHaveOlderKeys(ctx) {
		m.LegacyKey = "mail:" + m.MessageID + ":" + hashHex(raw)
	}
	if m.Bounce == nil && m.Auto == "" {
		// What the words ask for, read here, outside the transaction the
		// mail may be taken in by (only its order numbers are looked up there).
		m.reading = readRequest(m, in.cfg.domain())
	}
	return m, nil
}

// tooBig says why a mail of n bytes is not taken in.
func (in *Intake) tooBig(n int64) Taken {
	return Taken{Outcome: TookFailed, Code: tickets.SetAsideTooBig,
		Params: tickets.Params{"Size": tickets.Bytes(n), "Max": tickets.Bytes(in.cfg.MaxSize)},
		Reason: fmt.Sprintf("the mail is %s, more than the %s taken in", size(n), size(in.cfg.MaxSize))}
}

// TakeParsed takes in a mail already parsed, by Intake.Parse (a mail read
// by Parse alone has only its believed Authentication-Results weighed, no
// DKIM check).
func (in *Intake) TakeParsed(ctx context.Context, m *Message, source string) (Taken, error) {
	return in.take(ctx, in.svc, m, source)
}

// take takes in a parsed mail through svc: the intake's own service, or one
// that groups a batch of mails into one transaction (Service.Group). The
// promotion records are read outside it: taking mail in never changes them.
func (in *Intake) take(ctx context.Context, svc *tickets.Service, m *Message, source string) (Taken, error) {
	domain := in.cfg.domain()
	if m.From != nil && in.cfg.Address != "" && strings.EqualFold(m.From.Address, in.cfg.Address) {
		return Taken{Outcome: TookIgnored, Reason: "our own mail"}, nil
	}
	if _, ok := OurTicketID(m.MessageID, domain); ok {
		return Taken{Outcome: TookIgnored, Reason: "carries our own Message-ID"}, nil
	}
	// A bounce may come from the desk's own mail server, with a Message-ID
	// in the desk's domain: it is still a bounce.
	if m.Bounce != nil {
		return in.bounce(ctx, svc, m)
	}
	if domain != "" && strings.HasSuffix(strings.ToLower(m.MessageID), "@"+domain) {
		return Taken{Outcome: TookIgnored, Reason: "carries our own Message-ID"}, nil
	}
	// Automatic mail is never answered, whether or not it has a sender
	// (a null sender, From: <>, is automatic by itself).
	auto := m.AutoSign
	if auto.Code != "" && in.cfg.ownList(m.ListID) {
		auto = m.autoOffList // relayed by the desk's own list
	}
	if auto.Code != "" {
		return Taken{Outcome: TookIgnored, Reason: "automatic mail (" + auto.String() + ")", Automatic: auto.String(), AutoSign: auto}, nil
	}
	if m.From == nil || !strings.Contains(m.From.Address, "@") {
		return Taken{Outcome: TookFailed, Code: tickets.SetAsideNoSender, Reason: "the mail has no sender address to answer"}, nil
	}
	from := strings.ToLower(m.From.Address)
	in.auth.ensure(m)

	// The orders named are looked up through svc: in a batch, inside its
	// transaction, rather than a read transaction each, which on SQLite
	// begins by dropping its connection's page cache whenever anything was
	// committed since (a third of the intake's time, with the freeing).
	r := m.reading
	if r == nil || r.domain != domain {
		r = readRequest(m, domain)
	}
	req := r.resolve(ctx, svc.Records)
	var flags []string
	if m.Unverified(in.cfg.RequireAuth) {
		flags = append(flags, tickets.FlagUnverifiedSender)
	}
	if len(req.Guessed) > 0 {
		flags = append(flags, tickets.FlagGuessed)
	}
	files, notes := in.evidence(m)
	if m.FromProblem != "" {
		// Agents see why the sender is not believed, beside the request.
		notes = append(notes, "(The desk: the sender is not verified: "+m.FromProblem+"; it may not be who it says.)")
	}
	details := req.Details
	if details == "" && m.Text != "" {
		details = m.NewText
	}
	if len(notes) > 0 {
		details = strings.TrimSpace(details + "\n\n" + strings.Join(notes, "\n"))
	}
	details = truncate(details, in.svc.Limits().MaxDetailsBytes)
	who := tickets.Requester{Email: m.From.Address, Name: m.From.Name}

	// An answer on its ticket: it carries the ticket's reference (or answers
	// a mail of ours, or one of the requester's own) and comes from an
	// address on the ticket.
	if t := in.threadTicket(ctx, svc, m, req); t != nil && strings.EqualFold(t.Requester.Email, from) {
		u := tickets.RequesterUpdate{Ref: t.Ref, Requester: who, Channel: tickets.ChannelEmail, Text: details,
			Evidence: files, IdempotencyKey: m.Key, PreviousKeys: previousKeys(m), ExternalID: m.MessageID, Flags: flags,
			Sources: req.Sources}
		// An account the desk took from the order's record is one the
		// requester has yet to name.
		if t.Account == "" || t.Sources.Of(tickets.FieldSourceAccount) == tickets.SourceRecord {
			u.Account = req.Account
		}
		if t.Order == "" && t.Kind == tickets.KindRefund {
			u.Order = req.Order
		}
		if t.Reason == "" && t.Kind == tickets.KindRefund {
			u.Reason = req.Reason
		} else if slices.Contains(req.Guessed, "reason") {
			// the guessed reason is not taken: the ticket has its own
			u.Flags = slices.DeleteFunc(slices.Clone(flags), func(f string) bool { return f == tickets.FlagGuessed })
		}
		res, err := svc.Intake.RequesterReply(ctx, u)
		switch {
		case err == nil:
			out := TookReply
			if res.Outcome == tickets.OutcomeDuplicate {
				out = TookDuplicate
			} else if res.Outcome == tickets.OutcomeCreated {
				out = TookCreated // too old to reopen: a new ticket that follows it
			}
			return Taken{Outcome: out, Ref: res.Ticket.Ref}, nil
		case errors.Is(err, tickets.ErrConflict), errors.Is(err, tickets.ErrNotFound), tickets.IsValidation(err):
			in.log.Info("a reply could not join its ticket; taking it as a new request",
				slog.String("ticket", t.Ref), slog.Any("error", err))
		default:
			return Taken{}, err
		}
	}

	sr := tickets.SubmitRequest{Kind: req.Kind, Channel: tickets.ChannelEmail, Requester: who, Account: req.Account,
		Order: req.Order, Reason: req.Reason, Details: details, Language: req.Language, Evidence: files,
		IdempotencyKey: m.Key, PreviousKeys: previousKeys(m), ExternalID: m.MessageID, Flags: flags,
		NewPerHour: in.cfg.NewTicketsPerHour, Sources: req.Sources}
	res, err := svc.Intake.Submit(ctx, sr)
	if tickets.IsValidation(err) {
		// Something the text gave is not usable (an account name too odd,
		// say): take the mail without the extracted fields rather than lose it.
		in.log.Warn("taking a mail without its extracted fields", slog.String("source", source), slog.Any("error", err))
		sr.Account, sr.Order, sr.Reason, sr.Sources = "", "", "", nil
		res, err = svc.Intake.Submit(ctx, sr)
	}
	if tickets.IsValidation(err) {
		return Taken{Outcome: TookFailed, Code: tickets.SetAsideNotTaken, Problems: validationProblems(err), Reason: err.Error()}, nil
	}
	if err != nil {
		return Taken{}, err
	}
	if res.Outcome == tickets.OutcomeLimited {
		return Taken{Outcome: TookFailed, Code: ReasonRateLimited, Reason: fmt.Sprintf(
			"%s: the sender opened %d new tickets in the last hour (mail.new_tickets_per_hour); no ticket was opened, and the sender was told once",
			ReasonRateLimited, in.cfg.NewTicketsPerHour)}, nil
	}
	out := map[string]string{tickets.OutcomeCreated: TookCreated, tickets.OutcomeJoined: TookJoined,
		tickets.OutcomeDuplicate: TookDuplicate, tickets.OutcomeReceived: TookReceived}[res.Outcome]
	return Taken{Outcome: out, Ref: res.Ticket.Ref}, nil
}

// validationProblems are the domain's refusals err carries, each with its
// code and values (a problem without a code keeps its words in Message).
func validationProblems(err error) []*tickets.ValidationError {
	var list tickets.ValidationErrors
	if errors.As(err, &list) {
		return list
	}
	var one *tickets.ValidationError
	if errors.As(err, &one) {
		return []*tickets.ValidationError{one}
	}
	return nil
}

// previousKeys are the keys a mail had under earlier versions of the desk.
func previousKeys(m *Message) []string {
	if m.LegacyKey == "" || m.LegacyKey == m.Key {
		return nil
	}
	return []string{m.LegacyKey}
}

// threadTicket finds the ticket a mail answers, if any.
func (in *Intake) threadTicket(ctx context.Context, svc *tickets.Service, m *Message, req Request) *tickets.Ticket {
	if req.ThreadRef != "" {
		if t, err := svc.Records.Ticket(ctx, req.ThreadRef); err == nil {
			return t
		}
	}
	// An answer to one of the requester's own earlier mails.
	for _, id := range append(append([]string(nil), m.InReplyTo...), m.References...) {
		if t, err := svc.Intake.TicketForExternalID(ctx, id); err == nil {
			return t
		}
	}
	return nil
}

// evidence picks the attachments that count as evidence, within the limits;
// the rest are named in the message so agents know they were there.
func (in *Intake) evidence(m *Message) ([]tickets.File, []string) {
	s := m.SortFiles(in.svc.Limits(), in.cfg.Catalog)
	return s.Kept, s.Notes
}

// bounce records that a mail of ours could not be delivered.
func (in *Intake) bounce(ctx context.Context, svc *tickets.Service, m *Message) (Taken, error) {
	b := m.Bounce
	ref := ""
	// The returned mail's Message-ID, else the bounce's own In-Reply-To and
	// References (Exchange and Gmail thread their reports under it).
	for _, id := range append(append([]string{b.OriginalMessageID}, m.InReplyTo...), m.References...) {
		if t, ok := OurTicketID(id, in.cfg.domain()); ok {
			ref = tickets.FormatRef(t)
			break
		}
	}
	why := b.Reason
	if b.Status != "" && !strings.Contains(why, b.Status) {
		why = b.Status + " " + why
	}
	if !b.Permanent {
		return Taken{Outcome: TookIgnored, Ref: ref, Reason: "a temporary delivery delay (" + why + ")"}, nil
	}
	// Only the failed recipient the report names counts, and only when it is
	// the requester's: a bounce is easy to forge (the desk's Message-IDs
	// can be guessed), and one naming another address, or none, must not
	// stop the desk mailing a requester.
	var refs []string
	for _, rcpt := range b.Recipients {
		if rcpt = strings.TrimSpace(rcpt); rcpt == "" || strings.EqualFold(rcpt, in.cfg.Address) {
			continue
		}
		r, err := svc.Delivery.Undeliverable(ctx, ref, rcpt, why)
		if err != nil && !errors.Is(err, tickets.ErrNotFound) {
			return Taken{}, err
		}
		refs = append(refs, r...)
	}
	if len(refs) == 0 {
		// Recorded for agents as automatic mail: it changed no ticket.
		var what AutoSign
		switch {
		case len(b.Recipients) == 0:
			what = AutoSign{Code: AutoBounceNoRecipient}
		case ref != "":
			what = AutoSign{Code: AutoBounceNotRequester, Params: tickets.Params{"Recipients": strings.Join(b.Recipients, ", "), "Ticket": ref}}
		default:
			what = AutoSign{Code: AutoBounceNoTicket, Params: tickets.Params{"Recipients": strings.Join(b.Recipients, ", ")}}
		}
		return Taken{Outcome: TookBounce, Reason: why, Automatic: what.String(), AutoSign: what}, nil
	}
	return Taken{Outcome: TookBounce, Ref: strings.Join(refs, ","), Reason: why}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8Valid(s) {
		s = s[:len(s)-1]
	}
	return s
}

func size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
