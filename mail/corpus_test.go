package mail_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// want is what a case of the corpus expects (testdata/corpus/README.md).
type want struct {
	Kind        string `json:"kind"`
	Account     string `json:"account"`
	Order       string `json:"order"`
	Reason      string `json:"reason"`
	Language    string `json:"language"`
	AutoReply   bool   `json:"auto_reply"`
	Bounce      bool   `json:"bounce"`
	ThreadRef   string `json:"thread_ref"`
	Attachments []struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Evidence    bool   `json:"evidence"`
	} `json:"attachments"`
	DetailsContains  []string `json:"details_contains"`
	DetailsExcludes  []string `json:"details_excludes"`
	UnverifiedSender bool     `json:"unverified_sender"`
	// Sources, when given, is where each field comes from (text,
	// signature, forwarded): compared with Request.Sources as a whole.
	Sources map[string]string `json:"sources"`
	Note    string            `json:"note"`
}

var spaceRun = regexp.MustCompile(`\s+`)

func collapse(s string) string { return spaceRun.ReplaceAllString(s, " ") }

// TestCorpus reads every mail of testdata/corpus as the desk would and
// compares what it understood with the case's .want.json.
func TestCorpus(t *testing.T) { checkCorpus(t, "testdata/corpus") }

// TestHeldOut does the same with mails written by someone who never saw the
// parser or the first corpus: a check that the understanding is general,
// not fitted to the cases it was built on.
func TestHeldOut(t *testing.T) { checkCorpus(t, "testdata/heldout") }

// TestHeldOut2 is a second set like it, written after the first had been
// used to improve the parser.
func TestHeldOut2(t *testing.T) { checkCorpus(t, "testdata/heldout2") }

// TestHarder reads the harder mails of issue 16: accounts without @,
// forwards from every common client, kind from intent, replies restating
// the problem, automatic replies known by their words.
func TestHarder(t *testing.T) { checkCorpus(t, "testdata/harder") }

// TestHeldOut3 reads a third held-out set, written for issue 16 without
// reading the parser or the other corpora's mails.
func TestHeldOut3(t *testing.T) { checkCorpus(t, "testdata/heldout3") }

// TestHeldOut4 reads a fourth held-out set, written for issue 16 without
// reading the parser or the other corpora's mails. Its misses were logged
// until they were fixed; the parser is now fitted to it, so it is no longer
// a blind estimate.
func TestHeldOut4(t *testing.T) { checkCorpus(t, "testdata/heldout4") }

func checkCorpus(t *testing.T, dir string) { checkCorpusMode(t, dir, false) }

// checkCorpusLog checks dir as checkCorpus does but logs its misses
// instead of failing (a corpus whose misses are not fixed yet).
func checkCorpusLog(t *testing.T, dir string) { checkCorpusMode(t, dir, true) }

func checkCorpusMode(t *testing.T, dir string, logOnly bool) {
	ctx := context.Background()
	db := storetest.Open(t, "sqlite", nil)
	svc := tickets.NewService(db, tickets.Options{})
	recs, err := os.Open(dir + "/records.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer recs.Close()
	if _, err := svc.Records.ImportPromotions(ctx, recs, tickets.ImportOptions{File: "records.csv"}); err != nil {
		t.Fatal(err)
	}
	auth := mail.NewAuthenticator(mail.AuthConfig{AuthServIDs: []string{"mx.refunddesk.example"}}, nil)
	files, _ := filepath.Glob(dir + "/*.eml")
	if len(files) < 40 {
		t.Fatalf("only %d cases in the corpus", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			missed := false
			errorf := func(format string, args ...any) {
				missed = true
				if logOnly {
					t.Logf("miss: "+format, args...)
				} else {
					t.Errorf(format, args...)
				}
			}
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			wb, err := os.ReadFile(strings.TrimSuffix(file, ".eml") + ".want.json")
			if err != nil {
				t.Fatal(err)
			}
			var w want
			if err := json.Unmarshal(wb, &w); err != nil {
				t.Fatal(err)
			}
			m, err := mail.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			// The corpus's mail was received by mx.refunddesk.example.
			auth.Check(ctx, m, raw)
			got := mail.Understand(ctx, m, svc.Records, "refunddesk.example")
			kind := ""
			if got.KindStated {
				kind = string(got.Kind)
			}
			check := func(field, g, wnt string) {
				if g != wnt {
					errorf("%s: got %q, want %q", field, g, wnt)
				}
			}
			auto := m.Auto != ""
			if auto != w.AutoReply {
				errorf("auto_reply: got %v (%s), want %v", auto, m.Auto, w.AutoReply)
			}
			if (m.Bounce != nil) != w.Bounce {
				errorf("bounce: got %v, want %v", m.Bounce != nil, w.Bounce)
			}
			if !auto {
				check("kind", kind, w.Kind)
				check("account", got.Account, w.Account)
				check("order", got.Order, w.Order)
				check("reason", string(got.Reason), w.Reason)
				check("language", got.Language, w.Language)
				details := collapse(got.Details)
				for _, p := range w.DetailsContains {
					if !strings.Contains(details, collapse(p)) {
						errorf("details lack %q:\n%s", p, got.Details)
					}
				}
				if w.Sources != nil {
					check("sources", sourcesString(got.Sources), sourcesString(tickets.Sources(toSources(w.Sources))))
				}
				for _, p := range w.DetailsExcludes {
					if strings.Contains(details, collapse(p)) {
						errorf("details keep %q:\n%s", p, got.Details)
					}
				}
			}
			check("thread_ref", got.ThreadRef, w.ThreadRef)
			if g := m.Auth.Failed(); g != w.UnverifiedSender {
				errorf("unverified_sender: got %v (%+v), want %v", g, m.Auth, w.UnverifiedSender)
			}
			files, _ := m.Evidence()
			var evidence []string
			for _, f := range files {
				evidence = append(evidence, f.Name)
			}
			if len(m.Attachments) != len(w.Attachments) {
				errorf("attachments: got %d, want %d", len(m.Attachments), len(w.Attachments))
			} else {
				for i, a := range m.Attachments {
					wa := w.Attachments[i]
					if a.Name != wa.Name || a.ContentType != wa.ContentType || slices.Contains(evidence, a.Name) != wa.Evidence {
						errorf("attachment %d: got %s %s evidence=%v, want %s %s evidence=%v", i, a.Name, a.ContentType,
							slices.Contains(evidence, a.Name), wa.Name, wa.ContentType, wa.Evidence)
					}
				}
			}
			if missed {
				t.Logf("case: %s", w.Note)
			}
		})
	}
}

func toSources(m map[string]string) map[string]tickets.Source {
	out := map[string]tickets.Source{}
	for k, v := range m {
		out[k] = tickets.Source(v)
	}
	return out
}

// sourcesString writes sources in a stable order: "account=text order=forwarded".
func sourcesString(s tickets.Sources) string {
	var parts []string
	for k, v := range s {
		parts = append(parts, k+"="+string(v))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}
