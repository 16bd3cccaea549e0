package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/sample"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// cli runs refunddesk commands in-process against one store.
type cli struct {
	t     *testing.T
	env   map[string]string
	clock *storetest.Clock
	dir   string
}

func newCLI(t *testing.T, dialect string) *cli {
	t.Helper()
	dir := t.TempDir()
	c := &cli{t: t, dir: dir, clock: storetest.NewClock(time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)),
		env: map[string]string{"REFUNDDESK_STORE_DSN": storetest.DSN(t, dialect), "REFUNDDESK_CONFIG": filepath.Join(dir, "none.toml")}}
	// An explicit config file that exists but is empty: the embedded defaults.
	if err := os.WriteFile(c.env["REFUNDDESK_CONFIG"], nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}

// run runs one command line and returns its exit code, stdout and stderr.
func (c *cli) run(args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: c.clock,
		Getenv: func(k string) string { return c.env[k] }}
	code := m.Run(context.Background(), args)
	if err := m.Close(); err != nil {
		c.t.Fatalf("close: %v", err)
	}
	return code, out.String(), errb.String()
}

// ok runs a command that must succeed and returns its output.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(args...)
	if code != 0 {
		c.t.Fatalf("refunddesk %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// fails runs a command that must exit with code and returns stderr.
func (c *cli) fails(code int, args ...string) string {
	c.t.Helper()
	got, out, errs := c.run(args...)
	if got != code {
		c.t.Fatalf("refunddesk %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), got, code, out, errs)
	}
	return errs
}

// failOutbox makes the oldest due item of a channel fail for good, as a
// sender refused by its peer would, and returns its id.
func (c *cli) failOutbox(ch tickets.Channel) int64 {
	c.t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{Clock: c.clock})
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	svc := tickets.NewService(db, tickets.Options{Clock: c.clock})
	items, err := svc.Delivery.ClaimOutbox(ctx, ch, 1, time.Minute)
	if err != nil || len(items) != 1 {
		c.t.Fatalf("claim %s: %v %v", ch, items, err)
	}
	if err := svc.Delivery.FinishOutbox(ctx, items[0], tickets.OutboxResult{Err: "550 no such user", Permanent: true}); err != nil {
		c.t.Fatal(err)
	}
	return items[0].ID
}

// stepsInWords checks that every step of a list of rule steps as JSON (a
// verdict's rules, a message's explanation) has detail and
// detail_requester, neither empty, and returns them.
func stepsInWords(t *testing.T, where string, v any) []map[string]any {
	t.Helper()
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		t.Fatalf("%s: no steps in %#v", where, v)
	}
	var out []map[string]any
	for i, s := range list {
		step := s.(map[string]any)
		for _, k := range []string{"detail", "detail_requester"} {
			if w, ok := step[k].(string); !ok || w == "" {
				t.Errorf("%s, step %d (%v): %s is %#v", where, i, step["code"], k, step[k])
			}
		}
		out = append(out, step)
	}
	return out
}

func (c *cli) file(name, content string) string {
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return p
}

const header = "order_number,account,video_id,objective,amount,currency,payment_method,created_at,start_at,end_at,closed_at,status,promised_reach,delivered_reach,spend,incident,refunded\n"

func TestCLIWorkflow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		csv := c.file("promos.csv", header+
			"7301000000000000001,@rani,v1,views,100000,IDR,wallet,2026-11-01T08:00:00Z,2026-11-01T09:00:00Z,2026-11-08T09:00:00Z,,completed,10000,2000,100000,false,0\n"+
			"7301000000000000002,@budi,v2,followers,50000,IDR,card,2026-11-02T08:00:00Z,,,,rejected,0,0,0,false,0\n")
		out := c.ok("promotions", "import", csv)
		if !strings.Contains(out, "2 inserted, 0 updated, 0 unchanged, 0 skipped") {
			t.Fatalf("import summary: %s", out)
		}
		out = c.ok("promotions", "import", csv)
		if !strings.Contains(out, "0 inserted, 0 updated, 2 unchanged") {
			t.Fatalf("re-import summary: %s", out)
		}
		shot := c.file("shot.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"+strings.Repeat("\x00", 40))
		out = c.ok("tickets", "submit", "--kind", "refund", "--account", "@Rani", "--order", "7301000000000000001",
			"--reason", "under_delivery", "--details", "Only 2k of 10k views", "--evidence", shot,
			"--email", "rani@example.com", "--as", "ayu", "--key", "k-1")
		if !strings.Contains(out, "RD-1 created: in_review, verdict eligible, refund IDR 80,000") {
			t.Fatalf("submit: %s", out)
		}
		out = c.ok("tickets", "submit", "--kind", "refund", "--account", "@Rani", "--order", "7301000000000000001",
			"--reason", "under_delivery", "--as", "ayu", "--key", "k-1")
		if !strings.Contains(out, "RD-1 already filed with this key") {
			t.Fatalf("idempotent submit: %s", out)
		}

		// The JSON contract of list and show.
		var list []map[string]any
		if err := json.Unmarshal([]byte(c.ok("tickets", "list", "status:in_review", "kind:refund", "--json")), &list); err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 {
			t.Fatalf("list: %d tickets", len(list))
		}
		for _, k := range []string{"ref", "kind", "status", "channel", "account", "order", "reason", "details", "language",
			"requester", "evidence", "eligibility", "flags", "assignee", "created_at", "updated_at"} {
			if _, ok := list[0][k]; !ok {
				t.Errorf("list --json: no %q", k)
			}
		}
		el := list[0]["eligibility"].(map[string]any)
		for _, k := range []string{"verdict", "refund_amount", "currency", "rules"} {
			if _, ok := el[k]; !ok {
				t.Errorf("eligibility: no %q", k)
			}
		}
		rules := stepsInWords(t, "tickets list --json", el["rules"])
		last := rules[len(rules)-1]
		if last["rule"] != "under_delivery" || last["outcome"] != "eligible" {
			t.Errorf("deciding rule: %v", last)
		}
		ev := list[0]["evidence"].([]any)[0].(map[string]any)
		if ev["content_type"] != "image/png" || ev["name"] != "shot.png" || len(ev["sha256"].(string)) != 64 {
			t.Errorf("evidence: %v", ev)
		}
		req := list[0]["requester"].(map[string]any)
		if req["email"] != "rani@example.com" {
			t.Errorf("requester: %v", req)
		}

		var d map[string]any
		if err := json.Unmarshal([]byte(c.ok("tickets", "show", "RD-1", "--json")), &d); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"messages", "audit", "promotion", "outbox", "evidence", "eligibility"} {
			if _, ok := d[k]; !ok {
				t.Errorf("show --json: no %q", k)
			}
		}
		stepsInWords(t, "tickets show --json", d["eligibility"].(map[string]any)["rules"])
		for i, o := range d["outbox"].([]any) {
			stepsInWords(t, fmt.Sprintf("tickets show --json: outbox %d", i), o.(map[string]any)["data"].(map[string]any)["explanation"])
		}
		var items []map[string]any
		if err := json.Unmarshal([]byte(c.ok("outbox", "list", "--json")), &items); err != nil || len(items) == 0 {
			t.Fatalf("outbox list --json: %v %v", items, err)
		}
		for i, o := range items {
			stepsInWords(t, fmt.Sprintf("outbox list --json: item %d", i), o["data"].(map[string]any)["explanation"])
		}
		for i, line := range strings.Split(strings.TrimSpace(c.ok("outbox", "list", "--all")), "\n") {
			var o map[string]any
			if err := json.Unmarshal([]byte(line), &o); err != nil {
				t.Fatalf("outbox list --all: %v in %s", err, line)
			}
			stepsInWords(t, fmt.Sprintf("outbox list --all: line %d", i), o["data"].(map[string]any)["explanation"])
		}
		failed := c.failOutbox(tickets.ChannelEmail)
		var retried map[string][]map[string]any
		if err := json.Unmarshal([]byte(c.ok("outbox", "retry", fmt.Sprint(failed), "--as", "ayu", "--json")), &retried); err != nil ||
			len(retried["requeued"]) != 1 {
			t.Fatalf("outbox retry --json: %v %v", retried, err)
		}
		stepsInWords(t, "outbox retry --json", retried["requeued"][0]["data"].(map[string]any)["explanation"])
		text := c.ok("tickets", "show", "rd-1")
		for _, want := range []string{"RD-1  refund  in_review", "Verdict: eligible, refund IDR 80,000", "under_delivery", "shot.png", "Only 2k of 10k views", "acknowledgement"} {
			if !strings.Contains(text, want) {
				t.Errorf("show: no %q in\n%s", want, text)
			}
		}

		// Agent actions, refused ones with exit 4 and nothing changed.
		c.ok("tickets", "claim", "RD-1", "--as", "ayu")
		errs := c.fails(exitConflict, "tickets", "claim", "RD-1", "--as", "budi")
		if !strings.Contains(errs, "assigned to ayu") {
			t.Errorf("claim by another: %s", errs)
		}
		c.ok("tickets", "note", "RD-1", "checked", "the", "screenshot", "--as", "ayu")
		out = c.ok("tickets", "approve", "RD-1", "--as", "ayu")
		if !strings.Contains(out, "RD-1 approve: approved, assigned to ayu, IDR 80,000") {
			t.Errorf("approve: %s", out)
		}
		errs = c.fails(exitConflict, "tickets", "approve", "RD-1", "--as", "ayu")
		if !strings.Contains(errs, "cannot approve a ticket that is approved") {
			t.Errorf("approve twice: %s", errs)
		}
		c.ok("tickets", "resolve", "RD-1", "--as", "ayu")
		c.fails(exitUsage, "tickets", "deny", "RD-1", "--as", "ayu")
		c.ok("tickets", "reopen", "RD-1", "--as", "ayu", "--note", "paid twice?")
		c.ok("tickets", "deny", "RD-1", "--reason", "already paid", "--as", "ayu")

		// Queries: errors point at the term.
		errs = c.fails(exitUsage, "tickets", "list", "status:in_review", "kind:refnd")
		if !strings.Contains(errs, `"kind:refnd"`) || !strings.Contains(errs, "not a kind") {
			t.Errorf("query error: %s", errs)
		}
		errs = c.fails(exitUsage, "tickets", "list", "colour:red")
		if !strings.Contains(errs, `unknown field "colour"`) {
			t.Errorf("unknown field: %s", errs)
		}
		if out := c.ok("tickets", "list", "status:denied", "assignee:me", "--as", "ayu"); !strings.Contains(out, "RD-1") {
			t.Errorf("assignee:me: %s", out)
		}

		// Not found.
		c.fails(exitNotFound, "tickets", "show", "RD-999")
		c.fails(exitNotFound, "promotions", "show", "7309999999999999999")
		c.fails(exitUsage, "tickets", "show", "nonsense")

		// promotions show lists the linked tickets.
		out = c.ok("promotions", "show", "7301000000000000001")
		if !strings.Contains(out, "@rani") || !strings.Contains(out, "RD-1") {
			t.Errorf("promotions show: %s", out)
		}
	})
}

