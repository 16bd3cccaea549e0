package bot

import (
	"context"
	"log/slog"
	"testing"

	"github.com/bwmarrin/discordgo"

	"refunddesk/templates"
)

// A panic in the work of one interaction is recovered: the user is told
// something went wrong, and the bot goes on.
func TestPanicIsRecovered(t *testing.T) {
	tpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	b := &Bot{log: slog.New(slog.DiscardHandler), seen: newSeenSet(10), ctx: context.Background(), tpl: tpl}
	var answered *reply
	// An application command without its data makes the handler panic.
	i := &discordgo.Interaction{ID: "1", Type: discordgo.InteractionApplicationCommand, Locale: "id"}
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("the panic escaped: %v", p)
			}
		}()
		answered = b.work(i)
	}()
	if answered == nil || answered.content != b.say("id", "error") {
		t.Fatalf("answer: %+v", answered)
	}
}
