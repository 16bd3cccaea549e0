// Package archive writes a requester's personal data (tickets.RequesterExport)
// as one zip a person can open and read: README.txt in their language,
// data.json with everything in one document, and the files they sent,
// under tickets/RD-n/evidence/ and elsewhere/evidence/. The same data gives
// the same bytes: entries in a fixed order, fixed times, sorted names.
package archive

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// Format names the layout of data.json; a change that drops or renames a
// key gives it a new number.
const Format = "refunddesk.requester-export/1"

// ContentType is the archive's media type.
const ContentType = "application/zip"

// modified is every entry's time: the zip format's first day, so the same
// data gives the same bytes.
var modified = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// Document is data.json.
type Document struct {
	Format    string      `json:"format"`
	Language  string      `json:"language"`
	Requester Person      `json:"requester"`
	Tickets   []Ticket    `json:"tickets"`
	Elsewhere []Note      `json:"elsewhere"`
	Outbox    []Sent      `json:"outbox"`
	SetAside  []SetAside  `json:"set_aside"`
	Files     []FileEntry `json:"-"`
}

// Person is who the archive is about: how they were found, the names they
// gave on their tickets, and every address and Discord id of theirs the
// desk knows (the one asked for, and those their tickets give them: what
// was sent to or names any of them is in the archive).
type Person struct {
	Email      string   `json:"email,omitempty"`
	DiscordID  string   `json:"discord_id,omitempty"`
	Names      []string `json:"names"`
	Emails     []string `json:"emails"`
	DiscordIDs []string `json:"discord_ids"`
}

// FieldSource says where a field of a ticket came from when it was not the
// requester's own words: from their signature, from a mail they forwarded,
// corrected by an agent (tickets.Sources). An account the desk took from
// the order's record is not in the archive, nor is its source.
type FieldSource struct {
	Field  string         `json:"field"`
	Source tickets.Source `json:"source"`
	Text   string         `json:"text"`
}

// Money is an amount in major units with the currency's decimals ("1500.50",
// "150000"), and in words in the archive's language.
type Money struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
	Text     string `json:"text"`
}

// Ticket is one of the requester's own tickets.
type Ticket struct {
	Ref        string            `json:"ref"`
	Kind       tickets.Kind      `json:"kind"`
	KindName   string            `json:"kind_name"`
	Status     tickets.Status    `json:"status"`
	StatusName string            `json:"status_name"`
	Channel    tickets.Channel   `json:"channel"`
	Requester  tickets.Requester `json:"requester"`
	Account    string            `json:"account"`
	Order      string            `json:"order"`
	Reason     tickets.Reason    `json:"reason"`
	ReasonName string            `json:"reason_name,omitempty"`
	Details    string            `json:"details"`
	Language   string            `json:"language"`
	Verdict    tickets.Verdict   `json:"verdict"`
	Rules      []Rule            `json:"rules"`
	Refund     *Money            `json:"refund,omitempty"`
	Approved   *Money            `json:"approved,omitempty"`
	Decision   string            `json:"decision,omitempty"`
	Sources    []FieldSource     `json:"sources"`
	Flags      []string          `json:"flags"`
	ParentRef  string            `json:"parent_ref,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
	Messages   []Message         `json:"messages"`
	Evidence   []File            `json:"evidence"`
	Audit      []Audit           `json:"audit"`
	Outbox     []Sent            `json:"outbox"`
}

// Rule is one check of the policy that ran, and its outcome.
type Rule struct {
	Rule    string `json:"rule"`
	Outcome string `json:"outcome"`
}

// Message is one message of a conversation.
type Message struct {
	At         time.Time           `json:"at"`
	Kind       tickets.MessageKind `json:"kind"`
	Channel    tickets.Channel     `json:"channel"`
	Author     string              `json:"author"`
	Body       string              `json:"body"`
	ExternalID string              `json:"external_id,omitempty"`
}

// File is an evidence file: its name as sent, where it is in the archive,
// and its SHA-256.
type File struct {
	Name        string    `json:"name"`
	File        string    `json:"file"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	AddedAt     time.Time `json:"added_at"`
}

// Audit is one entry of a ticket's audit trail: its code and params as
// kept, and its sentence in the archive's language.
type Audit struct {
	At         time.Time           `json:"at"`
	Actor      string              `json:"actor"`
	Action     string              `json:"action"`
	FromStatus tickets.Status      `json:"from_status,omitempty"`
	ToStatus   tickets.Status      `json:"to_status,omitempty"`
	Code       string              `json:"code,omitempty"`
	Params     tickets.AuditParams `json:"params,omitzero"`
	Text       string              `json:"text"`
}

