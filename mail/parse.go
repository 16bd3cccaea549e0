// Package mail is the email channel: IMAP intake that turns each mail into a
// ticket (or adds it to the ticket it answers), the understanding of a
// request written in Indonesian or English, and SMTP delivery of the outbox.
// It imports tickets; tickets never imports it.
package mail

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	netmail "net/mail"
	"regexp"
	"strings"
	"time"

	"refunddesk/tickets"
)

// Message is an inbound mail as the desk understands it.
type Message struct {
	MessageID  string   // without < >
	InReplyTo  []string // without < >
	References []string
	Subject    string
	From       *netmail.Address
	ReplyTo    *netmail.Address
	Date       time.Time
	// Text is the body as text (HTML turned into text when there is no text part).
	Text string
	// NewText is what the sender wrote this time: quoted history,
	// forwarded blocks and signatures removed.
	NewText string
	// Forwarded is a forwarded message below the new text: the sender's
	// evidence (a platform notification with the order number, say).
	Forwarded string
	// Quoted is the reply history and signatures cut from Text: what the
	// desk already knows, never mined for fields.
	Quoted string
	// Signature is the sender's signature below "-- " (also in Quoted):
	// their name and handles, where an account may be read.
	Signature   string
	Attachments []Attachment
	// Auto says why the mail is automatic (an out-of-office, a list, a
	// bounce); empty when a person wrote it.
	Auto string
	// ListID is the List-Id of the list the mail came through, lower case
	// (Google Groups: "support.shop.example" for support@shop.example).
	ListID string
	// AutoSign is Auto as a code and its values.
	AutoSign AutoSign
	// autoOffList is AutoSign without what a list adds on the way: what
	// the intake goes by when ListID is the desk's own list.
	autoOffList AutoSign
	Bounce      *Bounce
	// Auth is what the desk believes of the sender (see AuthConfig): set
	// by Intake.Parse or Authenticator.Check, empty after Parse alone.
	Auth AuthResults
	// FromProblem says why the mail's sender cannot be verified whatever
	// its authentication says: two From fields (DKIM signs one, the desk
	// would answer the other), or one From naming several addresses.
	// Empty for a mail with one From address.
	FromProblem string
	// AuthHeaders are the mail's Authentication-Results fields, topmost
	// first, as written: the receiving server's and any that came with the
	// mail. Only Auth is to be believed.
	AuthHeaders []string
	Size        int
	// Key identifies the mail for idempotency (mailKey): its Message-ID and
	// a hash of its sender, subject and body (a mail without a Message-ID
	// still has one).
	Key string
	// LegacyKey is the key older versions of the desk gave the mail (its
	// Message-ID and a hash of its bytes, before mailKey): a mail taken in
	// by one of them is a duplicate when it is read again. Intake.Parse
	// sets it, and only when the store may hold keys of that age
	// (tickets.Records.MayHaveOlderKeys): hashing a screenshot's mail a
	// second time was 4% of the intake's CPU, for stores that have none.
	LegacyKey string
	// Problems the parser worked around (broken parts, bad charsets).
	Warnings []string
	// reading is the request the words give, read by Intake.Parse ahead
	// of the take (see reading); nil when not read yet.
	reading *reading
	// features are the words the reading model counts (modelFeatures),
	// found once; nil when not found yet.
	features []string
}

// modelFeatures are the mail's words for the reading model, found once.
func (m *Message) modelFeatures() []string {
	if m.features == nil {
		m.features = modelFeatures(m.Subject, m.NewText, m.Forwarded)
	}
	return m.features
}

// Attachment is a file in a mail.
type Attachment struct {
	Name        string
	ContentType string // as the mail declares it
	Data        []byte
	Inline      bool
}

// Bounce is a delivery failure report about a mail the desk sent.
type Bounce struct {
	Recipients []string `json:"recipients"` // the addresses that failed
	Status     string   `json:"status"`     // e.g. 5.1.1
	Permanent  bool     `json:"permanent"`
	// OriginalMessageID is the Message-ID of the mail that bounced.
	OriginalMessageID string `json:"original_message_id"`
	Reason            string `json:"reason"`
}