func TestCLIImportRefusesBadRows(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	bad := c.file("bad.csv", header+
		"7301000000000000001,@rani,v1,views,100000,IDR,wallet,2026-11-01T08:00:00Z,,,,completed,10000,2000,0,false,0\n"+
		"7301000000000000002,@budi,v2,views,lots,IDR,wallet,2026-11-01T08:00:00Z,,,,completed,10000,2000,0,false,0\n"+
		",@cita,v3,views,100,IDR,wallet,2026-11-01T08:00:00Z,,,,completed,10000,2000,0,false,0\n"+
		"7301000000000000004,@dewi,v4,views,100,IDR,wallet,yesterday,,,,paused,10000,2000,0,false,0\n")
	errs := c.fails(exitUsage, "promotions", "import", bad)
	for _, want := range []string{"3 bad row(s), nothing imported", "bad.csv:3: amount", "bad.csv:4: order_number: empty",
		"bad.csv:5: created_at", "bad.csv:5:", "status"} {
		if !strings.Contains(errs, want) {
			t.Errorf("no %q in\n%s", want, errs)
		}
	}
	c.fails(exitNotFound, "promotions", "show", "7301000000000000001")

	out := c.ok("promotions", "import", bad, "--skip-invalid")
	if !strings.Contains(out, "1 inserted") || !strings.Contains(out, "3 skipped") || !strings.Contains(out, "bad.csv:3: amount") {
		t.Errorf("skip-invalid: %s", out)
	}
	c.ok("promotions", "show", "7301000000000000001")

	missing := c.file("missing.csv", "order_number,account\n1,@a\n")
	errs = c.fails(exitUsage, "promotions", "import", missing)
	if !strings.Contains(errs, "amount") || !strings.Contains(errs, "currency") {
		t.Errorf("missing columns: %s", errs)
	}
	c.fails(exitUsage, "promotions", "import", filepath.Join(c.dir, "nope.csv"))
	c.fails(exitUsage, "promotions", "import", c.file("x.txt", "a"))
}

