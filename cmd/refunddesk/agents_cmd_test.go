package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets/sqlstore"
)

// runIn runs a command with stdin.
func (c *cli) runIn(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Clock: c.clock,
		Getenv: func(k string) string { return c.env[k] }}
	code := m.Run(context.Background(), args)
	if err := m.Close(); err != nil {
		c.t.Fatalf("close: %v", err)
	}
	return code, out.String(), errb.String()
}

// The agents commands add, list, change and disable the console's agents;
// the desk takes an enabled one as an agent beside tickets.agents, and not
// once disabled.
func TestCLIAgents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		c.env["REFUNDDESK_TICKETS_AGENTS"] = "boss"
		want := func(code int, stdin string, args ...string) string {
			t.Helper()
			got, out, errs := c.runIn(stdin, args...)
			if got != code {
				t.Fatalf("refunddesk %s: exit %d, want %d\n%s%s", strings.Join(args, " "), got, code, out, errs)
			}
			return out + errs
		}
		if out := want(0, "a long password\n", "agents", "add", "ayu", "--language", "id"); !strings.Contains(out, "added agent ayu (language id)") {
			t.Fatalf("add: %s", out)
		}
		want(0, "budi's password\n", "agents", "add", "budi", "--password-stdin")
		want(exitConflict, "another password\n", "agents", "add", "ayu")
		want(exitUsage, "a long password\n", "agents", "add", "no spaces")
		want(exitUsage, "a long password\n", "agents", "add", "-x")
		for _, reserved := range []string{"me", "none", "Me", "NONE"} { // assignee:me, assign none
			if out := want(exitUsage, "a long password\n", "agents", "add", reserved); !strings.Contains(out, "reserved") {
				t.Fatalf("agents add %s: %s", reserved, out)
			}
		}
		if out := want(exitUsage, "short\n", "agents", "add", "citra"); !strings.Contains(out, "10 to 1024") {
			t.Fatalf("a short password: %s", out)
		}
		want(exitUsage, "a long password\n", "agents", "add", "citra", "--language", "fr")
		want(exitNotFound, "a long password\n", "agents", "passwd", "nobody")
		want(exitNotFound, "", "agents", "disable", "nobody")

		ref := strings.TrimSpace(regexp.MustCompile(`RD-\d+`).FindString(c.ok("tickets", "submit", "--kind", "revocation",
			"--account", "@rani", "--email", "rani@example.id", "--as", "boss")))
		want(0, "", "tickets", "note", ref, "from a console agent", "--as", "ayu")
		want(exitForbidden, "", "tickets", "note", ref, "from nobody", "--as", "citra")
		want(0, "", "agents", "disable", "ayu")
		want(exitForbidden, "", "tickets", "note", ref, "disabled now", "--as", "ayu")
		out := want(0, "", "agents", "list")
		if !regexp.MustCompile(`ayu\s+id\s+disabled\s+0`).MatchString(out) || !regexp.MustCompile(`budi\s+en\s+enabled`).MatchString(out) {
			t.Fatalf("list:\n%s", out)
		}
		want(0, "", "agents", "enable", "ayu")
		want(0, "", "tickets", "note", ref, "back again", "--as", "ayu")
		want(0, "a new long password\n", "agents", "passwd", "ayu")
		var list []sqlstore.Agent
		if err := json.Unmarshal([]byte(want(0, "", "agents", "list", "--json")), &list); err != nil || len(list) != 2 || list[0].Disabled {
			t.Fatalf("list --json: %+v %v", list, err)
		}
		db, err := sqlstore.Open(context.Background(), c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if hash, _, _, _ := db.AgentCredentials(context.Background(), "ayu"); !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("ayu's hash %q", hash)
		}
	})
}

// signInConsole signs in to the console at addr and returns a client that
// holds the session.
func signInConsole(t *testing.T, addr, name, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get("http://" + addr + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	form, _ := io.ReadAll(res.Body)
	res.Body.Close()
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(form))[1]
	res, err = client.PostForm("http://"+addr+"/sign-in", url.Values{"csrf": {token}, "name": {name}, "password": {password}, "next": {"/"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign in as %s: %d %q", name, res.StatusCode, res.Header.Get("Location"))
	}
	return client
}

// The demo prints the console's address and a sign-in for its agent, a new
// password at each start, and that sign-in works.
func TestDemoConsoleSignIn(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	for run := 0; run < 2; run++ {
		demo := c.start("demo", "--records", "300", "--imap", "127.0.0.1:0", "--smtp", "127.0.0.1:0", "--http", "127.0.0.1:0")
		m := demo.waitOut(t, `The web console: http://(127\.0\.0\.1:\d+)/\n  sign in as demo-agent, password (\S+)`)
		client := signInConsole(t, m[1], "demo-agent", m[2])
		res, err := client.Get("http://" + m[1] + "/")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("the queue after signing in: %d", res.StatusCode)
		}
		if code := demo.stop(t); code != 0 {
			t.Fatalf("demo: exit %d: %s", code, demo.errs)
		}
	}
}

// serve answers the console at / on the HTTP listener, beside the API: no
// session goes to the sign-in page, an agent added with `agents add` signs
// in; with web.disabled only the API answers.
func TestServeConsole(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	c.env["REFUNDDESK_HTTP_ADDRESS"] = "127.0.0.1:0"
	if code, out, errs := c.runIn("a long password\n", "agents", "add", "ayu"); code != 0 {
		t.Fatalf("agents add: %s%s", out, errs)
	}
	srv := c.start("serve")
	addr := srv.waitOut(t, `http://(127\.0\.0\.1:\d+)/api/tickets, /healthz, /metrics, and the web console at /`)[1]
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := client.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	if res, _ := get("/"); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in?next=%2F" {
		t.Fatalf("GET /: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := get("/api/tickets"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the API without a token: %d", res.StatusCode)
	}
	if res, _ := get("/healthz"); res.StatusCode != http.StatusOK {
		t.Fatalf("healthz: %d", res.StatusCode)
	}
	client = signInConsole(t, addr, "ayu", "a long password")
	if res, body := get("/"); res.StatusCode != http.StatusOK || !strings.Contains(body, "ayu") {
		t.Fatalf("the queue: %d\n%s", res.StatusCode, body)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve: exit %d: %s", code, srv.errs)
	}

	c.env["REFUNDDESK_WEB_DISABLED"] = "true"
	srv = c.start("serve")
	addr = srv.waitOut(t, `http://(127\.0\.0\.1:\d+)/api/tickets`)[1]
	if res, _ := get("/sign-in"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("the console disabled: %d", res.StatusCode)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve: exit %d", code)
	}
}
