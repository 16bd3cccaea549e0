package mail

import (
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"github.com/inbucket/html2text"
)

// charsetReader decodes the charsets mail in the wild uses (ISO-8859-x,
// windows-125x, and the rest go-message knows).
func charsetReader(cs string, r io.Reader) (io.Reader, error) { return charset.Reader(cs, r) }

// htmlToText turns an HTML body into text, keeping link text.
func htmlToText(html string) string {
	text, err := html2text.FromString(html)
	if err != nil {
		return regexp.MustCompile(`<[^>]*>`).ReplaceAllString(html, " ")
	}
	return text
}

// Where what the sender wrote ends and quoted history begins, in the styles
// common clients write, in English and Indonesian.
var (
	replyHeaderRe = regexp.MustCompile(`(?i)^\s*(on\s.+|pada\s.+|le\s.+|am\s.+)\b(wrote|menulis|a écrit|schrieb)\s*:?\s*$`)
	replyStartRe  = regexp.MustCompile(`(?i)^\s*(on|pada)\s+\S`)
	replyEndRe    = regexp.MustCompile(`(?i)\b(wrote|menulis)\s*:?\s*$`)
	separatorRe   = regexp.MustCompile(`(?i)^\s*-{2,}\s*(original message|pesan asli|pesan awal|pesan asal|mensaje original)\s*-{2,}\s*$`)
	forwardRe     = regexp.MustCompile(`(?i)^\s*(-{2,}\s*(forwarded message|pesan terusan|pesan yang diteruskan)\s*-{2,}|(begin forwarded message|awal pesan yang diteruskan|pesan yang diteruskan)\s*:)\s*$`)
	underscoreRe  = regexp.MustCompile(`^\s*_{8,}\s*$`)
	headerFromRe  = regexp.MustCompile(`(?i)^\s*\*?(from|dari)\*?\s*:\s*\S`)
	headerMetaRe  = regexp.MustCompile(`(?i)^\s*\*?(sent|date|dikirim|terkirim|tanggal|to|kepada|subject|perihal|subjek)\*?\s*:`)
	signatureRe   = regexp.MustCompile(`(?i)^\s*(sent from|sent via|sent with|dikirim dari|dikirim melalui|dikirim menggunakan|dikirim dengan|get outlook for|dapatkan outlook untuk|kirim dari|diketik dari|sent on the go)\b`)
	disclaimerRe  = regexp.MustCompile(`(?i)^\s*(\**\s*)?((perhatian|catatan|penting|notice|important|confidential)\s*:\s*)?(disclaimer|confidentiality notice|catatan kerahasiaan|pemberitahuan kerahasiaan|pernyataan kerahasiaan|this (e-?mail|message)( and any (files|attachments)( transmitted with it)?)? (is|are|may be) (confidential|intended|privileged)|(e-?mail|surel|pesan) ini (beserta |dan |serta )?(lampiran(nya)? |seluruh lampirannya )?(bersifat |adalah |hanya )?(rahasia|ditujukan))`)
)

// SplitQuoted separates what the sender wrote this time from what they
// quoted: reply headers ("On … wrote:", "Pada … menulis:"), Outlook's
// "-----Original Message-----" and From:/Sent: blocks, forwarded blocks,
// "> " lines, and signatures ("-- ", "Sent from my iPhone", "Dikirim dari
// iPhone saya", legal disclaimers).
func SplitQuoted(text string) (newText, quoted string) {
	q := splitQuoted(text, false, false)
	return q.newText, strings.TrimSpace(strings.Join([]string{q.forwarded, q.history}, "\n"))
}

// quoteSplit is a mail's text in its parts.
type quoteSplit struct {
	newText string
	// forwarded is a forwarded message (the sender's evidence: the
	// platform's notification, say); history the reply history (what the
	// desk already has).
	forwarded, history string
	// signature is the sender's signature block below "-- " (their name,
	// their handles), up to what is quoted or forwarded under it.
	signature string
}

