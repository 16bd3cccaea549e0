package tickets_test

import (
	"errors"
	"testing"

	"refunddesk/tickets"
)

// An SVG can carry script: it is never evidence, however it begins. Go's
// sniffer reads most SVGs as plain text, which is evidence.
func TestSVGIsNotEvidence(t *testing.T) {
	svgs := map[string]string{
		"bare":              `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`,
		"xml declaration":   `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		"doctype":           `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg/>`,
		"byte-order mark":   "\xef\xbb\xbf<svg><script>alert(1)</script></svg>",
		"white space first": " \r\n\t<SVG ONLOAD=alert(1)></SVG>",
		"comment first":     "<!-- drawn by hand -->\n<svg/>",
		"wrapped":           "<x:root xmlns:x='urn:x'><svg/></x:root>",
	}
	l := tickets.DefaultLimits()
	for name, body := range svgs {
		t.Run(name, func(t *testing.T) {
			ct := tickets.SniffContentType([]byte(body))
			if tickets.IsEvidenceType(ct) {
				t.Fatalf("SniffContentType = %s, evidence", ct)
			}
			err := l.AcceptEvidence(tickets.File{Name: "shot.png", Data: []byte(body)})
			var ve *tickets.ValidationError
			if !errors.As(err, &ve) || ve.Code != "evidence.type" {
				t.Fatalf("AcceptEvidence = %v, want it refused", err)
			}
		})
	}
	if ct := tickets.SniffContentType([]byte(svgs["bare"])); ct != "image/svg+xml" {
		t.Errorf("a bare SVG sniffs as %s, want image/svg+xml", ct)
	}
	// Plain text that only mentions an svg stays plain text.
	for _, text := range []string{"my screenshot was an <svg> file, sorry", "I paid 50.000 < 80.000 promised <svg"} {
		if ct := tickets.SniffContentType([]byte(text)); ct != "text/plain" {
			t.Errorf("SniffContentType(%q) = %s, want text/plain", text, ct)
		}
	}
}
