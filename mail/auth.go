package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
)

// AuthConfig says whose word the desk takes on who sent a mail.
//
// A mail's Authentication-Results fields (RFC 8601) are only as good as
// whoever wrote them: the receiving server adds its own on top, and anyone
// before it can add more with any name. Only the topmost field whose
// authserv-id is the receiving server's is believed; the server must remove
// fields that claim its id on the way in (RFC 8601 section 5).
type AuthConfig struct {
	// AuthServIDs are the authserv-ids of the servers that receive the
	// desk's mail ("mx.google.com"). "*.example.net" stands for any name
	// under example.net (not example.net itself). Empty: no field is
	// believed.
	AuthServIDs []string
	// VerifyDKIM: when no believed field is there, the desk checks the
	// mail's DKIM signatures itself. A valid signature of the From domain
	// (or a parent of it) counts as a pass; a failing or absent one counts
	// as no result at all.
	VerifyDKIM bool
	// DKIMTimeout bounds the DNS lookups of one mail's check (default 5 s).
	// After a lookup runs out of time, checks are skipped for a minute so
	// that an unreachable DNS does not hold up the intake mail after mail.
	DKIMTimeout time.Duration
	// LookupTXT answers the DKIM key lookups (default: the system's
	// resolver). Tests give their own.
	LookupTXT func(ctx context.Context, name string) ([]string, error)
}

// dkimPause is how long DKIM checks are skipped after a lookup timed out.
const dkimPause = time.Minute

// Validate checks the authserv-ids; messages name the key under prefix.
func (c AuthConfig) Validate(prefix string) []string {
	var errs []string
	for _, id := range c.AuthServIDs {
		if why := badAuthServID(id); why != "" {
			errs = append(errs, fmt.Sprintf("%s.authserv_id: %q %s", prefix, id, why))
		}
	}
	if c.DKIMTimeout < 0 {
		errs = append(errs, prefix+".dkim_timeout: must not be negative")
	}
	return errs
}

// badAuthServID says what is wrong with a configured authserv-id, or "".
func badAuthServID(id string) string {
	name := strings.TrimPrefix(id, "*.")
	switch {
	case strings.TrimSpace(id) == "":
		return "is empty"
	case strings.ContainsAny(id, " \t;()\"=@"):
		return "is not a host name (an authserv-id is the first word of the server's Authentication-Results, before the ;)"
	case strings.Contains(name, "*"):
		return "has a * that is not a leading \"*.\" (only \"*.domain\" patterns are allowed)"
	case strings.HasPrefix(id, "*.") && !strings.Contains(name, "."):
		return "is too wide: \"*.\" must be followed by a domain with a dot in it"
	}
	return ""
}

// trusts reports whether id (an authserv-id found in a mail) is one of the
// configured ones.
func (c AuthConfig) trusts(id string) bool {
	id = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(id)), ".")
	if id == "" {
		return false
	}
	for _, p := range c.AuthServIDs {
		p = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(p)), ".")
		if suffix, ok := strings.CutPrefix(p, "*"); ok {
			if strings.HasSuffix(id, suffix) && len(id) > len(suffix) {
				return true
			}
		} else if id == p {
			return true
		}
	}
	return false
}

// Where AuthResults came from.
const (
	AuthFromHeader = "authentication-results" // a field the receiving server added
	AuthFromDKIM   = "dkim"                   // the desk checked a DKIM signature itself
)

// Authenticator decides what the desk believes of a mail's sender. It is
// safe for use by several goroutines.
type Authenticator struct {
	cfg AuthConfig
	log *slog.Logger
	now func() time.Time

	mu        sync.Mutex
	dnsPaused time.Time // DKIM checks are skipped until then
}