// AuthResults is what the desk believes of a mail's sender: the DMARC, DKIM
// and SPF results of the receiving server's Authentication-Results (one
// whose authserv-id is configured), or a DKIM signature the desk checked
// itself.
type AuthResults struct {
	// Present: there is a result the desk believes.
	Present bool   `json:"present"`
	DMARC   string `json:"dmarc"` // pass, fail, none, …
	DKIM    string `json:"dkim"`
	SPF     string `json:"spf"`
	// Source is where the results come from: AuthFromHeader, AuthFromDKIM,
	// or "" when nothing was believed.
	Source string `json:"source,omitempty"`
	// AuthServID names the believed field's server, and Header is its place
	// among the mail's Authentication-Results fields (1: the topmost).
	AuthServID string `json:"authserv_id,omitempty"`
	Header     int    `json:"header,omitempty"`
	// Signer is the domain whose DKIM signature the desk verified.
	Signer string `json:"signer,omitempty"`
	// Note says why nothing was believed, or what could not be read.
	Note string `json:"note,omitempty"`

	checked bool // Check ran (or the headers were weighed)
}

// Failed reports whether DMARC, DKIM or SPF failed.
// A DMARC, DKIM or SPF fail counts (an SPF softfail too); none and neutral
// do not.
func (a AuthResults) Failed() bool {
	for _, r := range []string{a.DMARC, a.DKIM, a.SPF} {
		if r == "fail" || r == "permerror" || r == "softfail" {
			return true
		}
	}
	return false
}

// Unverified reports whether the mail's sender counts as unverified (the
// flag unverified_sender): its authentication failed, its From is
// ambiguous (FromProblem), or requireAuth is on and nothing is believed.
func (m *Message) Unverified(requireAuth bool) bool {
	return m.Auth.Failed() || m.FromProblem != "" || (requireAuth && !m.Auth.Present)
}

// ErrUnparseable is returned for a mail that cannot be read at all.
var ErrUnparseable = errors.New("cannot read the mail")

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

var errNoHeader = errors.New("no header")

// Parse reads a raw mail. It is tolerant: broken parts and unknown charsets
// are worked around and noted in Warnings; only a mail with no readable
// header is an error.
func Parse(raw []byte) (*Message, error) { return parseWith(raw, shippedModels()) }

// parseWith is Parse with the reading model given (tests train their own).
func parseWith(raw []byte, models readingModels) (*Message, error) {
	if t := readWellFormed(raw); t != nil {
		if m, ok := build(raw, t, models); ok {
			return m, nil
		}
	}
	t, err := readTolerant(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnparseable, err)
	}
	m, _ := build(raw, t, models)
	return m, nil
}

// build makes the Message of a mail read; false when the tree lacks what
// it needs (a body only the other parser would find).
func build(raw []byte, t *mimeTree, models readingModels) (*Message, bool) {
	m := &Message{Size: len(raw)}
	m.MessageID = firstID(t.get("Message-Id"))
	m.InReplyTo = msgIDs(t.get("In-Reply-To"))
	m.References = msgIDs(t.get("References"))
	m.Subject = cleanText(strings.TrimSpace(t.get("Subject")))
	if len(t.from) > 0 {
		m.From = cleanAddress(t.from[0])
	} else if a := lenientAddress(t.get("From")); a != nil {
		m.From = cleanAddress(a)
	}
	m.FromProblem = fromProblem(t)
	if len(t.replyTo) > 0 {
		m.ReplyTo = cleanAddress(t.replyTo[0])
	}
	if !t.date.IsZero() {
		m.Date = t.date.UTC()
	}
	text, ok := bodyText(t)
	if !ok {
		return nil, false
	}
	m.Text = normalizeText(cleanText(text))
	q := splitQuoted(m.Text, isForward(m), forwardSubjectRe.MatchString(m.Subject))
	m.NewText, m.Forwarded, m.Quoted, m.Signature = q.newText, q.forwarded, q.history, q.signature
	m.Attachments = attachmentsOf(t.root)
	m.Warnings = t.warnings
	for _, v := range t.values("Authentication-Results") {
		m.AuthHeaders = append(m.AuthHeaders, cleanText(v))
	}
	s, report := senderOf(t, m), reportType(t)
	m.Bounce = bounceOf(t, m, s, report)
	m.AutoSign = automatic(t, m, s, report, false)
	if m.AutoSign.Code == "" {
		m.AutoSign = modelAutomatic(m, models)
	}
	m.Auto = m.AutoSign.String()
	if m.ListID = listID(t); m.ListID != "" && m.Auto != "" {
		m.autoOffList = automatic(t, m, s, report, true)
	}
	m.Key = mailKey(raw, m)
	return m, true
}

