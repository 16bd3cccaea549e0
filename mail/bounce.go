package mail

import (
	"bufio"
	"bytes"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// bounceOf reads a delivery failure report about a mail: a delivery status
// notification (RFC 3464), or a mail system's report in its own words
// (qmail, Exchange's plain NDR, Lotus Domino …). report is the mail's
// report type (reportType). Other reports (ARF, read receipts) are never
// bounces.
func bounceOf(t *mimeTree, m *Message, s sender, report string) *Bounce {
	switch report {
	case "delivery-status":
		return dsnBounce(t, m, s)
	case "", "unknown":
		return textBounce(t, m, s)
	}
	return nil
}

// dsnBounce reads a delivery status notification's per-recipient fields.
func dsnBounce(t *mimeTree, m *Message, s sender) *Bounce {
	var rcpts []textproto.MIMEHeader
	t.root.walk(func(p *mimePart) {
		if p.contentType == "message/delivery-status" || p.contentType == "message/global-delivery-status" {
			rcpts = append(rcpts, dsnRecipients(p.content)...)
		}
	})
	b := &Bounce{Permanent: true}
	var delayed []textproto.MIMEHeader
	for _, r := range rcpts {
		action := strings.ToLower(strings.TrimSpace(r.Get("Action")))
		switch {
		case action == "failed":
			// A failure is final whatever the status's class: the mail
			// system has given up (a 4.4.7 after days of retries, say).
			b.add(r)
		case strings.HasPrefix(action, "delayed"):
			delayed = append(delayed, r)
		}
	}
	switch {
	case len(b.Recipients) > 0 || b.Status != "":
	case len(delayed) > 0:
		b.Permanent = false
		for _, r := range delayed {
			b.add(r)
		}
	case len(rcpts) == 0:
		// A report without per-recipient fields: read it as words.
		return textBounce(t, m, s)
	default:
		return nil // delivered, relayed, expanded: nothing failed
	}
	b.OriginalMessageID = originalID(t, m.Text)
	if b.Reason == "" && b.Status != "" {
		b.Reason = "status " + b.Status
	}
	if b.Reason == "" {
		b.Reason = "the receiving server refused the mail"
	}
	return b
}

// add takes a recipient's fields in.
func (b *Bounce) add(r textproto.MIMEHeader) {
	rcpt := r.Get("Final-Recipient")
	if rcpt == "" {
		rcpt = r.Get("Original-Recipient")
	}
	if i := strings.Index(rcpt, ";"); i >= 0 {
		rcpt = rcpt[i+1:]
	}
	if rcpt = strings.Trim(strings.TrimSpace(rcpt), "<>"); rcpt != "" {
		b.Recipients = append(b.Recipients, rcpt)
	}
	if st := strings.TrimSpace(r.Get("Status")); st != "" {
		b.Status = firstWord(st)
	}
	if d := strings.TrimSpace(r.Get("Diagnostic-Code")); d != "" {
		b.Reason = d
	}
}

// dsnRecipients reads the per-recipient groups of a message/delivery-status
// body (groups of header fields between blank lines; the first is about the
// message), as far as it is readable.
func dsnRecipients(body []byte) []textproto.MIMEHeader {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(body)))
	var out []textproto.MIMEHeader
	for {
		h, err := r.ReadMIMEHeader()
		if h.Get("Action") != "" || h.Get("Final-Recipient") != "" {
			out = append(out, h)
		}
		if err != nil {
			return out
		}
	}
}