// NewAuthenticator returns an authenticator for cfg.
func NewAuthenticator(cfg AuthConfig, log *slog.Logger) *Authenticator {
	if cfg.DKIMTimeout <= 0 {
		cfg.DKIMTimeout = 5 * time.Second
	}
	if cfg.LookupTXT == nil {
		cfg.LookupTXT = net.DefaultResolver.LookupTXT
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Authenticator{cfg: cfg, log: log, now: time.Now}
}

// Check sets m.Auth: what the believed Authentication-Results field says,
// else (with VerifyDKIM) what the desk's own check of the mail's DKIM
// signatures says. raw is the mail as it was received. A mail whose From
// is ambiguous (m.FromProblem) is never verified: neither a DKIM signature
// nor a server's DMARC pass says which of its senders wrote it.
func (a *Authenticator) Check(ctx context.Context, m *Message, raw []byte) {
	if m.FromProblem != "" {
		m.Auth = AuthResults{Note: "the sender cannot be verified: " + m.FromProblem, checked: true}
		return
	}
	m.Auth = a.fromHeaders(m.AuthHeaders)
	if !m.Auth.Present && a.cfg.VerifyDKIM {
		note := m.Auth.Note
		m.Auth = a.verifyDKIM(ctx, m, raw)
		if !m.Auth.Present && note != "" {
			m.Auth.Note = note + "; " + m.Auth.Note
		}
	}
	m.Auth.checked = true
}

// ensure gives m the header results when Check has not run on it (a mail
// parsed by Parse alone): never more than the headers say, never DNS.
func (a *Authenticator) ensure(m *Message) {
	if !m.Auth.checked {
		if m.FromProblem != "" {
			m.Auth = AuthResults{Note: "the sender cannot be verified: " + m.FromProblem, checked: true}
			return
		}
		m.Auth = a.fromHeaders(m.AuthHeaders)
		m.Auth.checked = true
	}
}

// fromHeaders reads the topmost field with a trusted authserv-id. Fields
// above it (another server's) and below it (written before the mail
// reached the receiving server, by anyone) do not count.
func (a *Authenticator) fromHeaders(fields []string) AuthResults {
	if len(fields) == 0 {
		return AuthResults{Note: "no Authentication-Results"}
	}
	if len(a.cfg.AuthServIDs) == 0 {
		return AuthResults{Note: "no authserv_id is configured: no Authentication-Results is believed"}
	}
	for i, f := range fields {
		id, results, err := authres.Parse(stripComments(f))
		if !a.cfg.trusts(id) {
			continue
		}
		r := AuthResults{Present: true, Source: AuthFromHeader, AuthServID: id, Header: i + 1}
		for _, res := range results {
			switch v := res.(type) {
			case *authres.DMARCResult:
				r.DMARC = firstOf(r.DMARC, authValue(v.Value))
			case *authres.SPFResult:
				r.SPF = firstOf(r.SPF, authValue(v.Value))
			case *authres.DKIMResult:
				// Several signatures: one that passes is enough.
				if r.DKIM == "" || authValue(v.Value) == "pass" {
					r.DKIM = authValue(v.Value)
				}
			}
		}
		if err != nil {
			r.Note = "part of the field could not be read: " + err.Error()
		}
		return r
	}
	return AuthResults{Note: fmt.Sprintf("none of the %d Authentication-Results fields is from a trusted server", len(fields))}
}

func firstOf(have, v string) string {
	if have != "" {
		return have
	}
	return v
}

// authValue is a result as AuthResults keeps it: lower case, "hardfail" as
// "fail" (an older spelling).
func authValue(v authres.ResultValue) string {
	s := strings.ToLower(string(v))
	if s == "hardfail" {
		return "fail"
	}
	return s
}

// stripComments removes RFC 5322 comments ("(2048-bit key; unprotected)")
// from a header value: authres does not, and the ; inside them would split
// a result in two. Quoted strings are kept as they are.
func stripComments(s string) string {
	var b strings.Builder
	depth, quoted, escaped := 0, false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
			if depth == 0 {
				b.WriteRune(r)
			}
			continue
		case r == '\\' && (quoted || depth > 0):
			escaped = true
			if depth == 0 {
				b.WriteRune(r)
			}
			continue
		case quoted:
			quoted = r != '"'
		case r == '"' && depth == 0:
			quoted = true
		case r == '(':
			depth++
			continue
		case r == ')' && depth > 0:
			depth--
			if depth == 0 {
				b.WriteByte(' ')
			}
			continue
		}
		if depth == 0 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// verifyDKIM checks the mail's DKIM signatures, within the time allowed.
func (a *Authenticator) verifyDKIM(ctx context.Context, m *Message, raw []byte) AuthResults {
	if until := a.paused(); !until.IsZero() {
		return AuthResults{Note: "DKIM not checked: DNS did not answer in time lately (checks resume at " + until.UTC().Format(time.TimeOnly) + " UTC)"}
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.DKIMTimeout)
	defer cancel()
	lookup := func(name string) ([]string, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return a.cfg.LookupTXT(ctx, name)
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup, MaxVerifications: 5})
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		a.pause()
	}
	if err != nil && len(vs) == 0 {
		return AuthResults{Note: "DKIM could not be checked: " + err.Error()}
	}
	if len(vs) == 0 {
		return AuthResults{Note: "no DKIM signature"}
	}
	from := ""
	if m.From != nil {
		_, from, _ = strings.Cut(strings.ToLower(m.From.Address), "@")
	}
	var notes []string
	for _, v := range vs {
		d := strings.ToLower(strings.TrimSuffix(v.Domain, "."))
		switch {
		case v.Err != nil:
			notes = append(notes, fmt.Sprintf("the signature of %s failed: %v", d, v.Err))
		case from == "" || (from != d && !strings.HasSuffix(from, "."+d)):
			notes = append(notes, fmt.Sprintf("a valid signature of %s, which is not the From domain", d))
		default:
			return AuthResults{Present: true, Source: AuthFromDKIM, DKIM: "pass", Signer: d}
		}
	}
	return AuthResults{Note: "DKIM: " + strings.Join(notes, "; ")}
}

// paused returns when DKIM checks resume, or zero when they are on.
func (a *Authenticator) paused() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.now().Before(a.dnsPaused) {
		return a.dnsPaused
	}
	return time.Time{}
}

// pause stops DKIM checks for a while, after a lookup ran out of time.
func (a *Authenticator) pause() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.now().Before(a.dnsPaused) {
		return
	}
	a.dnsPaused = a.now().Add(dkimPause)
	a.log.Warn("DKIM key lookups time out: checks are skipped for a while; senders count as not verified meanwhile",
		slog.Duration("timeout", a.cfg.DKIMTimeout), slog.Duration("pause", dkimPause))
}
