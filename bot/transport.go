package bot

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// rewrite sends every request for Discord's REST host to the configured
// address (a REST proxy, or a test fake), keeping the path. discordgo
// computes its endpoint URLs once, so this is the one place to move them.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == "discord.com" && t.base != nil {
		u := *r.URL
		u.Scheme, u.Host = t.base.Scheme, t.base.Host
		u.Path = strings.TrimSuffix(t.base.Path, "/") + r.URL.Path
		r = r.Clone(r.Context())
		r.URL, r.Host = &u, t.base.Host
	}
	return t.next.RoundTrip(r)
}

// retry5xx tries again, after a pause, a request Discord answered with 503
// or 504 (its edge did not get the request through; discordgo itself only
// retries 502, and sleeps on 429).
type retry5xx struct {
	next  http.RoundTripper
	tries int
	pause time.Duration
}

func (t *retry5xx) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body.Close()
		body = b
	}
	pause := t.pause
	for i := 0; ; i++ {
		req := r
		if body != nil {
			req = r.Clone(r.Context())
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		resp, err := t.next.RoundTrip(req)
		if err != nil || i+1 >= t.tries || (resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusGatewayTimeout) {
			return resp, err
		}
		io.Copy(io.Discard, resp.Body) //nolint:errcheck // draining before a retry
		resp.Body.Close()
		select {
		case <-r.Context().Done():
			return nil, r.Context().Err()
		case <-time.After(pause):
		}
		pause *= 2
	}
}

// restTimeout bounds one try of a REST call (the 503/504 retries of
// retry5xx included); restRetries is discordgo's MaxRestRetries, the tries
// after the first on a 502 or a dropped connection.
const (
	restTimeout = 20 * time.Second
	restRetries = 3
)

// The outbox leases of the bot's senders: longer than the REST calls one
// message can make, each restTimeout × (1+restRetries) at most (a DM: open
// the channel, look for an earlier try, send; a card or an alert: look for
// an earlier try, post or edit). A send's context also ends with its lease
// (tickets.Delivery.DeliverOutbox).
const (
	dmLease   = 5 * time.Minute
	cardLease = 3 * time.Minute
)

// httpClient is the client every REST call goes through.
func httpClient(apiURL string) (*http.Client, error) {
	var base *url.URL
	if apiURL != "" && apiURL != DefaultAPIURL {
		u, err := url.Parse(apiURL)
		if err != nil {
			return nil, err
		}
		base = u
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	return &http.Client{Timeout: restTimeout,
		Transport: &retry5xx{next: &rewrite{base: base, next: tr}, tries: 3, pause: 500 * time.Millisecond}}, nil
}