var (
	// bounceWords: what the mail systems write in their reports, each in
	// its own words (lower case, white space collapsed).
	bounceWords = newPattern(`this is the mail system at host|i'm sorry to have to inform you that your message could not|`+
		`this message was created automatically by mail delivery software|a message that you sent could not be delivered|`+
		`this is the qmail-send program|i'm afraid i wasn't able to deliver your message|`+
		`the original message was received at|transcript of session follows|the following addresses had (?:permanent )?fatal errors|`+
		`delivery has failed to these recipients or groups|your message (?:to \S+ )?couldn't be delivered|the following recipient\(s\) cannot be reached|`+
		`diagnostic information for administrators|delivery to the following recipients? failed|`+
		`address not found|your message wasn't delivered to|the response from the remote server was|the recipient server did not accept our requests|`+
		`sorry, we were unable to deliver your message|was not delivered to:|delivery failure: |`+
		`this is a delivery status notification|your message to the following recipients cannot be delivered|`+
		`permanent fatal delivery errors|an error occurred while trying to deliver the mail to the following recipients|`+
		`message could not be delivered to the following recipients|delivery to the following recipient has been delayed|`+
		`mail delivery failed: returning message to sender`, 1)
	// bounceAnyWords: words any report may use, and a person too; they
	// count only beside a returned original or a status code.
	bounceAnyWords = newPattern(`could not be delivered|couldn't be delivered|undeliverable|undelivered|delivery (?:has )?failed|`+
		`user unknown|unknown user|no such user|mailbox (?:unavailable|full|not found|does not exist)|recipient address rejected|`+
		`address rejected|does not exist|over quota|quota exceeded|host not found|relay access denied`, 1)
	// bounceSubjectRe: how reports are entitled (lower case).
	bounceSubjectRe = regexp.MustCompile(`^\s*(?:undeliverable|undelivered mail|mail delivery fail|returned mail|delivery status notification|` +
		`failure notice|delivery failure|delivery notification|message not delivered|non[- ]?delivery|nondeliverable|mail system error|` +
		`permanent delivery failure|delivery has failed|could not send message|warning: could not send|delayed mail|delivery delayed|` +
		`message delayed|mail could not be delivered|your message couldn't be delivered|pesan tidak terkirim|surat tidak terkirim)`)
	// delayWords: a report that the mail system is still trying.
	delayWords = newPattern(`delayed mail|delivery (?:has been )?delayed|\(delay\)|this is a warning message only|`+
		`will (?:continue|keep) (?:to try|trying)|still (?:being retried|trying)|has not yet been delivered|`+
		`could not send message for past|message delayed|not been delivered yet|tertunda`, 1)
	statusRe   = regexp.MustCompile(`(?:^|[^\d.])([45]\.\d{1,3}\.\d{1,3})(?:$|[^\d.]|\.(?:$|\D))`)
	originalRe = regexp.MustCompile(`(?im)^[ \t>]*(?:-{2,}[ -]*(?:this is a copy of|below this line is a copy of|original message|unsent message|` +
		`message header follows|returned message|undelivered message|the header of the original|headers of the original)|` +
		`original message headers:)`)
	quotedHeaderRe = regexp.MustCompile(`(?im)^[ \t>]*(?:received|return-path|message-id|dkim-signature|x-received|arc-seal):`)
	addressRe      = regexp.MustCompile(`[a-z0-9!#$%&'*+/=?^_{|}~.-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+`)
	smtpLineRe     = regexp.MustCompile(`\b[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}\b|\b[45]\d\d[ :-]\D`)
	// reasonWords: what a report's line of reason says.
	reasonWords = newPattern(`not listed|no mailbox|not a valid|doesn't have|not found|unknown|does not exist|rejected|disabled|`+
		`denied|blocked|spam|full|quota|refused|no such|timed out`, 1)
	onlyAddressRe = regexp.MustCompile(`^<?[^\s<>@]+@[^\s<>@]+>?:?$`)
)

// textBounce reads a report that is not a delivery status notification:
// only from a mail system (an empty envelope sender, a mail system's
// address, X-Failed-Recipients, Exchange's NDR mark), and only when its
// words, its subject or its form say that a mail could not be delivered.
func textBounce(t *mimeTree, m *Message, s sender) *Bounce {
	failed := strings.TrimSpace(t.get("X-Failed-Recipients"))
	ndr := len(t.values("X-Ms-Exchange-Message-Is-Ndr")) > 0
	if !s.null && s.daemon == "" && failed == "" && !ndr {
		return nil
	}
	section, quoted := splitOriginal(m.Text)
	words := strings.ToLower(collapse(section))
	status := ""
	if mm := statusRe.FindStringSubmatch(section); mm != nil {
		status = mm[1]
	}
	returned := quoted != "" || hasOriginalPart(t)
	subject := strings.ToLower(m.Subject)
	if !bounceWords.MatchString(words) && !bounceSubjectRe.MatchString(subject) && failed == "" && !ndr &&
		!(bounceAnyWords.MatchString(words) && (returned || status != "")) {
		return nil
	}
	delay := delayWords.MatchString(words) || delayWords.MatchString(subject)
	b := &Bounce{Status: status, Permanent: !delay || strings.HasPrefix(status, "5")}
	if failed != "" {
		for _, r := range strings.Split(failed, ",") {
			if r = strings.Trim(strings.TrimSpace(r), "<>"); r != "" {
				b.Recipients = append(b.Recipients, r)
			}
		}
	} else if b.Recipients = failedAddresses(t, m, section); len(b.Recipients) == 0 {
		// No address in the report's words (Exchange's plain report names
		// the person): the returned mail's recipient.
		b.Recipients = originalTo(t, quoted)
	}
	b.Reason = reasonLine(section)
	if b.Reason == "" && status != "" {
		b.Reason = "status " + status
	}
	if b.Reason == "" {
		b.Reason = "the receiving server refused the mail"
	}
	b.OriginalMessageID = originalID(t, m.Text)
	return b
}

// splitOriginal cuts a report's text where the returned mail begins: a
// marker line ("------ This is a copy of the message …", "--- Below this
// line is a copy of the message.", "Original message headers:"), else the
// first quoted header line.
func splitOriginal(text string) (report, original string) {
	if loc := originalRe.FindStringIndex(text); loc != nil {
		return text[:loc[0]], text[loc[0]:]
	}
	if loc := quotedHeaderRe.FindStringIndex(text); loc != nil {
		return text[:loc[0]], text[loc[0]:]
	}
	return text, ""
}

