package templates

import "refunddesk/tickets"

// SourceNote says in lang where a ticket's field (tickets.SourceFields)
// came from, for showing beside its value (source.<source>): "taken from
// the order's record", "from the signature". The requester's own words,
// and a field with no source (a ticket filed before sources were kept),
// need no note: "".
func (c *Catalog) SourceNote(t *tickets.Ticket, field, lang string) string {
	src, ok := t.Sources[field]
	if !ok || src == tickets.SourceText || src == "" {
		return ""
	}
	return c.Text(lang, "source."+string(src))
}

// SourceNotes are the notes of every field of t that has one, by field.
func (c *Catalog) SourceNotes(t *tickets.Ticket, lang string) map[string]string {
	out := map[string]string{}
	for _, f := range tickets.SourceFields {
		if n := c.SourceNote(t, f, lang); n != "" {
			out[f] = n
		}
	}
	return out
}
