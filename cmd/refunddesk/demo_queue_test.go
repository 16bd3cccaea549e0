package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"refunddesk/tickets"
)

// The demo starts with a queue: sample tickets over the last two weeks, of
// both kinds, every channel, both languages, some with a screenshot, some
// approved and paid, denied, reopened, answered in time and late, so the
// dashboard shows something; a second start files none.
func TestDemoQueue(t *testing.T) {
	c := newCLI(t, "sqlite")
	var out bytes.Buffer
	m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &out, Clock: c.clock, Getenv: func(k string) string { return c.env[k] }}
	defer m.Close()
	ctx := context.Background()
	svc, err := m.service(ctx)
	if err != nil {
		t.Fatal(err)
	}
	picks, opt, err := m.demoRecords(ctx, svc, 2000)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.fillDemoQueue(ctx, svc, 2000, demoQueueSize, opt, picks); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "40 filed") {
		t.Fatalf("first start:\n%s", out.String())
	}
	out.Reset()
	if err := m.fillDemoQueue(ctx, svc, 2000, demoQueueSize, opt, picks); err != nil || !strings.Contains(out.String(), " 0 filed") {
		t.Fatalf("second start: %v\n%s", err, out.String())
	}
	st, err := svc.Records.PeriodStats(ctx, tickets.StatsQuery{})
	if err != nil {
		t.Fatal(err)
	}
	paid := 0
	for _, r := range st.Refunds {
		paid += r.Paid
	}
	if st.Tickets != 40 || st.ByKind[tickets.KindRevocation] == 0 || len(st.ByChannel) != 3 || paid == 0 ||
		st.FirstResponse.Kept == 0 || st.FirstResponse.Missed == 0 || st.Decisions.Decided == 0 || st.Reopens.Reopened == 0 {
		t.Errorf("the dashboard would show little: %+v", st)
	}
	days := 0
	for _, d := range st.Days {
		if d.Total > 0 {
			days++
		}
	}
	res, err := svc.Records.Search(ctx, "language:id", "", 100, "")
	if err != nil {
		t.Fatal(err)
	}
	withShot := 0
	all, _ := svc.Records.Search(ctx, "", "", 100, "")
	for _, tk := range all.Tickets {
		if len(tk.Evidence) > 0 {
			withShot++
		}
	}
	if days < 10 || len(res.Tickets) == 0 || len(res.Tickets) == 40 || withShot == 0 {
		t.Errorf("%d days with tickets, %d in Indonesian, %d with a screenshot", days, len(res.Tickets), withShot)
	}
}
