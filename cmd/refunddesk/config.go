package main

import (
	"bytes"
	"errors"
	"fmt"
	netmail "net/mail"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"refunddesk/bot"
	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// Config is refunddesk's configuration: a TOML file (refunddesk.toml, or
// --config FILE) and, over it, environment variables named after the keys:
// store.dsn is REFUNDDESK_STORE_DSN, tickets.max_evidence_files is
// REFUNDDESK_TICKETS_MAX_EVIDENCE_FILES.
type Config struct {
	Store struct {
		// DSN: a SQLite file path, or a postgres:// URL.
		DSN string `toml:"dsn"`
	} `toml:"store"`
	Policy struct {
		// File: a TOML file whose keys override the default policy.
		File string `toml:"file"`
	} `toml:"policy"`
	Tickets struct {
		MaxEvidenceBytes int64 `toml:"max_evidence_bytes"`
		MaxEvidenceFiles int   `toml:"max_evidence_files"`
		MaxDetailsBytes  int   `toml:"max_details_bytes"`
		// Agents: when set, only these names may act as agents.
		Agents []string `toml:"agents"`
	} `toml:"tickets"`
	SLA struct {
		FirstResponse tickets.Duration `toml:"first_response"`
		ReopenWindow  tickets.Duration `toml:"reopen_window"`
	} `toml:"sla"`
	Followups struct {
		Remind           tickets.Duration `toml:"remind"`
		RemindAgain      tickets.Duration `toml:"remind_again"`
		AutoClose        tickets.Duration `toml:"auto_close"`
		PlatformUpdate   tickets.Duration `toml:"platform_update"`
		PlatformEscalate tickets.Duration `toml:"platform_escalate"`
		MarkPaid         tickets.Duration `toml:"mark_paid"`
		// Interval: how often serve looks for due follow-ups.
		Interval tickets.Duration `toml:"interval"`
	} `toml:"followups"`
	// Retention: how long closed tickets keep what they hold (retention_cmd.go).
	Retention RetentionConfig `toml:"retention"`

	HTTP  HTTPConfig `toml:"http"`
	Web   WebConfig  `toml:"web"`
	Serve struct {
		// Instance names this process in logs and leases (default: host,
		// process id and a random suffix).
		Instance string `toml:"instance"`
		// IntakeLease: how long an instance holds the mailbox without
		// renewing; another takes over after it.
		IntakeLease tickets.Duration `toml:"intake_lease"`
		// ShutdownTimeout: how long a stop waits for work in flight.
		ShutdownTimeout tickets.Duration `toml:"shutdown_timeout"`
	} `toml:"serve"`
	Log struct {
		Level  string `toml:"level"`  // debug, info, warn, error
		Format string `toml:"format"` // auto (text on a terminal, else JSON), text, json
	} `toml:"log"`
	Mail    MailConfig `toml:"mail"`
	Discord bot.Config `toml:"discord"`
}

// HTTPConfig is the agents' HTTP API, with /healthz and /metrics.
type HTTPConfig struct {
	// Address to listen on; empty: no HTTP server.
	Address string `toml:"address"`
	// Tokens are "agent:token" pairs: a request with "Authorization: Bearer
	// token" acts as that agent.
	Tokens []string `toml:"tokens"`
	// TokensFile holds more pairs, one "agent:token" per line.
	TokensFile string `toml:"tokens_file"`
}

// MailConfig is the email channel.
type MailConfig struct {
	// Address is the desk's address: From of what it sends, and never taken in.
	Address string `toml:"address"`
	Name    string `toml:"name"`     // display name, "Refund Desk" by default
	ReplyTo string `toml:"reply_to"` // default: address
	// MessageIDDomain: the domain of the desk's Message-IDs (default: address's).
	MessageIDDomain string `toml:"message_id_domain"`
	// MaxSize: the largest mail taken in, in bytes (25 MiB).
	MaxSize int64 `toml:"max_size"`
	// RequireAuth: a mail with no authentication result the desk believes
	// counts as unverified.
	RequireAuth bool `toml:"require_auth"`
	// AuthServID: the authserv-ids of the receiving servers whose
	// Authentication-Results are believed ("mx.google.com", "*.example.net");
	// empty: none is.
	AuthServID []string `toml:"authserv_id"`
	// VerifyDKIM: with no believed result, check DKIM signatures here, each
	// mail's DNS lookups within DKIMTimeout.
	VerifyDKIM  bool             `toml:"verify_dkim"`
	DKIMTimeout tickets.Duration `toml:"dkim_timeout"`
	// OwnListIDs: the List-Ids of the desk's own lists (a Google Group
	// that delivers to the desk): mail they relay is a request, not list
	// traffic. The address's own ("support.example.com") always counts.
	OwnListIDs []string `toml:"own_list_ids"`
	// AutoRepliesPerHour: automatic mails to one address in an hour, at most.
	AutoRepliesPerHour int `toml:"auto_replies_per_hour"`
	// NewTicketsPerHour: new tickets one sender's address may open by mail
	// in an hour; a mail past it is set aside and answered once.
	NewTicketsPerHour int `toml:"new_tickets_per_hour"`
	// RefundDays: business days a refund takes to arrive, said in approvals.
	RefundDays int             `toml:"refund_days"`
	IMAP       mail.IMAPConfig `toml:"imap"`
	SMTP       mail.SMTPConfig `toml:"smtp"`
}

// auth is what the intake believes of senders.
func (c MailConfig) auth() mail.AuthConfig {
	return mail.AuthConfig{AuthServIDs: c.AuthServID, VerifyDKIM: c.VerifyDKIM, DKIMTimeout: c.DKIMTimeout.Duration}
}

// DefaultConfigFile is read when it exists and no --config is given.
const DefaultConfigFile = "refunddesk.toml"

// EnvPrefix starts every environment override.
const EnvPrefix = "REFUNDDESK_"

// defaultConfig is the embedded default: SQLite in ./data, the default
// policy, the default limits.
func defaultConfig() *Config {
	c := &Config{}
	c.Store.DSN = "./data/refunddesk.db"
	l := tickets.DefaultLimits()
	c.Tickets.MaxEvidenceBytes = l.MaxEvidenceBytes
	c.Tickets.MaxEvidenceFiles = l.MaxEvidenceFiles
	c.Tickets.MaxDetailsBytes = l.MaxDetailsBytes
	sla := tickets.DefaultSLA()
	c.SLA.FirstResponse = tickets.Duration{Duration: sla.FirstResponse}
	c.SLA.ReopenWindow = tickets.Duration{Duration: sla.ReopenWindow}
	fr := tickets.DefaultFollowupRules()
	c.Followups.Remind = tickets.Duration{Duration: fr.Remind}
	c.Followups.RemindAgain = tickets.Duration{Duration: fr.RemindAgain}
	c.Followups.AutoClose = tickets.Duration{Duration: fr.AutoClose}
	c.Followups.PlatformUpdate = tickets.Duration{Duration: fr.PlatformUpdate}
	c.Followups.PlatformEscalate = tickets.Duration{Duration: fr.PlatformEscalate}
	c.Followups.MarkPaid = tickets.Duration{Duration: fr.MarkPaid}
	c.Followups.Interval = tickets.Duration{Duration: time.Minute}
	c.Retention.defaults()
	c.Serve.IntakeLease = tickets.Duration{Duration: 30 * time.Second}
	c.Serve.ShutdownTimeout = tickets.Duration{Duration: 30 * time.Second}
	c.Log.Level = "info"
	c.Log.Format = "auto"
	c.Mail.Name = "Refund Desk"
	c.Mail.MaxSize = 25 << 20
	c.Mail.AutoRepliesPerHour = 5
	c.Mail.NewTicketsPerHour = 5
	c.Mail.DKIMTimeout = tickets.Duration{Duration: 5 * time.Second}
	c.Mail.RefundDays = 7
	c.Mail.IMAP.Defaults()
	c.Mail.SMTP.Defaults()
	c.Discord.Defaults()
	return c
}

// LoadConfig reads the defaults, then the file (path, or refunddesk.toml when
// path is empty and that file exists), then the environment, and validates
// the result. Errors name the key.
func LoadConfig(path string, getenv func(string) string) (*Config, error) {
	c := defaultConfig()
	explicit := path != ""
	if !explicit {
		path = DefaultConfigFile
	}
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		md, err := toml.NewDecoder(bytes.NewReader(b)).Decode(c)
		if err != nil {
			return nil, fmt.Errorf("config %s: %w", path, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			keys := make([]string, len(und))
			for i, k := range und {
				keys[i] = k.String()
			}
			return nil, fmt.Errorf("config %s: unknown key %s", path, strings.Join(keys, ", "))
		}
	case errors.Is(err, os.ErrNotExist) && !explicit:
	default:
		return nil, fmt.Errorf("config: %w", err)
	}
	if err := applyEnv(reflect.ValueOf(c).Elem(), EnvPrefix, getenv); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

// applyEnv sets every field whose variable is set, walking the struct by its
// toml tags.
func applyEnv(v reflect.Value, prefix string, getenv func(string) string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		key := strings.Split(f.Tag.Get("toml"), ",")[0]
		if key == "" || key == "-" {
			continue
		}
		name := prefix + strings.ToUpper(key)
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != reflect.TypeOf(tickets.Duration{}) {
			if err := applyEnv(fv, name+"_", getenv); err != nil {
				return err
			}
			continue
		}
		val, ok := lookup(getenv, name)
		if !ok {
			continue
		}
		if err := setField(fv, val); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func lookup(getenv func(string) string, name string) (string, bool) {
	v := getenv(name)
	return v, v != ""
}

func setField(fv reflect.Value, val string) error {
	if fv.Type() == reflect.TypeOf(tickets.Duration{}) {
		d, err := tickets.ParseDuration(val)
		if err != nil {
			return err
		}
		fv.Set(reflect.ValueOf(tickets.Duration{Duration: d}))
		return nil
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(val)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", val)
		}
		fv.SetInt(n)
	case reflect.Bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("%q is not true or false", val)
		}
		fv.SetBool(b)
	case reflect.Slice:
		var items []string
		for _, s := range strings.Split(val, ",") {
			if s = strings.TrimSpace(s); s != "" {
				items = append(items, s)
			}
		}
		fv.Set(reflect.ValueOf(items))
	default:
		return fmt.Errorf("cannot be set from the environment")
	}
	return nil
}

// Validate checks every value; messages name the key.
func (c *Config) Validate() error {
	var errs []string
	if strings.TrimSpace(c.Store.DSN) == "" {
		errs = append(errs, "store.dsn: empty (a SQLite file path or a postgres:// URL)")
	}
	if c.Tickets.MaxEvidenceBytes <= 0 {
		errs = append(errs, "tickets.max_evidence_bytes: must be more than 0")
	}
	if c.Tickets.MaxEvidenceFiles <= 0 {
		errs = append(errs, "tickets.max_evidence_files: must be more than 0")
	}
	if c.Tickets.MaxDetailsBytes <= 0 {
		errs = append(errs, "tickets.max_details_bytes: must be more than 0")
	}
	for _, a := range c.Tickets.Agents {
		if strings.TrimSpace(a) == "" || strings.ContainsAny(a, " ,\t") || strings.EqualFold(a, "none") || strings.EqualFold(a, "me") || a == tickets.ActorSystem {
			errs = append(errs, fmt.Sprintf("tickets.agents: %q is not a usable agent name", a))
		}
	}
	if c.SLA.FirstResponse.Duration <= 0 {
		errs = append(errs, "sla.first_response: must be longer than 0")
	}
	if c.SLA.ReopenWindow.Duration <= 0 {
		errs = append(errs, "sla.reopen_window: must be longer than 0")
	}
	for _, d := range []struct {
		key string
		v   tickets.Duration
	}{{"remind", c.Followups.Remind}, {"remind_again", c.Followups.RemindAgain}, {"auto_close", c.Followups.AutoClose},
		{"platform_update", c.Followups.PlatformUpdate}, {"platform_escalate", c.Followups.PlatformEscalate},
		{"mark_paid", c.Followups.MarkPaid}, {"interval", c.Followups.Interval},
		{"serve.intake_lease", c.Serve.IntakeLease}, {"serve.shutdown_timeout", c.Serve.ShutdownTimeout}} {
		if d.v.Duration <= 0 {
			key := d.key
			if !strings.Contains(key, ".") {
				key = "followups." + key
			}
			errs = append(errs, key+": must be longer than 0")
		}
	}
	if c.Followups.Remind.Duration >= c.Followups.AutoClose.Duration {
		errs = append(errs, "followups.remind: must come before followups.auto_close")
	}
	errs = append(errs, c.Retention.validate(c.SLA.ReopenWindow.Duration)...)
	if _, err := c.HTTP.tokens(); err != nil {
		errs = append(errs, err.Error())
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("log.level: %q is not debug, info, warn or error", c.Log.Level))
	}
	if c.Mail.Address != "" {
		if _, err := netmail.ParseAddress(c.Mail.Address); err != nil {
			errs = append(errs, fmt.Sprintf("mail.address: %q is not a mail address", c.Mail.Address))
		}
	} else if c.Mail.IMAP.Address != "" || c.Mail.SMTP.Address != "" {
		errs = append(errs, "mail.address: the desk's own address is needed once IMAP or SMTP is set")
	}
	if c.Mail.MaxSize <= 0 {
		errs = append(errs, "mail.max_size: must be more than 0")
	}
	if c.Mail.AutoRepliesPerHour <= 0 {
		errs = append(errs, "mail.auto_replies_per_hour: must be more than 0")
	}
	if c.Mail.NewTicketsPerHour <= 0 {
		errs = append(errs, "mail.new_tickets_per_hour: must be more than 0")
	}
	errs = append(errs, c.Mail.auth().Validate("mail")...)
	errs = append(errs, c.Mail.IMAP.Validate("mail.imap")...)
	if c.Mail.SMTP.Sessions == 0 {
		// The default was 4 before the file and the environment: a 0 was
		// written there.
		errs = append(errs, fmt.Sprintf("mail.smtp.sessions: 0 is not between 1 and %d (the SMTP sessions the sender delivers over at once)", mail.MaxSessions))
	}
	errs = append(errs, c.Mail.SMTP.Validate("mail.smtp")...)
	errs = append(errs, c.Discord.Validate("discord")...)
	switch c.Log.Format {
	case "auto", "text", "json":
	default:
		errs = append(errs, fmt.Sprintf("log.format: %q is not auto, text or json", c.Log.Format))
	}
	if len(errs) > 0 {
		return errors.New("config: " + strings.Join(errs, "; "))
	}
	return nil
}

