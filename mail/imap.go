package mail

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"

	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"

	"refunddesk/tickets"
)

// IMAPConfig is where and how the desk reads its mailbox.
type IMAPConfig struct {
	Address string `toml:"address"` // host:port
	// TLS: implicit (port 993), starttls, or none (allowed on loopback only).
	TLS          string `toml:"tls"`
	Username     string `toml:"username"`
	Password     string `toml:"password"`
	PasswordFile string `toml:"password_file"`
	// Auth: plain, login, xoauth2 or oauthbearer; the OAuth ones run
	// TokenCommand for a fresh access token (so any refresher works).
	Auth            string           `toml:"auth"`
	TokenCommand    string           `toml:"token_command"`
	Mailbox         string           `toml:"mailbox"`
	ProcessedFolder string           `toml:"processed_folder"`
	FailedFolder    string           `toml:"failed_folder"`
	MarkSeenOnly    bool             `toml:"mark_seen_only"` // leave processed mail in place, flagged \Seen
	PollInterval    tickets.Duration `toml:"poll_interval"`
	BatchSize       int              `toml:"batch_size"`
}

// Defaults fills the zero values.
func (c *IMAPConfig) Defaults() {
	if c.TLS == "" {
		c.TLS = "implicit"
	}
	if c.Auth == "" {
		c.Auth = "plain"
	}
	if c.Mailbox == "" {
		c.Mailbox = "INBOX"
	}
	if c.ProcessedFolder == "" {
		c.ProcessedFolder = "refunddesk/processed"
	}
	if c.FailedFolder == "" {
		c.FailedFolder = "refunddesk/unprocessed"
	}
	if c.PollInterval.Duration <= 0 {
		c.PollInterval.Duration = time.Minute
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 100
	}
}

// Validate checks the settings; messages name the key under prefix.
func (c *IMAPConfig) Validate(prefix string) []string {
	if c.Address == "" {
		return nil // not configured
	}
	errs := validateServer(prefix, c.Address, c.TLS)
	switch c.Auth {
	case "plain", "login":
		if c.Username == "" {
			errs = append(errs, prefix+".username: empty")
		}
	case "xoauth2", "oauthbearer":
		if c.TokenCommand == "" {
			errs = append(errs, prefix+".token_command: "+c.Auth+" needs a command that prints an access token")
		}
	default:
		errs = append(errs, fmt.Sprintf("%s.auth: %q is not plain, login, xoauth2 or oauthbearer", prefix, c.Auth))
	}
	for _, k := range []struct{ key, value string }{{"mailbox", c.Mailbox}, {"processed_folder", c.ProcessedFolder}, {"failed_folder", c.FailedFolder}} {
		_, isUse, err := specialUse(k.value)
		switch {
		case err != nil:
		case isUse && k.key == "mailbox":
			err = errors.New("names a special use: name the folder to read")
		case !isUse:
			err = checkFolderName(k.value)
		}
		if err != nil {
			errs = append(errs, fmt.Sprintf("%s.%s %q: %v", prefix, k.key, k.value, err))
		}
	}
	return errs
}

// validateServer checks a server's host:port and TLS mode, which must not
// be "none" beyond loopback.
func validateServer(prefix, address, mode string) []string {
	var errs []string
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		errs = append(errs, fmt.Sprintf("%s.address: %q is not host:port", prefix, address))
	}
	switch mode {
	case "implicit", "starttls":
	case "none":
		if err == nil && !isLoopback(host) {
			errs = append(errs, fmt.Sprintf("%s.tls: none is only allowed on loopback, not %s", prefix, host))
		}
	default:
		errs = append(errs, fmt.Sprintf("%s.tls: %q is not implicit, starttls or none", prefix, mode))
	}
	return errs
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secret returns the password, from the file when one is named.
func secret(value, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	return strings.TrimRight(string(b), "\r\n"), nil
}

// token runs the token command for an OAuth access token.
func token(ctx context.Context, command string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", command).Output()
	if err != nil {
		return "", fmt.Errorf("token command: %w", err)
	}
	t := strings.TrimSpace(string(out))
	if t == "" {
		return "", errors.New("token command printed no token")
	}
	return t, nil
}

