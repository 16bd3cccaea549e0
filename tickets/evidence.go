package tickets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Limits bound what one request may carry.
type Limits struct {
	MaxEvidenceBytes int64 // per file
	MaxEvidenceFiles int   // per ticket
	MaxDetailsBytes  int   // the requester's own words
}

// DefaultLimits are the limits when the config sets none.
func DefaultLimits() Limits {
	return Limits{MaxEvidenceBytes: 10 << 20, MaxEvidenceFiles: 5, MaxDetailsBytes: 64 << 10}
}

// File is evidence as it arrives: a name and its bytes. The content type is
// worked out from the bytes, never taken from the sender.
type File struct {
	Name string
	Data []byte
}

// EvidenceBlob is a checked file ready to store.
type EvidenceBlob struct {
	Evidence
	Data []byte
}

// acceptedTypes are the content types that count as evidence.
var acceptedTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"image/heic": true, "image/heif": true, "image/bmp": true,
	"application/pdf": true, "text/plain": true,
}

// SniffContentType works out what a file is from its first bytes.
func SniffContentType(data []byte) string {
	// HEIC/HEIF (iPhone photos): an ISO BMFF "ftyp" box with a HEIF brand.
	if len(data) >= 12 && string(data[4:8]) == "ftyp" {
		switch string(data[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis":
			return "image/heic"
		case "mif1", "msf1":
			return "image/heif"
		}
	}
	ct := http.DetectContentType(data)
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if (ct == "text/plain" || ct == "text/xml") && isSVG(data) {
		// Go's sniffer has no SVG: without an XML declaration it reads as
		// plain text. An SVG can carry script, so it is never evidence.
		return "image/svg+xml"
	}
	if ct == "text/plain" && !utf8.Valid(data) {
		return "application/octet-stream"
	}
	return ct
}

// isSVG reports whether text is SVG markup: it opens with a tag (after a
// byte-order mark and white space) and an <svg element comes early on, after
// whatever XML declaration, doctype or comments precede it.
func isSVG(data []byte) bool {
	head := data[:min(len(data), 4096)]
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	head = bytes.TrimLeft(head, " \t\r\n\f")
	if len(head) == 0 || head[0] != '<' {
		return false
	}
	return bytes.Contains(bytes.ToLower(head), []byte("<svg"))
}

// IsEvidenceType reports whether a content type counts as evidence.
func IsEvidenceType(ct string) bool { return acceptedTypes[ct] }

// CheckEvidence checks a file against the limits and the accepted types and
// hashes it. The error names the file and says what is wrong.
func (l Limits) CheckEvidence(f File) (EvidenceBlob, error) {
	name, ct, err := l.acceptEvidence(f)
	if err != nil {
		return EvidenceBlob{}, err
	}
	sum := sha256.Sum256(f.Data)
	return EvidenceBlob{
		Evidence: Evidence{Name: name, ContentType: ct, Size: int64(len(f.Data)), SHA256: hex.EncodeToString(sum[:])},
		Data:     f.Data,
	}, nil
}

// AcceptEvidence says whether a file would be taken as evidence, as
// CheckEvidence does, without hashing it: for a channel that sorts files
// before it submits them.
func (l Limits) AcceptEvidence(f File) error {
	_, _, err := l.acceptEvidence(f)
	return err
}

func (l Limits) acceptEvidence(f File) (name, contentType string, err error) {
	name = cleanFileName(f.Name)
	field := "evidence " + name
	if len(f.Data) == 0 {
		return "", "", Invalid(field, "evidence.empty")
	}
	if int64(len(f.Data)) > l.MaxEvidenceBytes {
		return "", "", Invalid(field, "evidence.too_large", "Size", Bytes(len(f.Data)), "Max", Bytes(l.MaxEvidenceBytes))
	}
	ct := SniffContentType(f.Data)
	if !IsEvidenceType(ct) {
		return "", "", Invalid(field, "evidence.type", "Type", ct)
	}
	return name, ct, nil
}

// cleanFileName keeps the base name of a file, without control characters.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" || name == "" {
		name = "evidence"
	}
	if len(name) > 200 {
		name = name[:200]
		for !utf8.ValidString(name) {
			name = name[:len(name)-1]
		}
	}
	return name
}
