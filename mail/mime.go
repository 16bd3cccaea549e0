package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	netmail "net/mail"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
	"github.com/jhillyerd/enmime/v2"
)

// A mail is read by one of two parsers. go-message reads well-formed mail
// (most of it) and streams each part's content; enmime reads the rest: it
// tolerates broken structure, guesses undeclared charsets, reads delivery
// reports (bounce.go reads their parts), and notes what it worked around.
// On mail both can read they give the same tree (a test checks it on every
// mail of the corpora), so what the desk understands does not depend on
// which one read it.

// mimeTree is a mail as a parser read it.
type mimeTree struct {
	get    func(key string) string   // a header field, decoded
	values func(key string) []string // every field of that name
	from   []*netmail.Address        // nil when From cannot be read strictly
	// replyTo, date: zero when absent or unreadable.
	replyTo []*netmail.Address
	date    time.Time
	root    *mimePart
	// text and html are the body as the parser gives it where there are no
	// parts to walk: a single-part mail, or parts with no text among them.
	text, html string
	// guessed: text and html are not the parser's (go-message gives none
	// for multipart mail); a body found only there is left to enmime.
	guessed  bool
	warnings []string
}

// mimePart is one part of a mail, its content decoded (text in UTF-8).
type mimePart struct {
	contentType, disposition, fileName, contentID string
	content                                       []byte
	children                                      []*mimePart
}

// walk visits p and the parts under it, each before its children.
func (p *mimePart) walk(fn func(*mimePart)) {
	fn(p)
	for _, c := range p.children {
		c.walk(fn)
	}
}

// readTolerant reads a mail with enmime.
func readTolerant(raw []byte) (*mimeTree, error) {
	env, err := enmime.NewParser(enmime.SkipMalformedParts(true), enmime.MaxStoredPartErrors(50)).ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if env.Root == nil || len(env.GetHeaderKeys()) == 0 {
		return nil, errNoHeader
	}
	t := &mimeTree{get: env.GetHeader, values: env.GetHeaderValues, text: env.Text, html: env.HTML, root: fromEnmime(env.Root)}
	if from, err := env.AddressList("From"); err == nil {
		t.from = from
	}
	if rt, err := env.AddressList("Reply-To"); err == nil {
		t.replyTo = rt
	}
	if d, err := env.Date(); err == nil {
		t.date = d
	}
	for _, e := range env.Errors {
		t.warnings = append(t.warnings, e.Error())
	}
	return t, nil
}

func fromEnmime(p *enmime.Part) *mimePart {
	out := &mimePart{contentType: p.ContentType, disposition: p.Disposition, fileName: p.FileName, contentID: p.ContentID, content: p.Content}
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		out.children = append(out.children, fromEnmime(c))
	}
	return out
}

// readWellFormed reads a mail with go-message, or returns nil for enmime to
// read it: on any error, and on whatever enmime would read its own way (an
// encoded header or file name, text that is not declared UTF-8 or ASCII, a
// report, an attached message, a bounce, a part that is not text at the
// top).
func readWellFormed(raw []byte) *mimeTree {
	e, err := gomessage.Read(bytes.NewReader(raw))
	if err != nil || e.Header.Len() == 0 {
		return nil
	}
	h := gomail.Header{Header: e.Header}
	for _, k := range []string{"Subject", "From", "Reply-To"} {
		if strings.Contains(h.Get(k), "=?") {
			return nil
		}
	}
	from := strings.ToLower(h.Get("From"))
	if strings.Contains(from, "mailer-daemon") || strings.Contains(from, "postmaster") {
		return nil
	}
	t := &mimeTree{get: h.Get, values: h.Values}
	if a, err := h.AddressList("From"); err == nil {
		t.from = fromGoMessage(a)
	} else {
		return nil
	}
	if h.Get("Reply-To") != "" {
		a, err := h.AddressList("Reply-To")
		if err != nil {
			return nil
		}
		t.replyTo = fromGoMessage(a)
	}
	if h.Get("Date") != "" {
		if t.date, err = h.Date(); err != nil {
			return nil
		}
	}
	// The root's body comes decoded from go-message (a multipart body is
	// never transfer-encoded); its parts' bodies come raw, and are decoded
	// by readPart.
	if t.root = readPart(e.Header, e.Body, true, 0); t.root == nil {
		return nil
	}
	switch {
	case strings.HasPrefix(t.root.contentType, "multipart/"):
		t.guessed = true
	case t.root.disposition == "attachment":
		return nil // a mail that is only a file: enmime finds no body in it
	case t.root.contentType == "text/plain":
		t.text = string(t.root.content)
	case t.root.contentType == "text/html":
		t.html = string(t.root.content)
		t.text = htmlToText(t.html)
	default:
		return nil
	}
	return t
}

