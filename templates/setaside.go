package templates

import (
	"strings"

	"refunddesk/tickets"
)

// SetAside writes why an inbound item was set aside in a language
// (web.set_aside.<code>): its sizes in the language's units, a mail that
// cannot be read by its problem's words (web.set_aside.unreadable.<Problem>)
// else its parser's, the domain's refusals as every validation error is
// written, a mail taken for automatic mail by its sign
// (web.set_aside.automatic.<Why>). A reason from before codes, or with a
// code or sign the catalog does not name, is shown as it was recorded.
func (c *Catalog) SetAside(lang string, r tickets.SetAsideReason) string {
	if r.Code == "" || !c.ids[FallbackLanguage]["web.set_aside."+r.Code] {
		return r.Words
	}
	str := func(k string) string { s, _ := r.Params[k].(string); return s }
	size := func(k string) string {
		switch v := r.Params[k].(type) {
		case tickets.Bytes:
			return c.Bytes(int64(v), lang)
		case int64:
			return c.Bytes(v, lang)
		}
		return "?"
	}
	id := "web.set_aside." + r.Code
	switch r.Code {
	case tickets.SetAsideTooBig:
		return c.Text(lang, id, "Size", size("Size"), "Max", size("Max"))
	case tickets.SetAsideUnreadable:
		why := str("Error")
		if p := str("Problem"); p != "" {
			if !c.ids[FallbackLanguage][id+"."+p] {
				return r.Words
			}
			why = c.Text(lang, id+"."+p)
		}
		return c.Text(lang, id, "Why", why)
	case tickets.SetAsideNotTaken:
		if len(r.Problems) == 0 {
			return r.Words
		}
		parts := make([]string, len(r.Problems))
		for i, e := range r.Problems {
			parts[i] = c.ValidationText(lang, e)
		}
		return c.Text(lang, id, "Why", strings.Join(parts, "; "))
	case tickets.SetAsideAutomatic:
		sign := id + "." + str("Why")
		if str("Why") == "" || !c.ids[FallbackLanguage][sign] {
			return r.Words
		}
		kv := make([]any, 0, 2*len(r.Params))
		for k, v := range r.Params {
			kv = append(kv, k, v)
		}
		return c.Text(lang, id, "Why", c.Text(lang, sign, kv...))
	}
	return c.Text(lang, id)
}