// xoauth2 is the SASL mechanism Gmail and Microsoft 365 use.
type xoauth2 struct{ user, token string }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

// Next answers the server's error challenge with an empty response, as the
// mechanism wants; the server then fails the command with the reason.
func (x *xoauth2) Next([]byte) ([]byte, error) { return []byte{}, nil }

// IntakeStats counts what one pass did.
type IntakeStats struct {
	Fetched, Created, Joined, Replies, Duplicates, Ignored, Bounces, Failed int
	// Received: mails about an order whose open ticket is someone else's,
	// kept on it unseen by their sender (TookReceived); not joined.
	Received int
	// Lag is how long the oldest mail taken in had waited (from its date).
	Lag time.Duration
}

func (s *IntakeStats) add(o string) {
	switch o {
	case TookCreated:
		s.Created++
	case TookJoined:
		s.Joined++
	case TookReceived:
		s.Received++
	case TookReply:
		s.Replies++
	case TookDuplicate:
		s.Duplicates++
	case TookIgnored:
		s.Ignored++
	case TookBounce:
		s.Bounces++
	case TookFailed:
		s.Failed++
	}
}

// Fetcher reads the mailbox over IMAP and hands each mail to the intake.
type Fetcher struct {
	cfg    IMAPConfig
	intake *Intake
	svc    *tickets.Service
	log    *slog.Logger
	// Dial, when set, replaces the network dial (tests).
	Dial func(ctx context.Context) (net.Conn, error)
}

// NewFetcher returns a fetcher; cfg's zero values take the defaults.
func NewFetcher(cfg IMAPConfig, intake *Intake, svc *tickets.Service, log *slog.Logger) *Fetcher {
	cfg.Defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Fetcher{cfg: cfg, intake: intake, svc: svc, log: log}
}

// cursorName identifies the folder the cursor belongs to. It is made of the
// configured name, not the server's, so that it stays what it was before
// the desk learned the server's names.
func (f *Fetcher) cursorName() string {
	return "imap:" + f.cfg.Username + "@" + f.cfg.Address + "/" + f.cfg.Mailbox
}

// session is one logged-in connection with the mailbox selected.
type session struct {
	c           *imapclient.Client
	uidValidity uint32
	uidNext     uint32 // at the SELECT; 0 when the server did not say
	// The server's names of the mailbox and of the processed and set-aside
	// folders.
	mailbox, processed, failed string
	layout                     FolderLayout
	checked                    bool          // the cursor was checked against the mailbox
	changed                    chan struct{} // the server announced new mail (while idling)
}

