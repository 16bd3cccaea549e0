package bot_test

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"refunddesk/internal/discordtest"
	"refunddesk/internal/storetest"
)

// A NUL byte or another control character in /queue's query is answered
// (only to the agent) with what is wrong and where, on both stores, not
// with "something went wrong".
func TestBotQueueControlCharacters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, dialect string) {
		f := newBotFixture(t, dialect)
		f.refund("111", "rani", "en-US", "@rani.putri", "7301234567890000021", "rejected")
		for _, q := range []string{"kind:refund rejected\x00", "assignee:ayu\x00", "\"views\x00\""} {
			cb := f.send(f.fake.Command("queue", append(agent("900", "ayu"), discordtest.StringOpt("query", q))...))
			got := text(cb)
			if cb.Response.Data.Flags&discordgo.MessageFlagsEphemeral == 0 || !strings.Contains(got, "contains a NUL byte, which no query can look for") {
				t.Fatalf("%q: %q (flags %d)", q, got, cb.Response.Data.Flags)
			}
		}
	})
}