// splitQuoted separates the new text, a forwarded message, the reply
// history and the signature. forward says the mail is a forward (its
// subject says so, or it answers nothing): then a quoted header block
// (Outlook's From:/Sent: or Dari:/Dikirim:, "-----Original Message-----",
// Samsung's "-------- Original message --------") is what is forwarded, not
// history, as clients write no "Forwarded message" line above it.
// fwdSubject says the subject is a forward's ("Fwd:"): then a mail quoted
// under "On … wrote:" is the forwarded one too (clients that forward as a
// quote).
func splitQuoted(text string, forward, fwdSubject bool) quoteSplit {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	forwardAt, sigAt := -1, -1
	// headerBlock: line i starts a quoted mail's header block.
	headerBlock := func(i int) bool {
		l := strings.TrimRight(lines[i], " \t")
		return separatorRe.MatchString(l) ||
			underscoreRe.MatchString(l) && i+1 < len(lines) && headerFromRe.MatchString(lines[i+1]) ||
			headerFromRe.MatchString(l) && outlookBlock(lines[i+1:])
	}
	skip := map[int]bool{} // reply headers of an answer written between the quoted lines
	for i := 0; i < len(lines) && i < cut; i++ {
		l := strings.TrimRight(lines[i], " \t")
		switch {
		case forwardRe.MatchString(l):
			cut, forwardAt = i, i
		case replyHeaderRe.MatchString(l) && interleaved(lines[i+1:]):
			skip[i] = true // answers written under each quoted line: keep reading
		case replyHeaderRe.MatchString(l):
			cut = i
			if fwdSubject {
				forwardAt = i
			}
		case headerBlock(i):
			cut = i
			if forward {
				forwardAt = i
			}
		case replyStartRe.MatchString(l) && i+1 < len(lines) && replyEndRe.MatchString(lines[i+1]) && len(l) < 200:
			cut = i // "On Mon, 3 Nov 2026 at 10:00, Name <a@b>\nwrote:"
			if fwdSubject {
				forwardAt = i
			}
		case strings.TrimSpace(l) == "--" || l == "-- ":
			cut, sigAt = i, i
		case signatureRe.MatchString(l) && len(strings.TrimSpace(l)) < 80:
			cut = i
		case disclaimerRe.MatchString(l):
			cut = i
		}
	}
	var kept, quotedLines []string
	for i, l := range lines {
		switch {
		case i >= cut:
		case skip[i]:
			quotedLines = append(quotedLines, l)
		case strings.HasPrefix(strings.TrimLeft(l, " "), ">"):
			quotedLines = append(quotedLines, l)
		default:
			kept = append(kept, l)
		}
	}
	if forwardAt < 0 {
		// A forwarded message below a signature ("Sent from my iPhone",
		// then "Begin forwarded message:"; "Dapatkan Outlook untuk
		// Android", then Outlook's header block) is still the sender's
		// evidence.
		for i := cut; i < len(lines); i++ {
			if forwardRe.MatchString(strings.TrimRight(lines[i], " \t")) || forward && i > cut && headerBlock(i) {
				forwardAt = i
				break
			}
		}
	}
	var q quoteSplit
	if sigAt >= 0 {
		var sig []string
		for i := sigAt + 1; i < len(lines) && i < sigAt+12 && i != forwardAt; i++ {
			l := strings.TrimRight(lines[i], " \t")
			if strings.HasPrefix(strings.TrimLeft(l, " "), ">") || replyHeaderRe.MatchString(l) || headerBlock(i) ||
				disclaimerRe.MatchString(l) || signatureRe.MatchString(l) {
				break
			}
			sig = append(sig, l)
		}
		q.signature = strings.TrimSpace(strings.Join(sig, "\n"))
	}
	history := strings.Join(quotedLines, "\n")
	switch {
	case forwardAt >= 0:
		history = strings.TrimSpace(history + "\n" + strings.Join(lines[cut:forwardAt], "\n"))
		q.forwarded = strings.Join(lines[forwardAt:], "\n")
	case cut < len(lines):
		history = strings.TrimSpace(history + "\n" + strings.Join(lines[cut:], "\n"))
	}
	q.newText, q.forwarded, q.history = tidy(strings.Join(kept, "\n")), strings.TrimSpace(q.forwarded), strings.TrimSpace(history)
	return q
}

// interleaved reports whether what follows a reply header is "> " quoting
// with the sender's own lines between the quoted ones (an answer written
// under each question), rather than quoting to the end.
func interleaved(next []string) bool {
	quoted, own, sawQuote := 0, 0, false
	for _, l := range next {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, ">"):
			quoted++
			sawQuote = true
		case t == "":
		case t == "--" || l == "-- " || signatureRe.MatchString(l):
			return quoted > 0 && own > 0
		case sawQuote:
			own++
		default:
			return false // text before any quote: not this style
		}
	}
	return quoted > 0 && own > 0
}

// outlookBlock reports whether the lines after a From: line look like the
// rest of a quoted header block (Sent:, To:, Subject:).
func outlookBlock(next []string) bool {
	n := 0
	for i := 0; i < len(next) && i < 5; i++ {
		if headerMetaRe.MatchString(next[i]) {
			n++
		}
	}
	return n >= 2
}

var blankRunRe = regexp.MustCompile(`\n{3,}`)

// tidy trims trailing spaces on lines and collapses runs of blank lines.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.TrimSpace(blankRunRe.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

func utf8Valid(s string) bool { return utf8.ValidString(s) }

var (
	forwardSubjectRe = regexp.MustCompile(`(?i)^\s*((re|aw|balas|bls|sv|vs)\s*(\[\d+\])?\s*:\s*)*(fw|fwd|tr|trs|rv|wg|enc|doorst)\s*(\[\d+\])?\s*:`)
	replySubjectRe   = regexp.MustCompile(`(?i)^\s*(re|aw|balas|bls|sv|vs|antw|r)\s*(\[\d+\])?\s*:`)
)

// isForward reports whether a mail forwards another: its subject says so
// ("Fwd:", "FW:", "TR:", "RV:", "WG:"), or it answers nothing (no
// In-Reply-To, no References, no "Re:"), so a mail quoted in it is one the
// sender passes on, not the history of a conversation with the desk.
func isForward(m *Message) bool {
	if forwardSubjectRe.MatchString(m.Subject) {
		return true
	}
	return len(m.InReplyTo) == 0 && len(m.References) == 0 && !replySubjectRe.MatchString(m.Subject)
}