func TestCLIDemo(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	out := c.ok("demo", "fill", "--records", "600")
	for _, want := range []string{"promotions: 600 read, 600 inserted", "Sample requests:", "The queue", "RD-1", "tickets show"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo: no %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, " duplicate\n") {
		t.Errorf("first demo run reports duplicates:\n%s", out)
	}
	again := c.ok("demo", "fill", "--records", "600")
	if !strings.Contains(again, "0 inserted, 0 updated, 600 unchanged") || strings.Contains(again, " created") {
		t.Errorf("second demo run changed something:\n%s", again)
	}
	var list []tickets.Ticket
	if err := json.Unmarshal([]byte(c.ok("tickets", "list", "--json", "--limit", "100")), &list); err != nil {
		t.Fatal(err)
	}
	langs := map[string]int{}
	for _, tk := range list {
		langs[tk.Language]++
	}
	if len(list) < 6 || langs["id"] == 0 || langs["en"] == 0 {
		t.Errorf("demo tickets: %d, languages %v", len(list), langs)
	}
}

func TestCLIConfig(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	cfg := c.file("refunddesk.toml", "[store]\ndsn = \""+c.env["REFUNDDESK_STORE_DSN"]+"\"\n[tickets]\nagents = [\"ayu\", \"budi\"]\n[policy]\nfile = \""+
		c.file("policy.toml", "window_days = 45\n[under_delivery]\nthreshold_percent = 70\n")+"\"\n")
	c.env["REFUNDDESK_CONFIG"] = cfg
	out := c.ok("policy", "show")
	if !strings.Contains(out, "window_days = 45") || !strings.Contains(out, "threshold_percent = 70") || !strings.Contains(out, "require_evidence = true") {
		t.Errorf("policy show: %s", out)
	}
	c.file("promos.csv", header+"7301000000000000001,@rani,v1,views,100000,IDR,wallet,2026-11-01T08:00:00Z,,,,completed,10000,2000,0,false,0\n")
	c.ok("promotions", "import", filepath.Join(c.dir, "promos.csv"))
	errs := c.fails(exitForbidden, "tickets", "submit", "--order", "7301000000000000001", "--account", "@rani", "--as", "mallory")
	if !strings.Contains(errs, "not one of the desk's agents") {
		t.Errorf("unknown agent: %s", errs)
	}
	c.ok("tickets", "submit", "--order", "7301000000000000001", "--account", "@rani", "--reason", "other", "--as", "budi")
	c.fails(exitForbidden, "tickets", "claim", "RD-1", "--as", "mallory")
	c.fails(exitUsage, "tickets", "assign", "RD-1", "mallory", "--as", "ayu")
	c.ok("tickets", "assign", "RD-1", "budi", "--as", "ayu")

	// Environment overrides the file; bad values name the key.
	c.env["REFUNDDESK_TICKETS_MAX_EVIDENCE_FILES"] = "many"
	errs = c.fails(exitUsage, "tickets", "list")
	if !strings.Contains(errs, "REFUNDDESK_TICKETS_MAX_EVIDENCE_FILES") {
		t.Errorf("bad env: %s", errs)
	}
	delete(c.env, "REFUNDDESK_TICKETS_MAX_EVIDENCE_FILES")
	c.env["REFUNDDESK_SLA_FIRST_RESPONSE"] = "0s"
	errs = c.fails(exitUsage, "tickets", "list")
	if !strings.Contains(errs, "sla.first_response") {
		t.Errorf("bad sla: %s", errs)
	}
	delete(c.env, "REFUNDDESK_SLA_FIRST_RESPONSE")
	for env, want := range map[string]string{
		"REFUNDDESK_HTTP_TOKENS=ayu":                                        `http.tokens: entry 1 is not "agent:token"`,
		"REFUNDDESK_HTTP_TOKENS=ayu:short":                                  "the token of ayu is shorter than 16 characters",
		"REFUNDDESK_HTTP_TOKENS=ayu:0123456789abcdef,budi:0123456789abcdef": "ayu and budi have the same token",
		"REFUNDDESK_FOLLOWUPS_REMIND=0s":                                    "followups.remind: must be longer than 0",
		"REFUNDDESK_FOLLOWUPS_REMIND=9d":                                    "followups.remind: must come before followups.auto_close",
		"REFUNDDESK_SERVE_INTAKE_LEASE=0s":                                  "serve.intake_lease: must be longer than 0",
	} {
		k, v, _ := strings.Cut(env, "=")
		c.env[k] = v
		errs = c.fails(exitUsage, "tickets", "list")
		if !strings.Contains(errs, want) || strings.Contains(errs, "0123456789abcdef") {
			t.Errorf("%s: %s", env, errs)
		}
		delete(c.env, k)
	}
	c.env["REFUNDDESK_CONFIG"] = c.file("typo.toml", "[store]\ndns = \"x\"\n")
	errs = c.fails(exitUsage, "tickets", "list")
	if !strings.Contains(errs, "unknown key store.dns") {
		t.Errorf("typo: %s", errs)
	}
	c.env["REFUNDDESK_CONFIG"] = filepath.Join(c.dir, "absent.toml")
	c.fails(exitUsage, "tickets", "list")
}