// Sent is a message the desk queued to the requester.
type Sent struct {
	At           time.Time           `json:"at"`
	Ticket       string              `json:"ticket,omitempty"`
	Channel      tickets.Channel     `json:"channel"`
	Recipient    string              `json:"recipient"`
	Template     string              `json:"template"`
	TemplateName string              `json:"template_name"`
	Language     string              `json:"language"`
	Status       string              `json:"status"`
	SentAt       *time.Time          `json:"sent_at,omitempty"`
	Data         tickets.MessageData `json:"data"`
}

// Note is what the requester wrote on a ticket that is not theirs: their
// message and files, nothing of that ticket.
type Note struct {
	Message  Message `json:"message"`
	Evidence []File  `json:"evidence"`
}

// SetAside is a mail of theirs the intake set aside.
type SetAside struct {
	At       time.Time       `json:"at"`
	Channel  tickets.Channel `json:"channel"`
	Sender   string          `json:"sender"`
	Subject  string          `json:"subject"`
	Size     int64           `json:"size"`
	Reason   string          `json:"reason"`
	SetAside string          `json:"set_aside,omitempty"`
}

// FileEntry is a file of the archive and the stored bytes it holds.
type FileEntry struct {
	Path   string
	SHA256 string
	Size   int64
}

// Build makes data.json's document from ex, in ex.Language, and the list
// of evidence files to write with their paths in the archive.
func Build(cat *templates.Catalog, ex *tickets.RequesterExport) *Document {
	lang := cat.Language(ex.Language)
	doc := &Document{Format: Format, Language: lang, Requester: Person{Email: ex.Requester.Email, DiscordID: ex.Requester.DiscordID, Names: []string{},
		Emails: append([]string{}, ex.Identity.Emails...), DiscordIDs: append([]string{}, ex.Identity.DiscordIDs...)},
		Tickets: []Ticket{}, Elsewhere: []Note{}, Outbox: []Sent{}, SetAside: []SetAside{}}
	names := map[string]bool{}
	for _, d := range ex.Tickets {
		if n := strings.TrimSpace(d.Requester.Name); n != "" && !names[n] {
			names[n] = true
			doc.Requester.Names = append(doc.Requester.Names, n)
		}
		doc.Tickets = append(doc.Tickets, buildTicket(cat, lang, d, doc))
	}
	used := map[string]bool{}
	for _, n := range ex.Elsewhere {
		note := Note{Message: message(cat, lang, n.Message), Evidence: []File{}}
		for _, e := range n.Evidence {
			note.Evidence = append(note.Evidence, doc.file("elsewhere/evidence", e, used))
		}
		doc.Elsewhere = append(doc.Elsewhere, note)
	}
	for _, it := range ex.Outbox {
		doc.Outbox = append(doc.Outbox, sent(cat, lang, it))
	}
	for _, f := range ex.SetAside {
		doc.SetAside = append(doc.SetAside, SetAside{At: f.CreatedAt.UTC(), Channel: f.Channel, Sender: f.Sender, Subject: f.Subject,
			Size: f.Size, Reason: cat.SetAside(lang, f.Why()), SetAside: f.SetAside})
	}
	return doc
}

func buildTicket(cat *templates.Catalog, lang string, d tickets.TicketDetail, doc *Document) Ticket {
	t := Ticket{Ref: d.Ref, Kind: d.Kind, KindName: cat.KindName(d.Kind, lang), Status: d.Status, StatusName: cat.StatusName(d.Status, lang),
		Channel: d.Channel, Requester: d.Requester, Account: d.Account, Order: d.Order, Reason: d.Reason, Details: d.Details,
		Language: d.Language, Verdict: d.Eligibility.Verdict, Rules: []Rule{}, Decision: cat.Decision(&d.Ticket, lang),
		Flags: append([]string{}, d.Flags...), ParentRef: d.ParentRef, CreatedAt: d.CreatedAt.UTC(), UpdatedAt: d.UpdatedAt.UTC(),
		Sources: []FieldSource{}, Messages: []Message{}, Evidence: []File{}, Audit: []Audit{}, Outbox: []Sent{}}
	if d.Reason != "" {
		t.ReasonName = cat.ReasonName(d.Reason, lang)
	}
	for _, f := range tickets.SourceFields {
		src := d.Sources.Of(f)
		if src == tickets.SourceText || fieldValue(&t, f) == "" || f == tickets.FieldSourceAccount && src == tickets.SourceRecord {
			continue
		}
		t.Sources = append(t.Sources, FieldSource{Field: f, Source: src, Text: cat.Text(lang, "source."+string(src))})
	}
	for _, s := range d.Eligibility.Rules {
		t.Rules = append(t.Rules, Rule{Rule: s.Rule, Outcome: s.Outcome})
	}
	if d.Eligibility.RefundAmount > 0 {
		t.Refund = money(cat, lang, d.Eligibility.RefundAmount, d.Eligibility.Currency)
	}
	if d.ApprovedAmount != nil {
		t.Approved = money(cat, lang, *d.ApprovedAmount, d.Eligibility.Currency)
	}
	for _, m := range d.Messages {
		t.Messages = append(t.Messages, message(cat, lang, m))
	}
	used := map[string]bool{}
	for _, e := range d.Evidence {
		t.Evidence = append(t.Evidence, doc.file(path.Join("tickets", safeName(d.Ref), "evidence"), e, used))
	}
	for _, e := range d.Audit {
		t.Audit = append(t.Audit, Audit{At: e.At.UTC(), Actor: e.Actor, Action: e.Action, FromStatus: e.FromStatus, ToStatus: e.ToStatus,
			Code: e.Code, Params: e.Params, Text: cat.Audit(e, lang)})
	}
	for _, it := range d.Outbox {
		t.Outbox = append(t.Outbox, sent(cat, lang, it))
	}
	return t
}

