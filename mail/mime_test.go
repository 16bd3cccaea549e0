package mail

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Both parsers give the same Message for every mail of the corpora the
// well-formed reader takes; the others are left to enmime. Only Warnings
// may differ, and then only by enmime's notes that are not errors ("[W]
// Plain Text from HTML", a charset it would have guessed otherwise).
func TestParsersAgree(t *testing.T) {
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
		wm, ok := build(raw, wt)
		if !ok {
			continue
		}
		fast++
		tt, err := readTolerant(raw)
		if err != nil {
			t.Errorf("%s: go-message reads it, enmime does not: %v", file, err)
			continue
		}
		tm, _ := build(raw, tt)
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
