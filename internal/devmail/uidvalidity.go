package devmail

import (
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
)

// shifted is a session of go-imap's in-memory server whose UIDVALIDITY
// values are moved up by a number chosen at the server's start. The
// in-memory server numbers a user's folders 1, 2, … in the order they are
// created, the same at every start; with the shift a restarted server's
// INBOX has a new UIDVALIDITY, and a client's cursor from the last run is
// known to be void. Every response that carries a UIDVALIDITY (SELECT and
// EXAMINE, STATUS, APPENDUID, COPYUID after COPY and MOVE) carries the
// shifted value.
type shifted struct {
	imapserver.Session // the in-memory server's
	by                 uint32
}

var (
	_ imapserver.SessionNamespace = (*shifted)(nil)
	_ imapserver.SessionMove      = (*shifted)(nil)
)

func (s *shifted) Select(mailbox string, options *imap.SelectOptions) (*imap.SelectData, error) {
	data, err := s.Session.Select(mailbox, options)
	if err == nil {
		data.UIDValidity += s.by
	}
	return data, err
}

func (s *shifted) Status(mailbox string, options *imap.StatusOptions) (*imap.StatusData, error) {
	data, err := s.Session.Status(mailbox, options)
	if err == nil && data.UIDValidity != 0 {
		data.UIDValidity += s.by
	}
	return data, err
}

func (s *shifted) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	data, err := s.Session.Append(mailbox, r, options)
	if err == nil && data.UIDValidity != 0 {
		data.UIDValidity += s.by
	}
	return data, err
}

func (s *shifted) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	data, err := s.Session.Copy(numSet, dest)
	if err == nil && data.UIDValidity != 0 {
		data.UIDValidity += s.by
	}
	return data, err
}

// List refuses LIST … RETURN (STATUS (UIDVALIDITY)), whose answer the
// in-memory server writes itself, unshifted. (The server does not advertise
// LIST-STATUS.)
func (s *shifted) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if options != nil && options.ReturnStatus != nil && options.ReturnStatus.UIDValidity {
		return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot,
			Text: "LIST RETURN (STATUS (UIDVALIDITY)) is not supported here"}
	}
	return s.Session.List(w, ref, patterns, options)
}

func (s *shifted) Namespace() (*imap.NamespaceData, error) {
	return s.Session.(imapserver.SessionNamespace).Namespace()
}

// Move is COPY, then \Deleted and an expunge of just the mails copied,
// done here rather than by the in-memory server's MOVE, which writes its
// COPYUID (with the unshifted UIDVALIDITY) itself. The EXPUNGE responses go
// to the client with the command's other updates, before its OK.
func (s *shifted) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	data, err := s.Copy(numSet, dest)
	if err != nil {
		return err
	}
	if err := w.WriteCopyData(data); err != nil {
		return err
	}
	if len(data.SourceUIDs) == 0 {
		return nil
	}
	// A silent STORE writes nothing, and the in-memory server's expunge
	// queues its EXPUNGE responses rather than writing them: neither uses
	// its writer.
	if err := s.Session.Store(nil, data.SourceUIDs, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true,
		Flags: []imap.Flag{imap.FlagDeleted}}, nil); err != nil {
		return err
	}
	return s.Session.Expunge(nil, &data.SourceUIDs)
}

// idleRecheck is how often an idling session writes the updates that
// go-imap's tracker queued while it was not listening.
const idleRecheck = 100 * time.Millisecond

// Idle writes the mailbox's updates while the client idles, those queued
// before IDLE began too. go-imap's tracker writes, while idling, only what
// changes after it began listening: a mail that arrived between the
// client's last command and its IDLE waited for the command after DONE
// (the fetcher's next poll, a minute later). As Dovecot does, the updates
// pending are written at once when IDLE begins; and since the tracker's
// listening starts a moment after that, it is ended and begun again at
// every idleRecheck, with the pending updates written in between, so that
// nothing queued in that moment waits longer.
func (s *shifted) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	tick := time.NewTicker(idleRecheck)
	defer tick.Stop()
	for {
		if err := s.Session.Poll(w, true); err != nil {
			return err
		}
		round, done := make(chan struct{}), make(chan error, 1)
		go func() { done <- s.Session.Idle(w, round) }()
		select {
		case err := <-done: // no mailbox selected, or the connection failed
			return err
		case <-stop:
			close(round)
			return <-done
		case <-tick.C:
			close(round)
			if err := <-done; err != nil {
				return err
			}
		}
	}
}