func (f *Fetcher) connect(ctx context.Context) (*session, error) {
	s := &session{changed: make(chan struct{}, 1)}
	opts := &imapclient.Options{
		WordDecoder: &mime.WordDecoder{CharsetReader: charsetReader},
		Dialer:      &net.Dialer{Timeout: 30 * time.Second},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil {
					select {
					case s.changed <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch {
	case f.Dial != nil:
		var conn net.Conn
		if conn, err = f.Dial(ctx); err == nil {
			c = imapclient.New(conn, opts)
		}
	case f.cfg.TLS == "implicit":
		c, err = imapclient.DialTLS(f.cfg.Address, opts)
	case f.cfg.TLS == "starttls":
		c, err = imapclient.DialStartTLS(f.cfg.Address, opts)
	default:
		c, err = imapclient.DialInsecure(f.cfg.Address, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", f.cfg.Address, err)
	}
	s.c = c
	if err := c.WaitGreeting(); err != nil {
		c.Close()
		return nil, fmt.Errorf("imap greeting: %w", err)
	}
	if err := f.login(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	s.layout, err = f.resolveFolders(c)
	if err != nil {
		c.Close()
		return nil, err
	}
	s.mailbox, s.processed, s.failed = s.layout.Folders[0].Name, s.layout.Folders[1].Name, s.layout.Folders[2].Name
	sel, err := c.Select(s.mailbox, nil).Wait()
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("select %s: %w", s.mailbox, err)
	}
	s.uidValidity, s.uidNext = sel.UIDValidity, uint32(sel.UIDNext)
	s.layout.UIDValidity, s.layout.UIDNext = s.uidValidity, s.uidNext
	f.log.Info("imap folders", slog.String("separator", s.layout.Delim), slog.String("namespace", s.layout.Namespace),
		slog.String("mailbox", s.mailbox), slog.String("processed", s.processed), slog.String("failed", s.failed),
		slog.Uint64("uidvalidity", uint64(s.uidValidity)), slog.Uint64("uidnext", uint64(s.uidNext)))
	return s, nil
}

func (f *Fetcher) login(ctx context.Context, c *imapclient.Client) error {
	pass, err := secret(f.cfg.Password, f.cfg.PasswordFile)
	if err != nil {
		return err
	}
	switch f.cfg.Auth {
	case "login":
		err = c.Login(f.cfg.Username, pass).Wait()
	case "xoauth2", "oauthbearer":
		tok, terr := token(ctx, f.cfg.TokenCommand)
		if terr != nil {
			return terr
		}
		if f.cfg.Auth == "xoauth2" {
			err = c.Authenticate(&xoauth2{user: f.cfg.Username, token: tok})
		} else {
			err = c.Authenticate(sasl.NewOAuthBearerClient(&sasl.OAuthBearerOptions{Username: f.cfg.Username, Token: tok}))
		}
	default:
		if c.Caps().Has(imap.AuthCap(sasl.Plain)) {
			err = c.Authenticate(sasl.NewPlainClient("", f.cfg.Username, pass))
		} else {
			err = c.Login(f.cfg.Username, pass).Wait()
		}
	}
	if err != nil {
		return fmt.Errorf("imap login as %s: %w", f.cfg.Username, err)
	}
	return nil
}

// RunOnce connects, takes in every new mail, and disconnects.
func (f *Fetcher) RunOnce(ctx context.Context) (IntakeStats, error) {
	s, err := f.connect(ctx)
	if err != nil {
		return IntakeStats{}, err
	}
	defer f.logout(s)
	return f.pass(ctx, ctx, s)
}

// Check connects and logs in once, to tell at start-up that the mailbox can
// be read.
func (f *Fetcher) Check(ctx context.Context) error {
	_, err := f.Inspect(ctx)
	return err
}

// Inspect connects and logs in once, finds (or creates) the folders, and
// tells what the server said of them and which folders the desk uses.
func (f *Fetcher) Inspect(ctx context.Context) (FolderLayout, error) {
	s, err := f.connect(ctx)
	if err != nil {
		return FolderLayout{}, err
	}
	f.logout(s)
	return s.layout, nil
}

func (f *Fetcher) logout(s *session) {
	if err := s.c.Logout().Wait(); err != nil {
		f.log.Debug("imap logout", slog.Any("error", err))
	}
	s.c.Close()
}

// pass takes in the mail that arrived since the cursor, a batch at a time.
// For each batch: the tickets are committed, then the mails are moved, then
// the cursor passes them. A stop anywhere leaves the mail to be seen again,
// and its key makes the second time a no-op. The next batch is fetched
// while one is taken in, and a batch's move runs while the next one is
// taken in (the server's work beside ours). When stop ends, the pass ends
// after the batch in hand.
func (f *Fetcher) pass(ctx, stop context.Context, s *session) (IntakeStats, error) {
	var st IntakeStats
	name := f.cursorName()
	cur, err := f.svc.Intake.Cursor(ctx, name)
	if err != nil && !errors.Is(err, tickets.ErrNotFound) {
		return st, err
	}
	if err == nil && cur.UIDValidity != s.uidValidity {
		f.log.Warn("the mailbox's UIDVALIDITY changed: reading it all again (mail already taken in is recognised by its key)",
			slog.String("mailbox", f.cfg.Mailbox), slog.Uint64("was", uint64(cur.UIDValidity)), slog.Uint64("now", uint64(s.uidValidity)))
		// The cursor starts again at once (it passes no mail), so that an
		// empty mailbox is not warned about at every pass.
		cur = tickets.Cursor{UIDValidity: s.uidValidity}
		if err := f.svc.Intake.SetCursor(ctx, name, cur); err != nil {
			return st, err
		}
	}
	if err != nil {
		cur = tickets.Cursor{UIDValidity: s.uidValidity}
	}
	var left []imap.UID
	if !s.checked {
		if cur, left, err = f.checkCursor(ctx, s, cur); err != nil {
			return st, err
		}
		s.checked = true
	}
	for ctx.Err() == nil && stop.Err() == nil {
		// One search for all the mail there is now, then again for what came
		// in meanwhile, until there is none.
		uids, err := f.newUIDs(s.c, cur.LastUID)
		if err != nil {
			return st, err
		}
		uids, left = append(left, uids...), nil
		if len(uids) == 0 {
			return st, nil
		}
		var batches [][]imap.UID
		for len(uids) > 0 {
			n := min(len(uids), f.cfg.BatchSize)
			batches = append(batches, uids[:n])
			uids = uids[n:]
		}
		// A batch's move runs while the next batch is taken in; the cursor
		// passes a batch's mails once their move has completed.
		var moving *moves
		settle := func() error {
			if moving == nil {
				return nil
			}
			m := moving
			moving = nil
			if err := m.wait(); err != nil {
				return err
			}
			if m.upTo > cur.LastUID {
				cur.LastUID = m.upTo
				return f.svc.Intake.SetCursor(ctx, name, cur)
			}
			return nil
		}
		next := f.fetch(s.c, batches[0])
		for i, uids := range batches {
			got := <-next
			if got.err != nil {
				return st, errors.Join(got.err, settle())
			}
			if i+1 < len(batches) && stop.Err() == nil {
				next = f.fetch(s.c, batches[i+1])
			}
			m, err := f.batch(ctx, s, uids, got, &st)
			if serr := settle(); serr != nil {
				return st, errors.Join(serr, m.wait(), err)
			}
			moving = m
			if err != nil {
				return st, errors.Join(err, settle())
			}
			if ctx.Err() != nil || stop.Err() != nil {
				break
			}
		}
		if err := settle(); err != nil {
			return st, err
		}
	}
	return st, ctx.Err()
}

// checkCursor checks, once a session, that the mailbox did not go back
// behind the cursor while keeping its UIDVALIDITY (go-imap's in-memory
// server, which the demo runs on, did so at every start; a server restored
// from a backup may). Its UIDNEXT at or below the cursor's last UID means
// the UIDs were given again: the cursor goes back to the start, and the
// folder is read again. Mail below the cursor that the desk would have
// moved away means the same, whatever UIDNEXT says: that mail is read too
// (it is returned). Either way a warning is logged, and mail taken in
// before is recognised by its key, so nothing is doubled.
func (f *Fetcher) checkCursor(ctx context.Context, s *session, cur tickets.Cursor) (tickets.Cursor, []imap.UID, error) {
	if cur.LastUID == 0 {
		return cur, nil, nil
	}
	if s.uidNext != 0 && s.uidNext <= cur.LastUID {
		f.log.Warn("the mailbox went back behind the cursor with the same UIDVALIDITY: reading it again from the start (mail already taken in is recognised by its key)",
			slog.String("mailbox", f.cfg.Mailbox), slog.Uint64("uidvalidity", uint64(s.uidValidity)),
			slog.Uint64("uidnext", uint64(s.uidNext)), slog.Uint64("cursor_last_uid", uint64(cur.LastUID)))
		cur.LastUID = 0
		if err := f.svc.Intake.SetCursor(ctx, f.cursorName(), cur); err != nil {
			return cur, nil, err
		}
		return cur, nil, nil
	}
	if f.cfg.MarkSeenOnly {
		// Mail taken in stays, \Seen; a person may mark it unseen again.
		return cur, nil, nil
	}
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: 1, Stop: imap.UID(cur.LastUID)}}},
		NotFlag: []imap.Flag{imap.FlagDeleted}}
	data, err := s.c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return cur, nil, fmt.Errorf("search %s: %w", s.mailbox, err)
	}
	left := data.AllUIDs()
	if len(left) == 0 {
		return cur, nil, nil
	}
	slices.Sort(left)
	f.log.Warn("mail below the cursor is in the mailbox, where the desk would have moved it from: the mailbox went back; reading that mail (mail already taken in is recognised by its key)",
		slog.String("mailbox", f.cfg.Mailbox), slog.Uint64("uidvalidity", uint64(s.uidValidity)), slog.Uint64("uidnext", uint64(s.uidNext)),
		slog.Uint64("cursor_last_uid", uint64(cur.LastUID)), slog.Int("mails", len(left)))
	return cur, left, nil
}

