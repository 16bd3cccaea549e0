package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	gomessage "github.com/emersion/go-message"
)

// Both parsers give the same Message for every mail of the corpora the
// well-formed reader takes; the others are left to enmime. Only Warnings
// may differ, and then only by enmime's notes that are not errors ("[W]
// Plain Text from HTML", a charset it would have guessed otherwise).
func TestParsersAgree(t *testing.T) {
	if raceEnabled {
		t.Skip("pure computation over every corpus: make test runs it without -race")
	}
	files, _ := filepath.Glob("testdata/*/*.eml")
	if len(files) == 0 {
		t.Fatal("no corpus")
	}
	// Mails the corpora lack, where the two would read differently if
	// go-message took them: a mail that is only an attached text file, a
	// part without a type, an empty Content-ID.
	head := "From: A <a@example.com>\r\nTo: b@example.com\r\nSubject: x\r\nMessage-ID: <e1@example.com>\r\nMIME-Version: 1.0\r\n"
	extra := map[string]string{
		"file only": head + "Content-Type: text/plain; name=log.txt\r\nContent-Disposition: attachment\r\n\r\nthe log\r\n",
		"no type":   head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nuntyped part\r\n--b--\r\n",
		"empty Content-ID": head + "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nhi\r\n" +
			"--b\r\nContent-Type: application/octet-stream\r\nContent-ID: <>\r\n\r\nxx\r\n--b--\r\n",
	}
	for name := range extra {
		files = append(files, name)
	}
	fast := 0
	for _, file := range files {
		raw := []byte(extra[file])
		if len(raw) == 0 {
			var err error
			if raw, err = os.ReadFile(file); err != nil {
				t.Fatal(err)
			}
		}
		wt := readWellFormed(raw)
		if wt == nil {
			continue
		}
		wm, ok := build(raw, wt, shippedModels())
		if !ok {
			continue
		}
		fast++
		tt, err := readTolerant(raw)
		if err != nil {
			t.Errorf("%s: go-message reads it, enmime does not: %v", file, err)
			continue
		}
		tm, _ := build(raw, tt, shippedModels())
		if !reflect.DeepEqual(wm, tm) {
			for _, w := range tm.Warnings {
				if !strings.HasPrefix(w, "[W] ") {
					t.Errorf("%s: go-message reads a mail enmime finds broken: %s", file, w)
				}
			}
			if len(wm.Warnings) != 0 {
				t.Errorf("%s: warnings from go-message: %q", file, wm.Warnings)
			}
			wm.Warnings, tm.Warnings = nil, nil
			a, b := reflect.ValueOf(*wm), reflect.ValueOf(*tm)
			for i := 0; i < a.NumField(); i++ {
				if !a.Field(i).CanInterface() { // unexported: compared as printed
					if x, y := fmt.Sprint(a.Field(i)), fmt.Sprint(b.Field(i)); x != y {
						t.Errorf("%s: the parsers disagree on %s:\ngo-message %q\nenmime     %q", file, a.Type().Field(i).Name, x, y)
					}
					continue
				}
				if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
					t.Errorf("%s: the parsers disagree on %s:\ngo-message %q\nenmime     %q", file, a.Type().Field(i).Name, a.Field(i).Interface(), b.Field(i).Interface())
				}
			}
		}
	}
	t.Logf("%d of %d mails read by go-message", fast, len(files))
	if fast < len(files)/2 {
		t.Errorf("only %d of %d mails read by go-message", fast, len(files))
	}
}

// The one-call base64 decoding gives what go-message's stream decoding
// gives, bytes and failure alike, on the line ends, indents and breakage
// mail carries. (One case is left out on purpose: a file encoded as
// separately padded pieces. The stream decoder takes one only when a
// piece's padding falls on its read boundary; this decoding refuses it
// always, and enmime then reads the mail.)
func TestBase64DecodingAgreesWithGoMessage(t *testing.T) {
	file := make([]byte, 5000)
	for i := range file {
		file[i] = byte(i * 7)
	}
	enc := base64.StdEncoding.EncodeToString(file)
	lines := func(sep, indent string, width int) string {
		var b strings.Builder
		for s := enc; s != ""; {
			n := min(width, len(s))
			b.WriteString(indent + s[:n] + sep)
			s = s[n:]
		}
		return b.String()
	}
	bodies := map[string]string{
		"CRLF lines":             lines("\r\n", "", 76),
		"LF lines":               lines("\n", "", 76),
		"odd width":              lines("\r\n", "", 57),
		"tab indent":             lines("\r\n", "\t", 76),
		"space indent":           lines("\r\n", "  ", 64),
		"one line":               enc,
		"empty":                  "",
		"blank lines":            "\r\n\r\n",
		"short padding":          "QUJD\r\nRA=\r\n",
		"no padding":             "QUJD\r\nRA\r\n",
		"padded":                 "QUJD\r\nRA==\r\n",
		"not base64":             "QUJD\r\nR*==\r\n",
		"data after the padding": "QUJDRA==\r\nQUJD\r\n",
		"truncated":              lines("\r\n", "", 76)[:1001],
	}
	h := gomessage.Header{}
	h.Set("Content-Type", "image/png")
	h.Set("Content-Transfer-Encoding", "base64")
	for name, body := range bodies {
		got, gotErr := decodeBase64(strings.NewReader(body))
		e, err := gomessage.New(h, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		want, wantErr := io.ReadAll(e.Body)
		if (gotErr != nil) != (wantErr != nil) {
			t.Errorf("%s: error %v, go-message's %v", name, gotErr, wantErr)
			continue
		}
		if gotErr == nil && !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from go-message's %d", name, len(got), len(want))
		}
	}
	if got, err := decodeBase64(strings.NewReader(lines("\r\n", "\t", 76))); err != nil || !bytes.Equal(got, file) {
		t.Errorf("an indented file: %v, %d of %d bytes", err, len(got), len(file))
	}
}
