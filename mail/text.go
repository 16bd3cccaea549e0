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
	n, fwd, hist := splitQuoted(text)
	return n, strings.TrimSpace(strings.Join([]string{fwd, hist}, "\n"))
}

// splitQuoted separates the new text, a forwarded message (the sender's
// evidence: the platform's notification, say) and the reply history (what
// the desk already has).
func splitQuoted(text string) (newText, forwarded, history string) {
	lines := strings.Split(text, "\n")
	cut := len(lines)
	forwardAt := -1
	skip := map[int]bool{} // reply headers of an answer written between the quoted lines
	for i := 0; i < len(lines) && i < cut; i++ {
		l := strings.TrimRight(lines[i], " \t")
		switch {
		case forwardRe.MatchString(l):
			cut, forwardAt = i, i
		case replyHeaderRe.MatchString(l) && interleaved(lines[i+1:]):
			skip[i] = true // answers written under each quoted line: keep reading
		case replyHeaderRe.MatchString(l), separatorRe.MatchString(l):
			cut = i
		case replyStartRe.MatchString(l) && i+1 < len(lines) && replyEndRe.MatchString(lines[i+1]) && len(l) < 200:
			cut = i // "On Mon, 3 Nov 2026 at 10:00, Name <a@b>\nwrote:"
		case underscoreRe.MatchString(l) && i+1 < len(lines) && headerFromRe.MatchString(lines[i+1]):
			cut = i
		case headerFromRe.MatchString(l) && outlookBlock(lines[i+1:]):
			cut = i
		case strings.TrimSpace(l) == "--" || l == "-- ":
			cut = i
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
		// then "Begin forwarded message:") is still the sender's evidence.
		for i := cut; i < len(lines); i++ {
			if forwardRe.MatchString(strings.TrimRight(lines[i], " \t")) {
				forwardAt = i
				break
			}
		}
	}
	history = strings.Join(quotedLines, "\n")
	switch {
	case forwardAt >= 0:
		history = strings.TrimSpace(history + "\n" + strings.Join(lines[cut:forwardAt], "\n"))
		forwarded = strings.Join(lines[forwardAt:], "\n")
	case cut < len(lines):
		history = strings.TrimSpace(history + "\n" + strings.Join(lines[cut:], "\n"))
	}
	return tidy(strings.Join(kept, "\n")), strings.TrimSpace(forwarded), strings.TrimSpace(history)
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