// newUIDs lists the UIDs above last, in order. ("UID n:*" also matches the
// highest message when all are below n, so the list is filtered.)
func (f *Fetcher) newUIDs(c *imapclient.Client, last uint32) ([]imap.UID, error) {
	crit := &imap.SearchCriteria{UID: []imap.UIDSet{{imap.UIDRange{Start: imap.UID(last + 1), Stop: 0}}},
		NotFlag: []imap.Flag{imap.FlagDeleted}}
	data, err := c.UIDSearch(crit, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", f.cfg.Mailbox, err)
	}
	var out []imap.UID
	for _, u := range data.AllUIDs() {
		if uint32(u) > last {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return out, nil
}

// fetched is a batch of mails as the server gave them: the bodies of those
// within the size limit, parsed, and the sizes of those over it.
type fetched struct {
	bodies map[imap.UID][]byte
	parsed map[imap.UID]parsed
	big    map[imap.UID]int64
	err    error
}

// parsed is a mail read, or why it cannot be.
type parsed struct {
	m   *Message
	err error
	// over: the mail is over the size limit, not parsed (err says so).
	over *Taken
}

// fetch reads a batch in the background: sizes first, so a mail over the
// limit is never downloaded, then the others' bodies, which it parses. (Both
// are UID commands, which may run beside the MOVE of the batch before; the
// parsing runs while the batch before is taken in.)
func (f *Fetcher) fetch(c *imapclient.Client, uids []imap.UID) <-chan fetched {
	out := make(chan fetched, 1)
	go func() {
		got := fetched{bodies: map[imap.UID][]byte{}, big: map[imap.UID]int64{}}
		defer func() { out <- got }()
		sizes, err := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		if err != nil {
			got.err = fmt.Errorf("fetch sizes: %w", err)
			return
		}
		var small []imap.UID
		for _, m := range sizes {
			if m.RFC822Size > f.intake.cfg.MaxSize {
				got.big[m.UID] = m.RFC822Size
			} else {
				small = append(small, m.UID)
			}
		}
		if len(small) == 0 {
			return
		}
		if err := f.fetchBodies(c, small, got.bodies); err != nil {
			got.err = fmt.Errorf("fetch mail: %w", err)
			return
		}
		got.parsed = f.parseAll(got.bodies)
	}()
	return out
}

// fetchBodies FETCHes the UID and BODY.PEEK[] (reading does not set \Seen)
// of the mails uids into bodies. Each body is read into a buffer of the
// size its literal announces, not grown as it comes (go-imap's Collect
// reads it with io.ReadAll: two or three copies of a mail with a
// screenshot, and their garbage); one larger than the intake takes is read
// as it comes, to be refused.
func (f *Fetcher) fetchBodies(c *imapclient.Client, uids []imap.UID, bodies map[imap.UID][]byte) error {
	cmd := c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		var uid imap.UID
		var body []byte
		for {
			item := msg.Next()
			if item == nil {
				break
			}
			switch item := item.(type) {
			case imapclient.FetchItemDataUID:
				uid = item.UID
			case imapclient.FetchItemDataBodySection:
				if item.Literal == nil {
					continue
				}
				var err error
				if n := item.Literal.Size(); n >= 0 && n <= f.intake.cfg.MaxSize {
					body = make([]byte, n)
					_, err = io.ReadFull(item.Literal, body)
				} else {
					body, err = io.ReadAll(item.Literal)
				}
				if err != nil {
					cmd.Close()
					return err
				}
			}
		}
		bodies[uid] = body
	}
	return cmd.Close()
}

// parseAll parses a batch's mails side by side, on as many workers as
// there are CPUs; a mail over the size limit is not parsed but refused.
func (f *Fetcher) parseAll(bodies map[imap.UID][]byte) map[imap.UID]parsed {
	uids := slices.Collect(maps.Keys(bodies))
	results := make([]parsed, len(uids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers() {
		wg.Go(func() {
			for i := range next {
				raw := bodies[uids[i]]
				if int64(len(raw)) > f.intake.cfg.MaxSize {
					big := f.intake.tooBig(int64(len(raw)))
					results[i].err, results[i].over = errors.New(big.Reason), &big
					continue
				}
				// The intake's parse weighs the sender's authentication too
				// (a DKIM check looks DNS up, within its timeout): here,
				// outside the batch's transaction.
				results[i].m, results[i].err = f.intake.Parse(context.Background(), raw)
			}
		})
	}
	for i := range uids {
		next <- i
	}
	close(next)
	wg.Wait()
	out := make(map[imap.UID]parsed, len(uids))
	for i, uid := range uids {
		out[uid] = results[i]
	}
	return out
}

// moves are a batch's mails on their way to the processed and set-aside
// folders: upTo is the highest UID whose mail is done with once they have
// arrived.
type moves struct {
	upTo  uint32
	waits []func() error
}

// wait waits until the moves have completed.
func (m *moves) wait() error {
	var errs []error
	for _, w := range m.waits {
		errs = append(errs, w())
	}
	return errors.Join(errs...)
}

// batch takes in a fetched batch of mails and starts moving those it is
// done with; its error is the take's (mails from the failed one on wait
// for the next pass).
func (f *Fetcher) batch(ctx context.Context, s *session, uids []imap.UID, got fetched, st *IntakeStats) (*moves, error) {
	bodies, big := got.bodies, got.big
	results := f.takeAll(ctx, s, uids, got)
	var done, failed []imap.UID
	var doneUpTo uint32
	var takeErr error
	for i, uid := range uids {
		r := results[i]
		if r.skip {
			continue // gone between the search and the fetch
		}
		if r.err != nil {
			takeErr = r.err
			break // the store is away: this mail and the rest wait for the next pass
		}
		st.Fetched++
		st.add(r.taken.Outcome)
		if r.taken.Outcome == TookFailed {
			if err := f.recordFailure(ctx, uid, bodies[uid], big[uid], r.source, r.taken, s.failed); err != nil {
				takeErr = err
				break
			}
			failed = append(failed, uid)
		} else {
			if r.taken.Automatic != "" {
				// A person's mail may be taken for automatic mail: agents
				// can find it (mail failed), once per mail.
				folder := s.processed
				if f.cfg.MarkSeenOnly {
					folder = s.mailbox + " (marked seen)"
				}
				if err := f.recordAutomatic(ctx, bodies[uid], r.source, r.taken.AutoSign, folder); err != nil {
					takeErr = err
					break
				}
			}
			done = append(done, uid)
			f.log.Info("mail taken in", slog.String("source", r.source), slog.String("outcome", r.taken.Outcome),
				slog.String("ticket", r.taken.Ref), slog.String("reason", r.taken.Reason))
		}
		doneUpTo = uint32(uid)
	}
	return &moves{upTo: doneUpTo, waits: []func() error{
		f.move(s.c, done, s.processed, f.cfg.MarkSeenOnly),
		f.move(s.c, failed, s.failed, false),
	}}, takeErr
}

// workers is how many mails of a batch are parsed, or taken in, side by side.
func workers() int { return max(1, min(runtime.GOMAXPROCS(0), 4)) }

// takeResult is what became of one mail of a batch.
type takeResult struct {
	taken  Taken
	err    error
	source string
	skip   bool
}

// takeAll takes in a parsed batch, in one transaction. Each sender's mails
// go to one of as many takers as there are CPUs, in UID order, so a request
// and its follow-up in the same batch keep their order; the takers'
// understanding of mails runs side by side, their writes take turns.
func (f *Fetcher) takeAll(ctx context.Context, s *session, uids []imap.UID, got fetched) []takeResult {
	results := make([]takeResult, len(uids))
	msgs := make([]*Message, len(uids))
	queues := make([][]int, workers())
	for i, uid := range uids {
		results[i].source = fmt.Sprintf("%s UID %d (UIDVALIDITY %d)", f.cfg.Mailbox, uid, s.uidValidity)
		p, ok := got.parsed[uid]
		switch {
		case got.big[uid] > 0:
			results[i].taken = f.intake.tooBig(got.big[uid])
		case !ok:
			results[i].skip = true // gone between the search and the fetch
		case p.over != nil:
			results[i].taken = *p.over
		case p.err != nil:
			results[i].taken = unreadable(p.err)
		default:
			msgs[i] = p.m
			sender := ""
			if p.m.From != nil {
				sender = strings.ToLower(p.m.From.Address)
			}
			h := fnv.New32a()
			h.Write([]byte(sender))
			w := int(h.Sum32() % uint32(len(queues)))
			queues[w] = append(queues[w], i)
		}
	}
	// The batch's changes are one transaction: one commit for the lot. The
	// store may run the group again from the start (Service.Group): each
	// run takes every mail again.
	err := f.svc.Group(ctx, func(g *tickets.Service) error {
		var takers sync.WaitGroup
		for _, q := range queues {
			takers.Go(func() {
				for _, i := range q {
					if ctx.Err() != nil {
						results[i].taken, results[i].err = Taken{}, ctx.Err()
						continue
					}
					results[i].taken, results[i].err = f.intake.take(ctx, g, msgs[i], results[i].source)
				}
			})
		}
		takers.Wait()
		return nil
	})
	if err != nil {
		// Nothing of the batch was committed: every mail waits for the next pass.
		for i := range results {
			if msgs[i] != nil {
				results[i].taken, results[i].err = Taken{}, err
			}
		}
	}
	return results
}

func (f *Fetcher) recordFailure(ctx context.Context, uid imap.UID, raw []byte, bigSize int64, source string, taken Taken, folder string) error {
	reason := taken.SetAside().Format()
	fail := tickets.InboundFailure{Channel: tickets.ChannelEmail, Source: source, Reason: reason, SetAside: folder,
		Size: bigSize, Key: fmt.Sprintf("imap:%s:%d", f.cursorName(), uid)}
	if raw != nil {
		fail.Size = int64(len(raw))
		if m, err := Parse(raw); err == nil {
			fail.Key = m.Key
			fail.Subject = m.Subject
			if m.From != nil {
				fail.Sender = m.From.Address
			}
		} else {
			fail.Key = "mail::" + hashHex(raw)
		}
	}
	f.log.Warn("mail set aside", slog.String("source", source), slog.String("code", taken.Code), slog.String("reason", reason),
		slog.String("folder", folder))
	return f.svc.Intake.RecordFailure(ctx, fail)
}

// recordAutomatic keeps for agents a mail taken for automatic mail, under
// its key: seeing it again records nothing more.
func (f *Fetcher) recordAutomatic(ctx context.Context, raw []byte, source string, why AutoSign, folder string) error {
	m, err := Parse(raw)
	if err != nil {
		return nil // it was read once; it cannot be read now: nothing to record
	}
	rec := tickets.InboundFailure{Channel: tickets.ChannelEmail, Source: source, Key: m.Key, Subject: m.Subject,
		Size: int64(len(raw)), Reason: AutomaticSetAside(why).Format(), SetAside: folder}
	if m.From != nil {
		rec.Sender = m.From.Address
	}
	if err := f.svc.Intake.RecordFailure(ctx, rec); err != nil {
		return fmt.Errorf("record a mail taken for automatic: %w", err)
	}
	return nil
}

// move puts mails in a folder: MOVE when the server has it; otherwise COPY,
// then flag them deleted, and expunge only those (UID EXPUNGE, with UIDPLUS)
// — never a plain EXPUNGE, which would remove every message anyone marked
// deleted. With seenOnly the mails stay and are flagged \Seen. A MOVE (or
// the flag) is sent, and what move returns waits for the server's answer;
// the fallback is done before move returns.
func (f *Fetcher) move(c *imapclient.Client, uids []imap.UID, folder string, seenOnly bool) func() error {
	if len(uids) == 0 {
		return func() error { return nil }
	}
	set := imap.UIDSetNum(uids...)
	if seenOnly {
		cmd := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil)
		return func() error {
			if err := cmd.Close(); err != nil {
				return fmt.Errorf("flag \\Seen: %w", err)
			}
			return nil
		}
	}
	caps := c.Caps()
	if caps.Has(imap.CapMove) || caps.Has(imap.CapIMAP4rev2) {
		cmd := c.Move(set, folder)
		return func() error {
			if _, err := cmd.Wait(); err != nil {
				return fmt.Errorf("move to %s: %w", folder, err)
			}
			return nil
		}
	}
	err := f.copyAway(c, set, folder)
	return func() error { return err }
}

// copyAway is move without MOVE: COPY, flag, and UID EXPUNGE with UIDPLUS.
func (f *Fetcher) copyAway(c *imapclient.Client, set imap.UIDSet, folder string) error {
	caps := c.Caps()
	if _, err := c.Copy(set, folder).Wait(); err != nil {
		return fmt.Errorf("copy to %s: %w", folder, err)
	}
	if err := c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen, imap.FlagDeleted}}, nil).Close(); err != nil {
		return fmt.Errorf("flag copied mail: %w", err)
	}
	if caps.Has(imap.CapUIDPlus) {
		if err := c.UIDExpunge(set).Close(); err != nil {
			return fmt.Errorf("expunge copied mail: %w", err)
		}
	}
	return nil
}

