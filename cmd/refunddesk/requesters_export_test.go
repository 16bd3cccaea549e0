package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/term"

	"refunddesk/archive"
	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// seedRequester files a ticket for sari@example.com with a file, through
// the store the CLI uses.
func (c *cli) seedRequester(file []byte) string {
	c.t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, c.env["REFUNDDESK_STORE_DSN"], sqlstore.Options{Clock: c.clock})
	if err != nil {
		c.t.Fatal(err)
	}
	defer db.Close()
	svc := tickets.NewService(db, tickets.Options{Clock: c.clock})
	res, err := svc.Intake.Submit(ctx, tickets.SubmitRequest{Kind: tickets.KindRefund, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "sari@example.com", Name: "Sari"}, Order: "7301", Details: "Promosi saya gagal tayang.",
		Language: "id", Evidence: []tickets.File{{Name: "bukti.txt", Data: file}}})
	if err != nil {
		c.t.Fatal(err)
	}
	return res.Ticket.Ref
}

// openArchive reads a zip's data.json and its entries.
func openArchive(t *testing.T, b []byte) (*archive.Document, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	entries := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		entries[f.Name], err = io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
	}
	var doc archive.Document
	if err := json.Unmarshal(entries["data.json"], &doc); err != nil {
		t.Fatal(err)
	}
	return &doc, entries
}

// requesters export writes the archive to -o FILE (its owner's only) or to
// standard output, records the export under the agent, and exits 2 on a
// bad command line, 3 when nothing is kept about the person (leaving no
// file behind), 1 when the file cannot be written.
func TestCLIRequestersExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		file := []byte("tangkapan layar, sebagai teks\n")
		ref := c.seedRequester(file)
		c.env["REFUNDDESK_AGENT"] = "ayu"

		out := filepath.Join(c.dir, "sari.zip")
		if got := c.ok("requesters", "export", "--email", "SARI@example.com", "-o", out); !strings.Contains(got, "wrote "+out+": 1 ticket(s)") {
			t.Errorf("stdout: %q", got)
		}
		st, err := os.Stat(out)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
		b, _ := os.ReadFile(out)
		doc, entries := openArchive(t, b)
		if len(doc.Tickets) != 1 || doc.Tickets[0].Ref != ref || doc.Language != "id" {
			t.Fatalf("data.json: %+v", doc)
		}
		ev := doc.Tickets[0].Evidence
		if len(ev) != 1 || ev[0].File != "tickets/"+ref+"/evidence/bukti.txt" || !bytes.Equal(entries[ev[0].File], file) {
			t.Errorf("evidence: %+v", ev)
		}
		if !strings.Contains(string(entries["README.txt"]), "Data Anda") {
			t.Errorf("README.txt: %s", entries["README.txt"])
		}
		show := c.ok("tickets", "show", ref, "--json")
		if !strings.Contains(show, `"code": "exported"`) || !strings.Contains(show, `"actor": "ayu"`) {
			t.Errorf("the export is not in the audit trail:\n%s", show)
		}

		// Standard output, when it is not a terminal.
		code, stdout, errs := c.run("requesters", "export", "--email", "sari@example.com")
		if code != 0 {
			t.Fatalf("to stdout: exit %d: %s", code, errs)
		}
		if doc, _ := openArchive(t, []byte(stdout)); len(doc.Tickets) != 1 {
			t.Errorf("to stdout: %+v", doc)
		}

		// Bad command lines, nobody, a file that cannot be written.
		c.fails(exitUsage, "requesters", "export")
		c.fails(exitUsage, "requesters", "export", "--email", "sari@example.com", "--discord-id", "4123")
		c.fails(exitUsage, "requesters", "export", "--discord-id", "ayu#1234")
		if errs := c.fails(exitUsage, "requesters", "export", "--discord-id", "4123"); !strings.Contains(errs, "not a Discord id") {
			t.Errorf("a short id (erasure refuses it too): %s", errs)
		}
		c.fails(exitUsage, "requesters", "export", "--email", "not an address", "-o", out)
		nobody := filepath.Join(c.dir, "nobody.zip")
		if errs := c.fails(exitNotFound, "requesters", "export", "--email", "nobody@example.com", "-o", nobody); !strings.Contains(errs,
			"nothing is kept about nobody@example.com") {
			t.Errorf("nobody: %s", errs)
		}
		c.fails(exitNotFound, "requesters", "export", "--discord-id", "400000000000000123", "-o", nobody)
		left, _ := filepath.Glob(filepath.Join(c.dir, "*nobody*"))
		if len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}
		c.fails(exitFailure, "requesters", "export", "--email", "sari@example.com", "-o", filepath.Join(c.dir, "no", "such", "dir.zip"))
		delete(c.env, "REFUNDDESK_AGENT")
		if errs := c.fails(exitUsage, "requesters", "export", "--email", "sari@example.com", "-o", out); !strings.Contains(errs, "who is acting") {
			t.Errorf("no agent: %s", errs)
		}
		c.fails(exitUsage, "requesters", "export", "--email", "sari@example.com", "-o", out, "--as", "ayu", "--agent", "budi")
		c.ok("requesters", "export", "--email", "sari@example.com", "-o", out, "--agent", "budi") // as requesters erase takes it
		// Three exports went through: three entries, the last by budi.
		show = c.ok("tickets", "show", ref, "--json")
		if n := strings.Count(show, `"code": "exported"`); n != 3 || !strings.Contains(show, `"actor": "budi"`) {
			t.Errorf("%d exported entries, want 3, the last by budi (the failed ones record nothing)", n)
		}
	})
}

// On a terminal, standard output gets no zip: exit 2, asking for -o, and
// nothing is exported (no audit entry).
func TestCLIRequestersExportRefusesTerminal(t *testing.T) {
	tty, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil || !term.IsTerminal(int(tty.Fd())) {
		t.Skip("no pseudo-terminal here:", err)
	}
	defer tty.Close()
	storetest.Each(t, func(t *testing.T, dialect string) {
		c := newCLI(t, dialect)
		ref := c.seedRequester([]byte("x\n"))
		c.env["REFUNDDESK_AGENT"] = "ayu"
		var errb bytes.Buffer
		m := &Main{Stdin: strings.NewReader(""), Stdout: tty, Stderr: &errb, Clock: c.clock, Getenv: func(k string) string { return c.env[k] }}
		code := m.Run(context.Background(), []string{"requesters", "export", "--email", "sari@example.com"})
		m.Close()
		if code != exitUsage || !strings.Contains(errb.String(), "give -o FILE") {
			t.Errorf("exit %d: %s", code, errb.String())
		}
		if strings.Contains(c.ok("tickets", "show", ref, "--json"), `"code": "exported"`) {
			t.Error("a refused export was recorded")
		}
	})
}