func TestCLIMigrate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		out := c.ok("migrate")
		if !strings.Contains(out, "applied 0001_init.sql") {
			t.Errorf("migrate: %s", out)
		}
		if out := c.ok("migrate"); !strings.Contains(out, "(0 applied now)") {
			t.Errorf("migrate again: %s", out)
		}
		// As many versions as the store has migration files.
		files, err := filepath.Glob("../../tickets/sqlstore/migrations/sqlite/*.sql")
		if err != nil || len(files) < 9 {
			t.Fatalf("the migrations: %v %v", files, err)
		}
		latest := len(files)
		if out := c.ok("migrate", "--status"); !strings.Contains(out, fmt.Sprintf("schema version %d of %d", latest, latest)) {
			t.Errorf("status: %s", out)
		}
		// A database from a newer refunddesk is refused, saying why.
		db, err := sqlstore.Open(context.Background(), c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SQL().Exec(db.SQL().Rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`), 99, "0099_future.sql", time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		db.Close()
		errs := c.fails(exitFailure, "tickets", "list")
		if !strings.Contains(errs, fmt.Sprintf("schema version 99, newer than this refunddesk knows (%d)", latest)) {
			t.Errorf("newer schema: %s", errs)
		}
	})
}

func TestCLISample(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	out := c.ok("sample", "promotions", "--count", "5")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 || !strings.HasPrefix(lines[0], "order_number,account") || !strings.HasPrefix(lines[1], sample.OrderNumber(0)) {
		t.Errorf("sample promotions: %q", out)
	}
	path := filepath.Join(c.dir, "p.jsonl")
	c.ok("sample", "promotions", "--count", "50", "--format", "jsonl", "-o", path)
	if out := c.ok("promotions", "import", path); !strings.Contains(out, "50 inserted") {
		t.Errorf("jsonl import: %s", out)
	}
	c.fails(exitUsage, "sample", "promotions", "--format", "xml")
}

// The documented example config is a valid config.
func TestExampleConfigLoads(t *testing.T) {
	c, err := LoadConfig("../../refunddesk.example.toml", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.Mail.IMAP.Mailbox != "INBOX" || c.Mail.SMTP.MaxAttempts != 12 || c.Store.DSN != "./data/refunddesk.db" ||
		c.Discord.Enabled() || c.Discord.ShardCount != 1 || c.Discord.RequestsPerHour != 5 || c.Discord.APIURL != "https://discord.com" ||
		c.Followups.Remind.Duration != 48*time.Hour || c.Followups.AutoClose.Duration != 7*24*time.Hour || c.HTTP.Address != "" ||
		c.Serve.IntakeLease.Duration != 30*time.Second {
		t.Fatalf("example config: %+v", c.Mail)
	}
}
