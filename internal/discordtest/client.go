package discordtest

import (
	"net/http"
	"net/url"

	"github.com/bwmarrin/discordgo"
)

// rewriter sends requests for discord.com to the fake.
type rewriter struct {
	target *url.URL
	next   http.RoundTripper
}

func (t *rewriter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, t.target.Host
	return t.next.RoundTrip(r)
}

// Transport returns a RoundTripper that sends https://discord.com/... to the
// fake (same path and query) and everything else to next (nil: a transport
// like http.DefaultTransport that keeps up to 256 idle connections).
func (s *Server) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns, t.MaxIdleConnsPerHost = 256, 256
		next = t
	}
	u, _ := url.Parse(s.base)
	return &rewriter{target: u, next: next}
}

// HTTPClient returns an http.Client using Transport(nil), for
// discordgo.Session.Client.
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: s.Transport(nil)}
}

// NewSession returns a discordgo session pointed at the fake (not opened):
// token "Bot "+token (token defaults to Config.Token, or "test"), Client
// from HTTPClient, intents Guilds|DirectMessages|GuildMessages, state off.
func (s *Server) NewSession(token string) (*discordgo.Session, error) {
	if token == "" {
		token = s.cfg.Token
	}
	if token == "" {
		token = "test"
	}
	dg, err := discordgo.New("Bot " + token)
	if err != nil {
		return nil, err
	}
	dg.Client = s.HTTPClient()
	dg.StateEnabled = false
	dg.Identify.Intents = discordgo.IntentsGuilds | discordgo.IntentsDirectMessages | discordgo.IntentsGuildMessages
	dg.LogLevel = discordgo.LogError
	return dg, nil
}
