package mail

import (
	"bytes"
	"fmt"
	"slices"

	"refunddesk/templates"
	"refunddesk/tickets"
)

// SortedFile is what becomes of one attachment of a mail.
type SortedFile struct {
	Attachment
	// Evidence: kept as the ticket's evidence.
	Evidence bool
	// Why it is not: the note the ticket's message carries, or that it
	// repeats a file already taken.
	Why string
}

// SortedFiles is a mail's attachments sorted as the intake takes them in.
type SortedFiles struct {
	// Kept are the files that become evidence.
	Kept []tickets.File
	// Notes name, in the ticket's message, each file not kept and why.
	Notes []string
	// Files are every attachment, in the mail's order.
	Files []SortedFile
}

// SortFiles sorts a mail's attachments under the ticket core's limits:
// images and PDFs (Message.Evidence) the core accepts become evidence, the
// same file twice counting once, at most lim.MaxEvidenceFiles of them; the
// rest are named in the message with the reason. The intake and
// `mail parse` both sort through here, so what parse says is what the
// intake does. cat writes why a file was refused in English (the domain's
// codes as they are when nil).
func (m *Message) SortFiles(lim tickets.Limits, cat *templates.Catalog) SortedFiles {
	files, others := m.Evidence()
	var out SortedFiles
	why := make([]string, len(files))
	kept := make([]bool, len(files))
	var accepted []tickets.File
	for i, f := range files {
		if err := lim.AcceptEvidence(f); err != nil {
			words := err.Error()
			if cat != nil {
				words = cat.Error(tickets.LangEnglish, err)
			}
			why[i] = "[attachment not kept as evidence: " + words + "]"
			out.Notes = append(out.Notes, why[i])
			continue
		}
		// The same file twice counts once, kept or not (the service hashes
		// what it keeps).
		if slices.ContainsFunc(accepted, func(k tickets.File) bool { return bytes.Equal(k.Data, f.Data) }) {
			why[i] = "the same file as an earlier attachment (taken once)"
			continue
		}
		accepted = append(accepted, f)
		if len(out.Kept) >= lim.MaxEvidenceFiles {
			why[i] = fmt.Sprintf("[attachment not kept as evidence: %s (more than %d files)]", f.Name, lim.MaxEvidenceFiles)
			out.Notes = append(out.Notes, why[i])
			continue
		}
		kept[i] = true
		out.Kept = append(out.Kept, f)
	}
	// Message.Evidence keeps the mail's order in both lists: walk them
	// beside the attachments.
	fi, oi := 0, 0
	for _, a := range m.Attachments {
		s := SortedFile{Attachment: a}
		if fi < len(files) && files[fi].Name == a.Name && sameSlice(files[fi].Data, a.Data) {
			s.Evidence, s.Why = kept[fi], why[fi]
			fi++
		} else if oi < len(others) {
			o := others[oi]
			s.Why = fmt.Sprintf("[attachment not counted as evidence: %s (%s, %s)]", o.Name, o.ContentType, size(int64(len(o.Data))))
			out.Notes = append(out.Notes, s.Why)
			oi++
		}
		out.Files = append(out.Files, s)
	}
	return out
}

// sameSlice reports whether a and b are the same bytes in memory (not
// merely equal ones).
func sameSlice(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	return len(a) == 0 || &a[0] == &b[0]
}
