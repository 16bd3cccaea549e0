// Package mailtest starts real mail servers for tests: Dovecot (IMAP and
// LMTP) and Postfix (SMTP) from the distribution's packages, each a private
// instance on free loopback ports with its configuration, mail, queue and
// logs in temporary folders, stopped when the test ends. Several instances
// can run one after another in a test binary, and test binaries can run side
// by side: nothing is at a fixed path or port.
//
// A test that needs a server the machine lacks is skipped with the package
// to install; in CI (CI non-empty, or REFUNDDESK_REQUIRE_MAILSERVERS=1) it
// fails instead, so a missing server never passes unnoticed. The servers run
// as root-started daemons that hand the mail to an unprivileged user (nobody),
// as Dovecot refuses mail owned by root; without root the tests are skipped
// (or fail in CI) likewise.
//
//	dc := mailtest.StartDovecot(t, mailtest.DovecotOptions{Users: map[string]string{"desk@example.test": "pw"}})
//	pf := mailtest.StartPostfix(t, mailtest.PostfixOptions{Dovecot: dc})
//	// submit to pf.Addr with EHLO a.fully.qualified.name; read with dc.Messages
//
// The servers' logs are printed with t.Log when the test fails.
package mailtest
