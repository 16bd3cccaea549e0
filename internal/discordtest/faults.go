package discordtest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type fault struct {
	method     string
	prefix     string
	remaining  int
	status     int
	retryAfter time.Duration // for 429
	after      bool          // the request is carried out, then the answer is the error
}

// RateLimit makes the next n requests matching method and pathPrefix fail
// with HTTP 429 as Discord sends it: the body
// {"message": "You are being rate limited.", "retry_after": seconds, "global": false}
// and the X-RateLimit-* headers (Remaining 0, Reset-After = retryAfter).
// discordgo sleeps retry_after and sends the request again.
//
// method "" or "*" matches any method. pathPrefix may be given with or
// without the /api/v9 prefix ("/channels/" and "/api/v9/channels/" are the
// same), or as a full https://discord.com/... URL; "/attachments/" matches
// the CDN and "/gw/" the gateway handshake.
func (s *Server) RateLimit(method, pathPrefix string, n int, retryAfter time.Duration) {
	s.addFault(&fault{method: method, prefix: pathPrefix, remaining: n, status: http.StatusTooManyRequests, retryAfter: retryAfter})
}

// Fail makes the next n requests matching method and pathPrefix fail with
// status and a JSON error body {"message": "502: Bad Gateway", "code": 0}.
// discordgo retries 502 (up to Session.MaxRestRetries) and returns a
// *discordgo.RESTError for the others. Matching is as for RateLimit.
func (s *Server) Fail(method, pathPrefix string, n int, status int) {
	s.addFault(&fault{method: method, prefix: pathPrefix, remaining: n, status: status})
}

// LoseAnswer makes the next n requests matching method and pathPrefix take
// effect (a message is posted, say) and then answer with status instead of
// the result, as when a connection breaks after Discord acted. A client
// that retries blindly does the thing twice. Matching is as for RateLimit.
func (s *Server) LoseAnswer(method, pathPrefix string, n int, status int) {
	s.addFault(&fault{method: method, prefix: pathPrefix, remaining: n, status: status, after: true})
}

func (s *Server) addFault(f *fault) {
	if f.remaining <= 0 {
		return
	}
	f.prefix = normalizePrefix(f.prefix)
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

func normalizePrefix(p string) string {
	if strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
		if u, err := url.Parse(p); err == nil {
			p = u.Path
		}
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

// takeFault consumes one use of the first fault that matches.
func (s *Server) takeFault(method, path string) *fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(method, path) {
			continue
		}
		f.remaining--
		if f.remaining <= 0 {
			s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
		}
		cp := *f
		return &cp
	}
	return nil
}

func (f *fault) matches(method, path string) bool {
	if f.method != "" && f.method != "*" && !strings.EqualFold(f.method, method) {
		return false
	}
	return strings.HasPrefix(path, f.prefix) ||
		(!strings.HasPrefix(f.prefix, APIPrefix+"/") && strings.HasPrefix(path, APIPrefix+f.prefix))
}

func (f *fault) respond(w http.ResponseWriter) {
	if f.status != http.StatusTooManyRequests {
		writeError(w, f.status, 0, fmt.Sprintf("%d: %s", f.status, http.StatusText(f.status)))
		return
	}
	secs := f.retryAfter.Seconds()
	sum := sha1.Sum([]byte(f.prefix))
	h := w.Header()
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(time.Now().Add(f.retryAfter).UnixMilli())/1000, 'f', 3, 64))
	h.Set("X-RateLimit-Reset-After", strconv.FormatFloat(secs, 'f', 3, 64))
	h.Set("X-RateLimit-Bucket", hex.EncodeToString(sum[:16]))
	h.Set("X-RateLimit-Scope", "user")
	h.Set("Retry-After", strconv.Itoa(int(math.Ceil(secs))))
	writeJSON(w, http.StatusTooManyRequests, map[string]any{
		"message":     "You are being rate limited.",
		"retry_after": secs,
		"global":      false,
	})
}
