package main

import (
	"regexp"
	"strings"
	"testing"

	"refunddesk/internal/devmail"
	"refunddesk/tickets/sqlstore"
)

// mail check shows the separator, the namespace and the server's names of
// the folders, creating the missing ones once; a folder that cannot be
// used is an error that names its key.
func TestCLIMailCheck(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	imapSrv, err := devmail.StartIMAP(devmail.IMAPOptions{Move: true, UIDPlus: true, UIDValidity: 40})
	if err != nil {
		t.Fatal(err)
	}
	defer imapSrv.Close()
	smtpSrv, err := devmail.StartSMTP(devmail.SMTPOptions{Deliver: imapSrv})
	if err != nil {
		t.Fatal(err)
	}
	defer smtpSrv.Close()
	if err := imapSrv.AddUser("support@desk.example", "pw"); err != nil {
		t.Fatal(err)
	}
	c.mailEnv(imapSrv, smtpSrv)
	out := c.ok("mail", "check")
	if !regexp.MustCompile(`hierarchy separator +"/"\n +personal namespace +"" \(the server does not answer NAMESPACE\)`).MatchString(out) {
		t.Errorf("separator and namespace:\n%s", out)
	}
	for _, want := range []string{
		"IMAP " + imapSrv.Addr + " as support@desk.example: logged in",
		`mail.imap.mailbox = "INBOX"`, "INBOX  (UIDVALIDITY 40, UIDNEXT 1)",
		`mail.imap.processed_folder = "refunddesk/processed"`, "refunddesk/processed  (created)",
		`mail.imap.failed_folder = "refunddesk/unprocessed"`, "refunddesk/unprocessed  (created)",
		"SMTP " + smtpSrv.Addr + ": logged in",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if out := c.ok("mail", "check"); strings.Contains(out, "created") {
		t.Errorf("created again:\n%s", out)
	}
	c.env["REFUNDDESK_MAIL_IMAP_PROCESSED_FOLDER"] = `\Archive`
	if errs := c.fails(exitUsage, "mail", "check"); !strings.Contains(errs, `mail.imap.processed_folder "\\Archive": the server marks no folder as \Archive`) {
		t.Errorf("error: %s", errs)
	}
}
