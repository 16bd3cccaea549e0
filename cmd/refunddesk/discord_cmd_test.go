package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"refunddesk/internal/discordtest"
	"refunddesk/tickets/sqlstore"
)

// discord run: the commands registered, a request answered, the agents'
// card posted, and a clean stop when interrupted.
func TestCLIDiscordRun(t *testing.T) {
	c := newCLI(t, sqlstore.SQLite)
	c.fails(exitUsage, "discord", "run") // no token

	fake, err := discordtest.StartWith(discordtest.Config{Token: "cli-token"})
	if err != nil {
		t.Fatal(err)
	}
	defer fake.Close()
	for k, v := range map[string]string{
		"REFUNDDESK_DISCORD_TOKEN": "cli-token", "REFUNDDESK_DISCORD_APPLICATION_ID": fake.AppID(),
		"REFUNDDESK_DISCORD_GUILD_ID": "900", "REFUNDDESK_DISCORD_AGENT_ROLE_IDS": "901",
		"REFUNDDESK_DISCORD_AGENT_CHANNEL_ID": "902", "REFUNDDESK_DISCORD_API_URL": fake.URL(),
	} {
		c.env[k] = v
	}
	c.ok("promotions", "import", c.file("p.csv", header+
		"7301000000000000001,@rani,v1,views,100000,IDR,wallet,2026-11-01T08:00:00Z,2026-11-01T09:00:00Z,2026-11-08T09:00:00Z,,closed,10000,10000,100000,false,0\n"))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Clock: c.clock,
		Getenv: func(k string) string { return c.env[k] }}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"discord", "run"}) }()
	wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
	defer wcancel()
	if err := fake.WaitReady(wctx); err != nil {
		t.Fatalf("not connected: %v\n%s", err, errb.String())
	}
	if names := len(fake.Commands("900")); names != 8 {
		t.Fatalf("%d commands registered", names)
	}
	i := fake.Command("refund", discordtest.WithUser("111", "rani"), discordtest.InGuild("900", "903"),
		discordtest.StringOpt("account", "@rani"), discordtest.StringOpt("order", "7301000000000000001"),
		discordtest.StringOpt("reason", "wrong_video"))
	if err := fake.SendInteraction(i); err != nil {
		t.Fatal(err)
	}
	cb, err := fake.WaitCallback(wctx, i.ID)
	if err != nil || !strings.Contains(cb.Response.Data.Content, "RD-1") {
		t.Fatalf("answer: %+v %v", cb.Response, err)
	}
	for len(fake.Messages("902")) == 0 {
		select {
		case <-wctx.Done():
			t.Fatalf("no card posted\n%s", errb.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("discord run did not stop")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if out := c.ok("tickets", "show", "RD-1"); !strings.Contains(out, "discord:111") {
		t.Fatalf("ticket: %s", out)
	}
}
