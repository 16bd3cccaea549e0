// Package mail is the email channel: IMAP intake that turns each mail into a
// tickets.SubmitRequest or a tickets.RequesterUpdate, MIME parsing and request
// extraction in Indonesian and English, and SMTP delivery of the outbox.
// It imports tickets; tickets never imports it.
package mail
