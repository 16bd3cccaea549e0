package bot_test

import (
	"strings"
	"testing"

	"refunddesk/internal/discordtest"
)

// /status answers in the language of the Discord client, but the verdict's
// explanation is in the ticket's language, as every message to the
// requester about the ticket is.
func TestBotStatusVerdictInTheTicketsLanguage(t *testing.T) {
	t.Parallel()
	f := newBotFixture(t, "sqlite")
	f.refund("111", "rani", "id", "@rani.putri", "7301234567890000021", "under_delivery")
	d := f.ticket("RD-1")
	if d.Language != "id" {
		t.Fatalf("the ticket's language: %q", d.Language)
	}
	step, ok := d.Eligibility.Deciding()
	if !ok {
		t.Fatal("no verdict")
	}
	cat := f.tpl.Catalog()
	id, en := cat.Rule(step, "id"), cat.Rule(step, "en")
	if id == en {
		t.Fatalf("the same words in both languages: %q", id)
	}
	cb := f.send(f.fake.Command("status", append(requester("111", "rani"), discordtest.WithLocale("en-US"), discordtest.StringOpt("ref", "RD-1"))...))
	got := text(cb)
	if !strings.Contains(got, "Verdict so far: "+id) || strings.Contains(got, en) {
		t.Fatalf("status in English of an Indonesian ticket:\n%s\nwant the verdict %q", got, id)
	}
}
