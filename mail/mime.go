package mail

import (
	"bytes"
	"io"
	netmail "net/mail"
	"strings"
	"time"
	"unicode/utf8"

	gomessage "github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/dsn"
)

// A mail is read by one of two parsers. go-message reads well-formed mail
// (most of it) and streams each part's content; enmime reads the rest: it
// tolerates broken structure, guesses undeclared charsets, reads delivery
// reports, and notes what it worked around. On mail both can read they give
// the same tree (a test checks it on every mail of the corpora), so what
// the desk understands does not depend on which one read it.

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
	report   *dsn.Report // a delivery status report (enmime only)
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
	_ = env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
		if p.ContentType != "multipart/report" {
			return false
		}
		if r, err := dsn.ParseReport(p); err == nil && r != nil {
			t.report = r
			return true
		}
		return false
	})
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
	if t.root = readPart(e, 0); t.root == nil {
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
// than mail clients nest them are left to enmime too.
func readPart(e *gomessage.Entity, depth int) *mimePart {
	ct, ctParams, err := e.Header.ContentType()
	if err != nil || depth > 16 || strings.HasPrefix(ct, "message/") || ct == "multipart/report" {
		return nil
	}
	if depth > 0 && e.Header.Get("Content-Type") == "" {
		return nil // a part without a type: enmime does not take it for text
	}
	p := &mimePart{contentType: ct, contentID: e.Header.Get("Content-Id")}
	if p.contentID != "" && strings.Trim(p.contentID, "<> \t") == "" {
		return nil // an empty Content-ID: enmime ignores it
	}
	if e.Header.Get("Content-Disposition") != "" {
		disp, dParams, err := e.Header.ContentDisposition()
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
	if mr := e.MultipartReader(); mr != nil {
		for {
			c, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil
			}
			cp := readPart(c, depth+1)
			if cp == nil {
				return nil
			}
			p.children = append(p.children, cp)
		}
		return p
	}
	if p.content, err = io.ReadAll(e.Body); err != nil {
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
