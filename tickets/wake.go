package tickets

import (
	"slices"
	"sync"
)

// A sender in this process hears at once that items of its channel were
// committed to the outbox, instead of at its next look: the core signals
// after every commit that queued (or put back) items. Work written by other
// processes is still found by the sender's periodic look.

// outboxSignals are the subscriptions of one service (and the copies a
// Group makes of it).
type outboxSignals struct {
	mu   sync.Mutex
	subs map[Channel][]chan struct{}
}

func newOutboxSignals() *outboxSignals {
	return &outboxSignals{subs: map[Channel][]chan struct{}{}}
}

func (o *outboxSignals) subscribe(ch Channel) (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	o.mu.Lock()
	o.subs[ch] = append(o.subs[ch], c)
	o.mu.Unlock()
	var once sync.Once
	return c, func() {
		once.Do(func() {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.subs[ch] = slices.DeleteFunc(o.subs[ch], func(x chan struct{}) bool { return x == c })
		})
	}
}

// signal wakes every subscriber of the channels without waiting: a
// subscriber that has a signal pending already gets no second one.
func (o *outboxSignals) signal(chs map[Channel]bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for ch := range chs {
		for _, c := range o.subs[ch] {
			select {
			case c <- struct{}{}:
			default:
			}
		}
	}
}

// groupQueued collects the channels a Group's changes queued items on,
// signalled once the Group has committed.
type groupQueued struct {
	mu  sync.Mutex
	chs map[Channel]bool
}

// OutboxQueued returns a channel that receives a value after each commit of
// this process that queued outbox items of ch (several commits may come as
// one value), and a function that ends the subscription. Items queued in a
// Group are signalled when the Group commits, not before.
func (d *Delivery) OutboxQueued(ch Channel) (<-chan struct{}, func()) {
	return d.signals.subscribe(ch)
}

// wake tells the subscribers that items of these channels were committed;
// inside a Group, once the Group commits.
func (c *core) wake(chs map[Channel]bool) {
	if len(chs) == 0 {
		return
	}
	if g := c.group; g != nil {
		g.mu.Lock()
		for ch := range chs {
			g.chs[ch] = true
		}
		g.mu.Unlock()
		return
	}
	c.signals.signal(chs)
}