// fieldValue is a ticket's field (tickets.SourceFields) as the archive
// shows it.
func fieldValue(t *Ticket, field string) string {
	switch field {
	case tickets.FieldSourceKind:
		return t.KindName
	case tickets.FieldSourceAccount:
		return t.Account
	case tickets.FieldSourceOrder:
		return t.Order
	case tickets.FieldSourceReason:
		return t.ReasonName
	}
	return ""
}

func money(cat *templates.Catalog, lang string, minor int64, currency string) *Money {
	return &Money{Amount: tickets.FormatAmount(minor, strings.ToUpper(currency)), Currency: strings.ToUpper(currency),
		Text: cat.Money(minor, currency, lang)}
}

func message(cat *templates.Catalog, lang string, m tickets.Message) Message {
	return Message{At: m.CreatedAt.UTC(), Kind: m.Kind, Channel: m.Channel, Author: m.Author, Body: cat.MessageBody(m, lang),
		ExternalID: m.ExternalID}
}

func sent(cat *templates.Catalog, lang string, it tickets.OutboxItem) Sent {
	s := Sent{At: it.CreatedAt.UTC(), Ticket: it.TicketRef, Channel: it.Channel, Recipient: it.Recipient, Template: it.Template,
		TemplateName: cat.CodeName(lang, "audit.name.template.", it.Template), Language: it.Language, Status: it.Status, Data: it.Data}
	if it.SentAt != nil {
		at := it.SentAt.UTC()
		s.SentAt = &at
	}
	return s
}

// file places an evidence file in dir under a safe name not used there
// yet (used: the names taken, in lower case).
func (doc *Document) file(dir string, e tickets.Evidence, used map[string]bool) File {
	name := uniqueName(safeName(e.Name), used)
	p := path.Join(dir, name)
	doc.Files = append(doc.Files, FileEntry{Path: p, SHA256: e.SHA256, Size: e.Size})
	return File{Name: e.Name, File: p, ContentType: e.ContentType, Size: e.Size, SHA256: e.SHA256, AddedAt: e.AddedAt.UTC()}
}

// maxName is the longest file name written, in bytes.
const maxName = 100

// safeName is a name that is one plain file name on every system: the
// last part of any path, letters, digits, '.', '-' and '_' only (others
// become '_'), no leading dot, no name Windows reserves, at most maxName
// bytes with its extension kept; "file" when nothing is left.
func safeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	for _, r := range name {
		switch {
		case r == utf8.RuneError:
			b.WriteByte('_')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), ".")
	s = strings.TrimRight(s, ". ")
	if len(s) > maxName {
		ext := path.Ext(s)
		if len(ext) > 16 {
			ext = ""
		}
		s = truncate(s[:len(s)-len(ext)], maxName-len(ext)) + ext
	}
	if s == "" {
		s = "file"
	}
	if reserved(s) {
		s = "_" + s
	}
	return s
}

// truncate cuts s to at most n bytes, on a rune's boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// reserved reports a name Windows keeps for devices (CON, nul.txt, COM1…).
func reserved(s string) bool {
	base := strings.ToUpper(strings.SplitN(s, ".", 2)[0])
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) && base[3] >= '0' && base[3] <= '9'
}

// uniqueName is name, or name-2, name-3… (before the extension) when a name
// equal in any case is taken; it takes the name it returns.
func uniqueName(name string, used map[string]bool) string {
	ext := path.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	if stem == "" {
		stem, ext = name, ""
	}
	out := name
	for n := 2; used[strings.ToLower(out)]; n++ {
		out = fmt.Sprintf("%s-%d%s", stem, n, ext)
	}
	used[strings.ToLower(out)] = true
	return out
}

