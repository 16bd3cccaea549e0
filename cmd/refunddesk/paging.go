package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"refunddesk/tickets"
)

// jsonLines writes one JSON value a line (JSON Lines), for lists a script
// reads through to the end however long they are.
type jsonLines struct{ enc *json.Encoder }

func newJSONLines(w io.Writer) jsonLines {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return jsonLines{enc: enc}
}

func (j jsonLines) write(v any) error { return j.enc.Encode(v) }

// printMore tells, on standard error, how to get the next page; standard
// output stays the page alone (a JSON array with --json).
func (m *Main) printMore(next string) {
	if next != "" {
		fmt.Fprintf(m.Stderr, "more: add --after %s\n", next)
	}
}

// streamTickets writes every ticket a query matches, one JSON object a line,
// page by page through the store's cursor (from after, when given).
func (m *Main) streamTickets(ctx context.Context, svc *tickets.Service, query, agent string, pageSize int, after string) error {
	out := newJSONLines(m.Stdout)
	cat, err := m.words()
	if err != nil {
		return err
	}
	for {
		res, err := svc.Records.Search(ctx, query, agent, pageSize, after)
		if err != nil {
			return err
		}
		cat.Explain(res.Tickets)
		for i := range res.Tickets {
			if err := out.write(&res.Tickets[i]); err != nil {
				return err
			}
		}
		if res.Next == "" {
			return nil
		}
		after = res.Next
	}
}

// outboxCursor reads outbox list's --after: the id the previous page ended at.
func outboxCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, tickets.Invalidf("after", "%q is not a cursor of outbox list (the id it printed)", s)
	}
	return id, nil
}

// streamOutbox writes every outbox item the filter selects, one JSON object
// a line, newest first, page by page.
func (m *Main) streamOutbox(ctx context.Context, svc *tickets.Service, f tickets.OutboxFilter) error {
	out := newJSONLines(m.Stdout)
	cat, err := m.words()
	if err != nil {
		return err
	}
	f.Limit = tickets.MaxPageSize
	for {
		items, err := svc.Delivery.Outbox(ctx, f)
		if err != nil {
			return err
		}
		cat.Explain(items)
		for i := range items {
			if err := out.write(&items[i]); err != nil {
				return err
			}
		}
		if len(items) < f.Limit {
			return nil
		}
		f.Before = items[len(items)-1].ID
	}
}
