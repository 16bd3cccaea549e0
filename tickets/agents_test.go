package tickets_test

import (
	"errors"
	"sync"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// directory is an AgentDirectory the test changes while the desk runs.
type directory struct {
	mu     sync.Mutex
	agents map[string]bool // name → may act
	err    error
	asked  []string
}

func (d *directory) IsAgent(name string) (bool, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked = append(d.asked, name)
	return d.agents[name], d.err
}

func (d *directory) set(name string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.agents[name] = ok
}

// An agent the directory knows (the console's) acts beside the configured
// ones, from the moment it is added until it is disabled; a configured agent
// is never asked about, and a directory that fails refuses with its error.
func TestAgentDirectory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		dir := &directory{agents: map[string]bool{}}
		f := newSvcFixture(t, dialect, tickets.Options{Agents: []string{"ayu"}, Directory: dir})
		ref := f.open(svcOrderA)
		note := func(actor string) error {
			_, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: actor, Action: tickets.ActionNote, Text: "x"})
			return err
		}
		if err := note("dewi"); !errors.Is(err, tickets.ErrForbidden) {
			t.Fatalf("dewi before she is an agent: %v, want ErrForbidden", err)
		}
		dir.set("dewi", true)
		if err := note("dewi"); err != nil {
			t.Fatalf("dewi, in the directory: %v", err)
		}
		if err := f.svc.Desk.CheckAgent("dewi"); err != nil {
			t.Fatalf("CheckAgent(dewi): %v", err)
		}
		dir.set("dewi", false) // disabled
		if err := note("dewi"); !errors.Is(err, tickets.ErrForbidden) {
			t.Fatalf("dewi disabled: %v, want ErrForbidden", err)
		}
		dir.mu.Lock()
		dir.asked = nil
		dir.err = errors.New("store down")
		dir.mu.Unlock()
		if err := note("ayu"); err != nil {
			t.Fatalf("ayu, configured: %v", err)
		}
		if err := note("dewi"); err == nil || errors.Is(err, tickets.ErrForbidden) || !errors.Is(err, dir.err) {
			t.Fatalf("dewi with the directory failing: %v, want its error", err)
		}
		if len(dir.asked) != 1 || dir.asked[0] != "dewi" {
			t.Fatalf("the directory was asked about %v, want only dewi", dir.asked)
		}
	})
}

// With no configured list any name acts, and the directory is not asked.
func TestAgentDirectoryWithoutList(t *testing.T) {
	dir := &directory{agents: map[string]bool{}}
	f := newSvcFixture(t, "sqlite", tickets.Options{Directory: dir})
	ref := f.open(svcOrderA)
	if _, err := f.svc.Desk.Act(f.ctx, tickets.ActionRequest{Ref: ref, Actor: "anyone", Action: tickets.ActionNote, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	if len(dir.asked) != 0 {
		t.Fatalf("asked about %v", dir.asked)
	}
}