// Write writes ex as a zip to w: README.txt, data.json, then each evidence
// file, read through open one at a time as it is written.
func Write(w io.Writer, cat *templates.Catalog, ex *tickets.RequesterExport, open tickets.OpenEvidence) error {
	doc := Build(cat, ex)
	zw := zip.NewWriter(w)
	if err := put(zw, "README.txt", zip.Deflate, strings.NewReader(Readme(cat, doc))); err != nil {
		return err
	}
	var data bytes.Buffer
	enc := json.NewEncoder(&data)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("archive: data.json: %w", err)
	}
	if err := put(zw, "data.json", zip.Deflate, &data); err != nil {
		return err
	}
	for _, f := range doc.Files {
		r, err := open(f.SHA256)
		if err != nil {
			return fmt.Errorf("archive: %s: %w", f.Path, err)
		}
		if err := put(zw, f.Path, zip.Store, r); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	return nil
}

func put(zw *zip.Writer, name string, method uint16, r io.Reader) error {
	h := &zip.FileHeader{Name: name, Method: method, Modified: modified}
	h.SetMode(0o644)
	fw, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("archive: %s: %w", name, err)
	}
	if _, err := io.Copy(fw, r); err != nil {
		return fmt.Errorf("archive: %s: %w", name, err)
	}
	return nil
}

// Readme is README.txt: what the archive holds and the requester's
// tickets, in plain words in the document's language.
func Readme(cat *templates.Catalog, doc *Document) string {
	lang := doc.Language
	var b strings.Builder
	line := func(s string) { b.WriteString(s); b.WriteString("\r\n") }
	title := cat.Text(lang, "export.readme.title")
	line(title)
	line(strings.Repeat("=", utf8.RuneCountInString(title)))
	line("")
	who := doc.Requester.Email
	if who == "" {
		who = "Discord " + doc.Requester.DiscordID
	}
	line(cat.Text(lang, "export.readme.intro", "Requester", who))
	line("")
	var more []string
	for _, e := range doc.Requester.Emails {
		if !strings.EqualFold(e, doc.Requester.Email) {
			more = append(more, e)
		}
	}
	for _, d := range doc.Requester.DiscordIDs {
		if d != doc.Requester.DiscordID {
			more = append(more, "Discord "+d)
		}
	}
	if len(more) > 0 {
		line(cat.Text(lang, "export.readme.contacts", "Contacts", strings.Join(more, ", ")))
		line("")
	}
	line(cat.Text(lang, "export.readme.contents"))
	line("- " + cat.Text(lang, "export.readme.file_readme"))
	line("- " + cat.Text(lang, "export.readme.file_data"))
	var own, elsewhere bool
	for _, f := range doc.Files {
		own = own || strings.HasPrefix(f.Path, "tickets/")
		elsewhere = elsewhere || strings.HasPrefix(f.Path, "elsewhere/")
	}
	if own {
		line("- " + cat.Text(lang, "export.readme.file_evidence"))
	}
	if elsewhere {
		line("- " + cat.Text(lang, "export.readme.file_elsewhere"))
	}
	line("")
	line(cat.Text(lang, "export.readme.tickets"))
	if len(doc.Tickets) == 0 {
		line(cat.Text(lang, "export.readme.no_tickets"))
	}
	for _, t := range doc.Tickets {
		s := cat.Text(lang, "export.readme.ticket", "Ref", t.Ref, "Kind", t.KindName, "Order", t.Order,
			"Date", cat.Date(t.CreatedAt, lang), "Status", t.StatusName)
		if t.Approved != nil {
			s += " " + cat.Text(lang, "export.readme.ticket_refund", "Amount", t.Approved.Text)
		}
		s += " " + cat.Plural(lang, "export.readme.messages", int64(len(t.Messages))) + ", " +
			cat.Plural(lang, "export.readme.files", int64(len(t.Evidence))) + "."
		line("- " + s)
		for _, f := range t.Sources {
			line("  " + cat.Text(lang, "export.readme.source", "Field", cat.Text(lang, "export.field."+f.Field),
				"Value", fieldValue(&t, f.Field), "Source", f.Text))
		}
	}
	if n := len(doc.Elsewhere); n > 0 {
		line("")
		line(cat.Plural(lang, "export.readme.elsewhere", int64(n)))
	}
	if n := len(doc.Outbox); n > 0 {
		line("")
		line(cat.Plural(lang, "export.readme.outbox", int64(n)))
	}
	if n := len(doc.SetAside); n > 0 {
		line("")
		line(cat.Plural(lang, "export.readme.set_aside", int64(n)))
	}
	line("")
	line(cat.Text(lang, "export.readme.others"))
	line("")
	line(cat.Text(lang, "export.readme.questions"))
	return b.String()
}