// serviceOptions turns the config into the domain's options. With an
// agent channel, the bot's cards watch every ticket and its channel takes
// the alerts.
func (c *Config) serviceOptions(policy *tickets.Policy, clock tickets.Clock) tickets.Options {
	var watchers, alerts []tickets.Channel
	if c.Discord.Enabled() && c.Discord.AgentChannelID != "" {
		watchers, alerts = []tickets.Channel{bot.ChannelCard}, []tickets.Channel{bot.ChannelAlert}
	}
	return tickets.Options{
		Policy: policy,
		Limits: tickets.Limits{MaxEvidenceBytes: c.Tickets.MaxEvidenceBytes, MaxEvidenceFiles: c.Tickets.MaxEvidenceFiles,
			MaxDetailsBytes: c.Tickets.MaxDetailsBytes},
		SLA:                tickets.SLA{FirstResponse: c.SLA.FirstResponse.Duration, ReopenWindow: c.SLA.ReopenWindow.Duration},
		Agents:             c.Tickets.Agents,
		AutoRepliesPerHour: c.Mail.AutoRepliesPerHour,
		Watchers:           watchers,
		Alerts:             alerts,
		Languages:          templates.Languages(),
		Followups: tickets.FollowupRules{Remind: c.Followups.Remind.Duration, RemindAgain: c.Followups.RemindAgain.Duration,
			AutoClose: c.Followups.AutoClose.Duration, PlatformUpdate: c.Followups.PlatformUpdate.Duration,
			PlatformEscalate: c.Followups.PlatformEscalate.Duration, MarkPaid: c.Followups.MarkPaid.Duration},
		Clock: clock,
	}
}

// tokens reads the API's bearer tokens: token → agent.
func (h *HTTPConfig) tokens() (map[string]string, error) {
	lines := slices.Clone(h.Tokens)
	src := "http.tokens"
	if h.TokensFile != "" {
		b, err := os.ReadFile(h.TokensFile)
		if err != nil {
			return nil, fmt.Errorf("http.tokens_file: %w", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		src = "http.tokens/http.tokens_file"
	}
	out := map[string]string{}
	for i, l := range lines {
		agent, token, ok := strings.Cut(l, ":")
		agent, token = strings.TrimSpace(agent), strings.TrimSpace(token)
		switch {
		case !ok || agent == "" || token == "":
			return nil, fmt.Errorf("%s: entry %d is not \"agent:token\"", src, i+1)
		case len(token) < 16:
			return nil, fmt.Errorf("%s: the token of %s is shorter than 16 characters", src, agent)
		case out[token] != "":
			return nil, fmt.Errorf("%s: %s and %s have the same token", src, out[token], agent)
		}
		out[token] = agent
	}
	return out, nil
}