// originalTypes are the parts that carry a returned mail or its header.
var originalTypes = map[string]bool{"message/rfc822": true, "text/rfc822-headers": true, "message/rfc822-headers": true,
	"message/global": true, "message/global-headers": true}

func hasOriginalPart(t *mimeTree) bool {
	found := false
	t.root.walk(func(p *mimePart) { found = found || originalTypes[p.contentType] })
	return found
}

var (
	headerIDRe = regexp.MustCompile(`(?im)^message-id:[ \t]*(?:\r?\n[ \t]+)?(<[^<>\s]+>)`)
	quotedIDRe = regexp.MustCompile(`(?im)^[ \t>]*message-id:[ \t]*(?:\r?\n[ \t>]+)?(<[^<>\s]+>)`)
)

// originalID is the Message-ID of the returned mail: in an attached copy
// or header, else in the quoted copy below the report's words, else
// anywhere in the text.
func originalID(t *mimeTree, text string) string {
	id := ""
	t.root.walk(func(p *mimePart) {
		if id != "" || !originalTypes[p.contentType] {
			return
		}
		head := p.content
		if i := bytes.Index(head, []byte("\n\n")); i >= 0 {
			head = head[:i]
		}
		if i := bytes.Index(head, []byte("\r\n\r\n")); i >= 0 {
			head = head[:i]
		}
		if mm := headerIDRe.FindSubmatch(head); mm != nil {
			id = firstID(cleanText(string(mm[1])))
		}
	})
	if id != "" {
		return id
	}
	_, quoted := splitOriginal(text)
	for _, s := range []string{quoted, text} {
		if mm := quotedIDRe.FindStringSubmatch(s); mm != nil {
			return firstID(mm[1])
		}
	}
	return ""
}

// failedAddresses finds the addresses a report's words are about: those in
// its text that are not the report's own sender or recipients, nor a mail
// system's or a Message-ID.
func failedAddresses(t *mimeTree, m *Message, section string) []string {
	skip := map[string]bool{}
	for _, k := range []string{"From", "To", "Cc", "Delivered-To", "Reply-To"} {
		for _, a := range addressRe.FindAllString(strings.ToLower(strings.Join(t.values(k), ",")), -1) {
			skip[a] = true
		}
	}
	if m.From != nil {
		skip[strings.ToLower(m.From.Address)] = true
	}
	var out []string
	for _, line := range strings.Split(strings.ToLower(section), "\n") {
		if strings.Contains(line, "message-id") || strings.Contains(line, "in-reply-to") || strings.Contains(line, "references:") {
			continue
		}
		for _, a := range addressRe.FindAllString(line, -1) {
			a = strings.Trim(a, ".-")
			local, _, _ := strings.Cut(a, "@")
			if skip[a] || daemonRe.MatchString(local) || roleRe.MatchString(local) {
				continue
			}
			skip[a] = true
			if out = append(out, a); len(out) == 10 {
				return out
			}
		}
	}
	return out
}

// reasonLine is the line of a report that gives the receiving server's
// answer (an SMTP code), or else the line below the failed address (qmail,
// Yahoo, Domino), or else one that says what failed.
func reasonLine(section string) string {
	var below, words string
	afterAddress := false
	for _, line := range strings.Split(section, "\n") {
		line = strings.TrimSpace(collapse(line))
		if line == "" {
			continue
		}
		switch {
		case smtpLineRe.MatchString(line):
			return short(line)
		case afterAddress && strings.HasSuffix(line, ":"):
			continue // a label ("because:"): the reason is below it
		case afterAddress && below == "":
			below = line
		case words == "" && reasonWords.MatchString(strings.ToLower(line)):
			words = line
		}
		afterAddress = onlyAddressRe.MatchString(line)
	}
	if below != "" {
		return short(below)
	}
	return short(words)
}

var toRe = regexp.MustCompile(`(?im)^[ \t>]*to:[ \t]*(.*(?:\r?\n[ \t]+.*)*)`)

// originalTo is the To of the returned mail: its attached copy or header,
// else its quoted copy.
func originalTo(t *mimeTree, quoted string) []string {
	var head string
	t.root.walk(func(p *mimePart) {
		if head == "" && originalTypes[p.contentType] {
			head = string(p.content)
		}
	})
	if head == "" {
		head = quoted
	}
	// The header: below the marker line, up to the first blank line.
	lines := strings.Split(strings.ReplaceAll(head, "\r\n", "\n"), "\n")
	for len(lines) > 0 && (strings.TrimSpace(lines[0]) == "" || originalRe.MatchString(lines[0])) {
		lines = lines[1:]
	}
	if i := slices.Index(lines, ""); i >= 0 {
		lines = lines[:i]
	}
	if mm := toRe.FindStringSubmatch(strings.Join(lines, "\n")); mm != nil {
		return addressRe.FindAllString(strings.ToLower(mm[1]), 10)
	}
	return nil
}

// short cuts a line to 200 bytes, on a character boundary.
func short(s string) string {
	if len(s) <= 200 {
		return s
	}
	s = s[:200]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