// fromProblem says why a mail's From cannot be believed, or "". A mail
// with two From fields is against RFC 5322 and a known way around DKIM and
// DMARC: a signature and a receiving server's DMARC check may weigh one
// field while the desk reads the other. A From with several addresses has
// no one author to check.
func fromProblem(t *mimeTree) string {
	if n := len(t.values("From")); n > 1 {
		return fmt.Sprintf("the mail has %d From fields", n)
	}
	if n := len(t.from); n > 1 {
		return fmt.Sprintf("its From names %d addresses", n)
	}
	return ""
}

// mailKey is a mail's idempotency key: its Message-ID and a hash of what
// its writer sent (the sender, the subject and the body). The header lines
// that servers add on the way (Received, Return-Path, Delivered-To,
// Authentication-Results) are left out, so one mail that reaches the
// mailbox twice, by two routes or delivered again, is recognised; two
// different mails under one Message-ID (some mailers reuse them) are not
// taken for one.
func mailKey(raw []byte, m *Message) string {
	body := raw // no blank line: it is all header, hashed whole
	end := len(raw)
	for _, sep := range []string{"\r\n\r\n", "\n\n"} {
		// Only the header is searched: the first blank line ends it, and
		// a second search that ran on through a screenshot's base64
		// looking for a bare "\n\n" cost as much as hashing it.
		if i := bytes.Index(raw[:min(len(raw), end+len(sep))], []byte(sep)); i >= 0 && i < end {
			end, body = i, raw[i+len(sep):]
		}
	}
	h := sha256.New()
	if m.From != nil {
		h.Write([]byte(strings.ToLower(m.From.Address)))
	}
	h.Write([]byte{0})
	h.Write([]byte(m.Subject))
	h.Write([]byte{0})
	h.Write(body)
	return "mail:" + m.MessageID + ":" + hex.EncodeToString(h.Sum(nil)[:12])
}

// cleanText makes what a header or a broken part gave storable anywhere:
// bytes that are not UTF-8 become U+FFFD, and NULs go (PostgreSQL's text
// takes neither).
func cleanText(s string) string {
	return strings.ToValidUTF8(strings.ReplaceAll(s, "\x00", ""), "\ufffd")
}

func cleanAddress(a *netmail.Address) *netmail.Address {
	return &netmail.Address{Name: cleanText(a.Name), Address: cleanText(a.Address)}
}

// normalizeText turns CRLF into LF and drops the non-breaking spaces and
// zero-width characters mail clients scatter around.
func normalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.NewReplacer("\u00a0", " ", "\u200b", "", "\u200c", "", "\u200d", "", "\ufeff", "").Replace(s)
	return s
}

var idRe = regexp.MustCompile(`<([^<>\s]+)>`)

func msgIDs(h string) []string {
	var out []string
	for _, m := range idRe.FindAllStringSubmatch(h, -1) {
		out = append(out, cleanText(m[1]))
	}
	if len(out) == 0 {
		for _, f := range strings.Fields(h) {
			if strings.Contains(f, "@") {
				out = append(out, cleanText(strings.Trim(f, "<>,")))
			}
		}
	}
	return out
}