// readPart reads an entity and its parts, or nil when go-message cannot
// read it cleanly or enmime would read it differently. Parts nested deeper
// than mail clients nest them are left to enmime too. body is the entity's
// body as the mail has it, or already decoded when decoded is set.
func readPart(h gomessage.Header, body io.Reader, decoded bool, depth int) *mimePart {
	ct, ctParams, err := h.ContentType()
	if err != nil || depth > 16 || strings.HasPrefix(ct, "message/") || ct == "multipart/report" {
		return nil
	}
	if depth > 0 && h.Get("Content-Type") == "" {
		return nil // a part without a type: enmime does not take it for text
	}
	p := &mimePart{contentType: ct, contentID: h.Get("Content-Id")}
	if p.contentID != "" && strings.Trim(p.contentID, "<> \t") == "" {
		return nil // an empty Content-ID: enmime ignores it
	}
	if h.Get("Content-Disposition") != "" {
		disp, dParams, err := h.ContentDisposition()
		if err != nil {
			return nil
		}
		p.disposition, p.fileName = disp, dParams["filename"]
	}
	if p.fileName == "" {
		p.fileName = ctParams["name"]
	}
	if p.fileName == "" {
		p.fileName = ctParams["file"]
	}
	if strings.Contains(p.fileName, "=?") {
		return nil
	}
	if strings.HasPrefix(ct, "multipart/") {
		// go-message's own multipart reader, without its decoding of each
		// part: readContent decodes them.
		mr := textproto.NewMultipartReader(body, ctParams["boundary"])
		for {
			c, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil
			}
			cp := readPart(gomessage.Header{Header: c.Header}, c, false, depth+1)
			if cp == nil {
				return nil
			}
			p.children = append(p.children, cp)
		}
		return p
	}
	if p.content, err = readContent(h, ct, body, decoded); err != nil {
		return nil
	}
	if strings.HasPrefix(ct, "text/") && !isASCII(p.content) {
		cs := strings.ToLower(ctParams["charset"])
		if cs != "utf-8" && cs != "utf8" || !utf8.Valid(p.content) {
			return nil // a charset to guess or convert: enmime's
		}
	}
	return p
}

// readContent decodes a part's body as go-message would (its transfer
// encoding, and a text part's charset), except that base64 files, the bulk
// of what mail carries, are decoded in one call instead of as a stream.
func readContent(h gomessage.Header, ct string, body io.Reader, decoded bool) ([]byte, error) {
	if decoded {
		return io.ReadAll(body)
	}
	if !strings.HasPrefix(ct, "text/") && strings.ToLower(h.Get("Content-Transfer-Encoding")) == "base64" {
		return decodeBase64(body)
	}
	e, err := gomessage.New(h, body)
	if err != nil {
		return nil, err // an unknown transfer encoding or charset
	}
	return io.ReadAll(e.Body)
}

// encoded holds a part's base64 text while it is decoded.
var encoded = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// decodeBase64 decodes a base64 body. Line ends are skipped by the decoder
// itself; spaces and tabs, which some senders indent lines with, are
// skipped too, as go-message does.
func decodeBase64(body io.Reader) ([]byte, error) {
	buf := encoded.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 4<<20 {
			buf.Reset()
			encoded.Put(buf)
		}
	}()
	buf.Reset()
	if _, err := buf.ReadFrom(body); err != nil {
		return nil, err
	}
	enc := buf.Bytes()
	if bytes.IndexByte(enc, ' ') >= 0 || bytes.IndexByte(enc, '\t') >= 0 {
		n := 0
		for _, c := range enc {
			if c != ' ' && c != '\t' {
				enc[n] = c
				n++
			}
		}
		enc = enc[:n]
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Decode(out, enc)
	if err != nil {
		return nil, fmt.Errorf("base64: %w", err)
	}
	return out[:n:n], nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func fromGoMessage(list []*gomail.Address) []*netmail.Address {
	out := make([]*netmail.Address, len(list))
	for i, a := range list {
		out[i] = (*netmail.Address)(a)
	}
	return out
}