// Run takes in mail until ctx ends: a pass, then IDLE (where the server has
// it) or a pause until the poll interval, and a pass again — polling even
// while idling, since an update can be missed. A lost connection is made
// again with growing pauses.
func (f *Fetcher) Run(ctx context.Context, onPass func(IntakeStats, error)) error {
	backoff := time.Second
	for ctx.Err() == nil {
		s, err := f.connect(ctx)
		if err != nil {
			if onPass != nil {
				onPass(IntakeStats{}, err)
			}
			f.log.Warn("imap connect failed; trying again", slog.Any("error", err), slog.Duration("in", backoff))
			if !pause(ctx, backoff, nil) {
				break
			}
			backoff = min(backoff*2, 5*time.Minute)
			continue
		}
		backoff = time.Second
		err = f.serve(ctx, s, onPass)
		f.logout(s)
		if err != nil && ctx.Err() == nil {
			f.log.Warn("imap session ended; connecting again", slog.Any("error", err))
			if !pause(ctx, backoff, nil) {
				break
			}
		}
	}
	return nil
}

func (f *Fetcher) serve(ctx context.Context, s *session, onPass func(IntakeStats, error)) error {
	for {
		// A batch that has begun is finished even when ctx ends (a stop
		// waits for it; a forced exit is the process's end): its mails are
		// committed and moved, not left half-way. The next is not begun.
		st, err := f.pass(context.WithoutCancel(ctx), ctx, s)
		if onPass != nil {
			onPass(st, err)
		}
		if err != nil {
			return err
		}
		if err := f.wait(ctx, s); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// wait returns when new mail is announced, the poll interval has passed,
// or ctx ends. Mail that arrived between the pass's last search and the
// IDLE is announced by the server when IDLE begins (Dovecot checks the
// mailbox then, and so does devmail; go-imap's own server held it until
// DONE: TestMailArrivingJustBeforeIdleIsTakenIn); the poll interval covers
// a server that does not.
func (f *Fetcher) wait(ctx context.Context, s *session) error {
	timer := time.NewTimer(f.cfg.PollInterval.Duration)
	defer timer.Stop()
	if !s.c.Caps().Has(imap.CapIdle) && !s.c.Caps().Has(imap.CapIMAP4rev2) {
		select {
		case <-ctx.Done():
		case <-timer.C:
		}
		return nil
	}
	idle, err := s.c.Idle()
	if err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	select {
	case <-ctx.Done():
	case <-timer.C:
	case <-s.changed:
	case <-s.c.Closed():
	}
	if err := idle.Close(); err != nil {
		return fmt.Errorf("idle: %w", err)
	}
	return idle.Wait()
}
