package templates_test

import (
	"slices"
	"strings"
	"testing"

	"refunddesk/mail"
	"refunddesk/templates"
	"refunddesk/tickets"
)

// Every code a mail may be set aside for (tickets.SetAsideCodes), every
// sign of automatic mail (mail.AutoCodes) and every problem of an
// unreadable mail (mail.UnreadableCodes) has words in every language of
// the catalog, and each is written with its values, none left out (issue 14).
func TestSetAsideCodesInEveryLanguage(t *testing.T) {
	cat, err := templates.NewCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range tickets.SetAsideCodes {
		ids = append(ids, "web.set_aside."+c)
	}
	for _, c := range mail.AutoCodes {
		ids = append(ids, "web.set_aside.automatic."+c)
	}
	for _, c := range mail.UnreadableCodes {
		ids = append(ids, "web.set_aside.unreadable."+c)
	}
	langs := cat.Languages()
	if len(langs) < 2 {
		t.Fatalf("languages %v", langs)
	}
	for _, lang := range langs {
		have := cat.IDs(lang)
		for _, id := range ids {
			if !slices.Contains(have, id) {
				t.Errorf("%s has no words for %s", lang, id)
			}
		}
	}
	// Each written in each language, with the values it names.
	values := tickets.Params{"Type": "vnd-report", "Header": "X-Sample-Header", "Value": "sample-value", "Address": "robot@sample.example",
		"Subject": "Sample subject", "Recipients": "gone@sample.example", "Ticket": "RD-77"}
	var samples []tickets.SetAsideReason
	for _, c := range mail.AutoCodes {
		p := tickets.Params{"Why": c}
		for k, v := range values {
			p[k] = v
		}
		samples = append(samples, tickets.SetAsideReason{Code: tickets.SetAsideAutomatic, Params: p, Words: "english " + c})
	}
	for _, c := range mail.UnreadableCodes {
		samples = append(samples, tickets.SetAsideReason{Code: tickets.SetAsideUnreadable, Params: tickets.Params{"Problem": c}, Words: "english " + c})
	}
	samples = append(samples,
		tickets.SetAsideReason{Code: tickets.SetAsideTooBig, Params: tickets.Params{"Size": tickets.Bytes(3 << 20), "Max": tickets.Bytes(1 << 20)}, Words: "english"},
		tickets.SetAsideReason{Code: tickets.SetAsideUnreadable, Params: tickets.Params{"Error": "parser words"}, Words: "english"},
		tickets.SetAsideReason{Code: tickets.SetAsideNoSender, Words: "english"},
		tickets.SetAsideReason{Code: tickets.SetAsideNotTaken, Words: "english",
			Problems: []*tickets.ValidationError{{Field: "email", Code: "email.invalid", Params: tickets.Params{"Value": "a@@b.example"}}}},
		tickets.SetAsideReason{Code: tickets.SetAsideRateLimited, Words: "english"})
	for _, lang := range langs {
		for _, r := range samples {
			got := cat.SetAside(lang, r)
			if got == r.Words || got == "" || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") {
				t.Errorf("%s %s %v: %q", lang, r.Code, r.Params["Why"], got)
			}
			if r.Code != tickets.SetAsideAutomatic {
				continue
			}
			// The values the sign's English names (mail.AutoSign.String) are named in every language.
			english := mail.AutoSign{Code: r.Params["Why"].(string), Params: r.Params}.String()
			for k, v := range values {
				if strings.Contains(english, v.(string)) && !strings.Contains(got, v.(string)) {
					t.Errorf("%s %s %s: %q leaves out %s", lang, r.Code, r.Params["Why"], got, k)
				}
			}
		}
	}
}