func firstID(h string) string {
	if ids := msgIDs(h); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// lenientAddress reads a From header that net/mail refuses (a bare address
// with a display name in the wrong place, unquoted specials).
func lenientAddress(h string) *netmail.Address {
	if h == "" {
		return nil
	}
	if dec, err := wordDecoder.DecodeHeader(h); err == nil {
		h = dec
	}
	if m := regexp.MustCompile(`<([^<>@\s]+@[^<>\s]+)>`).FindStringSubmatch(h); m != nil {
		name := strings.Trim(strings.TrimSpace(strings.Replace(h, m[0], "", 1)), `"`)
		return &netmail.Address{Name: name, Address: m[1]}
	}
	if m := regexp.MustCompile(`[^\s<>"]+@[^\s<>"]+`).FindString(h); m != "" {
		return &netmail.Address{Address: m}
	}
	return nil
}

func defaultName(ct string) string {
	switch {
	case strings.HasPrefix(ct, "image/"):
		return "image." + strings.TrimPrefix(ct, "image/")
	case ct == "application/pdf":
		return "document.pdf"
	}
	return "attachment"
}

// Evidence is the subset of attachments that can count as evidence: images
// and PDFs (by their bytes, whatever the mail declares).
func (m *Message) Evidence() (files []tickets.File, others []Attachment) {
	for _, a := range m.Attachments {
		ct := tickets.SniffContentType(a.Data)
		if strings.HasPrefix(ct, "image/") && tickets.IsEvidenceType(ct) || ct == "application/pdf" {
			files = append(files, tickets.File{Name: a.Name, Data: a.Data})
			continue
		}
		others = append(others, a)
	}
	return files, others
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

// bodyText is the text of a mail: its text parts in order (a phone puts
// text, a photo, then more text), each alternative by its plain version or
// else its HTML turned into text. False when the body is only where the
// parser's own text would have it, and the tree's text is a guess.
func bodyText(t *mimeTree) (string, bool) {
	if strings.HasPrefix(t.root.contentType, "multipart/") {
		var parts []string
		var walk func(ps []*mimePart)
		walk = func(ps []*mimePart) {
			for _, p := range ps {
				switch {
				case p.disposition == "attachment":
				case p.contentType == "multipart/alternative":
					if t := alternativeText(p); strings.TrimSpace(t) != "" {
						parts = append(parts, t)
					}
				case strings.HasPrefix(p.contentType, "multipart/"):
					walk(p.children)
				case p.contentType == "text/plain" && p.fileName == "":
					parts = append(parts, string(p.content))
				case p.contentType == "text/html" && p.fileName == "":
					parts = append(parts, htmlToText(string(p.content)))
				}
			}
		}
		if t.root.contentType == "multipart/alternative" {
			walk([]*mimePart{t.root}) // one version of the text, not each
		} else {
			walk(t.root.children)
		}
		if len(parts) > 0 {
			return strings.Join(parts, "\n\n"), true
		}
		if t.guessed {
			text := false
			t.root.walk(func(p *mimePart) { text = text || strings.HasPrefix(p.contentType, "text/") })
			if text {
				return "", false
			}
		}
	}
	if strings.TrimSpace(t.text) == "" && t.html != "" {
		return htmlToText(t.html), true
	}
	return t.text, true
}

// alternativeText picks the plain version of a multipart/alternative, or
// its HTML as text.
func alternativeText(p *mimePart) string {
	var plain, html string
	var walk func(ps []*mimePart)
	walk = func(ps []*mimePart) {
		for _, c := range ps {
			switch {
			case c.disposition == "attachment":
			case c.contentType == "text/plain" && plain == "":
				plain = string(c.content)
			case c.contentType == "text/html" && html == "":
				html = string(c.content)
			case strings.HasPrefix(c.contentType, "multipart/"):
				walk(c.children)
			}
		}
	}
	walk(p.children)
	if strings.TrimSpace(plain) != "" {
		return plain
	}
	if html != "" {
		return htmlToText(html)
	}
	return ""
}

// attachmentsOf lists the parts that are files (attached, or inline with a
// name or a Content-ID), in the order the mail has them.
func attachmentsOf(root *mimePart) []Attachment {
	var out []Attachment
	root.walk(func(p *mimePart) {
		if strings.HasPrefix(p.contentType, "multipart/") || p.contentType == "message/delivery-status" {
			return
		}
		isFile := p.disposition == "attachment" || p.fileName != "" || (p.disposition == "inline" && p.contentID != "") ||
			(p.contentID != "" && !strings.HasPrefix(p.contentType, "text/"))
		if !isFile || p == root && !strings.HasPrefix(p.contentType, "image/") && p.contentType != "application/pdf" {
			return
		}
		// An empty file is kept too (it is not evidence), so the message
		// says it came: nothing a requester sent is dropped unsaid.
		if len(p.content) == 0 && p.fileName == "" {
			return
		}
		name := p.fileName
		if name == "" {
			name = defaultName(p.contentType)
		}
		out = append(out, Attachment{Name: cleanText(name), ContentType: p.contentType, Data: p.content,
			Inline: p.disposition == "inline" || p.contentID != ""})
	})
	return out
}
