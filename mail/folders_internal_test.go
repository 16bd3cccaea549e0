package mail

import (
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"refunddesk/internal/devmail"
)

func TestServerName(t *testing.T) {
	dovecot := naming{delim: '.', answered: true, personal: &namespace{prefix: "", delim: '.'}}
	fs := naming{delim: '/', answered: true, personal: &namespace{prefix: "", delim: '/'}}
	cyrus := naming{delim: '.', answered: true, personal: &namespace{prefix: "INBOX.", delim: '.'},
		others: []namespace{{prefix: "user.", delim: '.'}, {prefix: "shared.", delim: '.'}}}
	noNamespace := naming{delim: '.'} // no NAMESPACE: LIST's separator, no prefix
	flat := naming{}
	for _, c := range []struct {
		naming naming
		name   string
		want   string // "" when refused
		why    string // in the error
	}{
		{dovecot, "refunddesk/processed", "refunddesk.processed", ""},
		{dovecot, "INBOX", "INBOX", ""},
		{dovecot, "inbox", "INBOX", ""},
		{dovecot, "a.b/x", "", `"a.b", which holds the server's hierarchy separator "."`},
		{dovecot, "refunddesk/erledigt-ü", "refunddesk.erledigt-ü", ""},
		{dovecot, "a//b", "", "empty level"},
		{dovecot, "a/", "", "empty level"},
		{dovecot, "a/*", "", "wildcard"},
		{fs, "refunddesk/processed", "refunddesk/processed", ""},
		{fs, "a.b/x", "a.b/x", ""},
		{fs, "[Gmail]/All Mail", "[Gmail]/All Mail", ""},
		{cyrus, "refunddesk/processed", "INBOX.refunddesk.processed", ""},
		{cyrus, "INBOX/refunddesk/processed", "INBOX.refunddesk.processed", ""}, // not INBOX.INBOX.…
		{cyrus, "inbox/refunddesk", "INBOX.refunddesk", ""},
		{cyrus, "INBOX", "INBOX", ""},
		{cyrus, "shared/support", "shared.support", ""}, // in the shared namespace, not under INBOX.
		{cyrus, "INBOX/a.b", "", "separator"},
		{noNamespace, "refunddesk/processed", "refunddesk.processed", ""},
		{flat, "refunddesk", "refunddesk", ""},
		{flat, "refunddesk/processed", "", "no folder hierarchy"},
	} {
		got, err := c.naming.serverName(c.name)
		if c.want == "" {
			if err == nil || !strings.Contains(err.Error(), c.why) {
				t.Errorf("%+v %q: got %q, %v; want an error saying %q", c.naming, c.name, got, err, c.why)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%+v %q: got %q, %v; want %q", c.naming, c.name, got, err, c.want)
		}
	}
}

func TestFolderSettingsAreChecked(t *testing.T) {
	for _, c := range []struct {
		mailbox, processed, failed string
		want                       string // "" when accepted
	}{
		{"INBOX", "refunddesk/processed", "refunddesk/unprocessed", ""},
		{"INBOX", `\Archive`, `\junk`, ""},
		{"INBOX", `\Archives`, "x", `mail.imap.processed_folder "\\Archives": is not a special use`},
		{`\Junk`, "x", "y", `mail.imap.mailbox "\\Junk": names a special use`},
		{"INBOX", "x", "a//b", `mail.imap.failed_folder "a//b": has an empty level`},
	} {
		cfg := IMAPConfig{Address: "127.0.0.1:143", TLS: "none", Auth: "plain", Username: "u", Mailbox: c.mailbox, ProcessedFolder: c.processed, FailedFolder: c.failed}
		errs := strings.Join(cfg.Validate("mail.imap"), "\n")
		if c.want == "" && errs != "" || !strings.Contains(errs, c.want) {
			t.Errorf("%+v: %q, want %q", c, errs, c.want)
		}
	}
}

// A folder that another instance created between the listing and the
// CREATE is used, not an error (the server says ALREADYEXISTS).
func TestCreateRaceIsNoError(t *testing.T) {
	srv, err := devmail.StartIMAP(devmail.IMAPOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if err := srv.AddUser("desk", "pw"); err != nil {
		t.Fatal(err)
	}
	c, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login("desk", "pw").Wait(); err != nil {
		t.Fatal(err)
	}
	f := NewFetcher(IMAPConfig{}, nil, nil, nil)
	n, err := learnNaming(c)
	if err != nil {
		t.Fatal(err)
	}
	stale, err := listFolders(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Create("refunddesk/processed", nil).Wait(); err != nil { // the other instance
		t.Fatal(err)
	}
	r, err := f.resolveFolder(c, n, stale, "processed_folder", "refunddesk/processed", true)
	if err != nil || r.Name != "refunddesk/processed" || !strings.Contains(r.Note, "meanwhile") {
		t.Fatalf("%+v, %v", r, err)
	}
	var list []*imap.ListData
	if list, err = c.List("", "*", nil).Collect(); err != nil || len(list) != 2 {
		t.Fatalf("%d folders, %v", len(list), err)
	}
}
