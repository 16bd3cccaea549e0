package tickets_test

import (
	"context"
	"errors"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
	"refunddesk/tickets/sqlstore"
)

// A language is matched among those the caller knows, by tag, canonical
// tag or base language; the domain knows none of its own.
func TestMatchLanguage(t *testing.T) {
	known := []string{"en", "id", "pt-BR"}
	for in, want := range map[string]string{
		"en": "en", "EN": "en", " id ": "id", "ID": "id", "in": "id", "id-ID": "id", "id_ID": "id", "en-US": "en", "en-GB": "en",
		"pt-BR": "pt-BR", "pt_br": "pt-BR", "PT-br": "pt-BR", "english": "", "Indonesian": "", "fr": "", "pt-PT": "", "pt": "", "": "", "xx-YY-zz": "", "bahasa": "", "und": "",
	} {
		got, ok := tickets.MatchLanguage(in, known)
		if got != want || ok != (want != "") {
			t.Errorf("MatchLanguage(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if got, ok := tickets.MatchLanguage("en", nil); ok {
		t.Errorf("nothing known, yet %q", got)
	}
	// The tag as the caller writes it comes back, not a canonical one.
	if got, _ := tickets.MatchLanguage("en-xa", []string{"en", "en-XA"}); got != "en-XA" {
		t.Errorf("en-xa: %q", got)
	}
}

// ParseLanguage takes the languages the caller knows (the catalogs'), and
// when it gives none, those DetectLanguage tells apart.
func TestParseLanguage(t *testing.T) {
	for _, c := range []struct {
		in    string
		known []string
		want  string
	}{
		{"", nil, "en"}, {"en", nil, "en"}, {"ID", nil, "id"}, {"in", nil, "id"}, {"Indonesian", nil, "id"}, {"english", nil, "en"},
		{"id-ID", nil, "id"}, {"pt-BR", nil, ""}, {"fr", nil, ""}, {"bahasa", nil, ""}, {"Bahasa Indonesia", nil, "id"}, {"bahasa  indonesia", nil, "id"}, {"bahasa inggris", nil, "en"}, {"Inggris", nil, "en"}, {"bahasa prancis", nil, ""},
		{"pt_br", []string{"en", "id", "pt-BR"}, "pt-BR"}, {"Brazilian Portuguese", []string{"en", "pt-BR"}, "pt-BR"},
		{"en-xa", []string{"en", "en-XA"}, "en-XA"}, {"id", []string{"en", "pt-BR"}, ""},
	} {
		got, err := tickets.ParseLanguage(c.in, c.known)
		var ve *tickets.ValidationError
		switch {
		case c.want != "" && (err != nil || got != c.want):
			t.Errorf("ParseLanguage(%q, %v) = %q, %v; want %q", c.in, c.known, got, err, c.want)
		case c.want == "" && (!errors.As(err, &ve) || ve.Field != "language" || ve.Code != "language.unknown"):
			t.Errorf("ParseLanguage(%q, %v) = %q, %v; want a validation error", c.in, c.known, got, err)
		}
	}
	_, err := tickets.ParseLanguage("fr", []string{"en", "id", "pt-BR"})
	var ve *tickets.ValidationError
	if !errors.As(err, &ve) || ve.Params["Allowed"] != "en, id, pt-BR" {
		t.Errorf("the error does not list the languages: %#v", err)
	}
}

// A desk whose catalogs speak a third language takes requests and edits in
// it; one that does not refuses them.
func TestServiceLanguagesFromTheCaller(t *testing.T) {
	ctx := context.Background()
	req := tickets.SubmitRequest{Kind: tickets.KindRevocation, Channel: tickets.ChannelEmail,
		Requester: tickets.Requester{Email: "a@example.com"}, Account: "@a", Details: "d", Language: "pt-br"}
	svc := tickets.NewService(storetest.Open(t, sqlstore.SQLite, nil), tickets.Options{Languages: []string{"en", "id", "pt-BR"}})
	res, err := svc.Intake.Submit(ctx, req)
	if err != nil || res.Ticket.Language != "pt-BR" {
		t.Fatalf("submit in pt-BR: %v %v", res, err)
	}
	lang := "Indonesian"
	tk, err := svc.Desk.Edit(ctx, res.Ticket.Ref, "ayu", tickets.Fields{Language: &lang})
	if err != nil || tk.Language != "id" {
		t.Fatalf("edit to Indonesian: %v %v", tk, err)
	}
	lang = "PT_BR"
	if tk, err = svc.Desk.Edit(ctx, res.Ticket.Ref, "ayu", tickets.Fields{Language: &lang}); err != nil || tk.Language != "pt-BR" {
		t.Fatalf("edit to pt-BR: %v %v", tk, err)
	}

	plain := tickets.NewService(storetest.Open(t, sqlstore.SQLite, nil), tickets.Options{})
	var ve *tickets.ValidationError
	if _, err := plain.Intake.Submit(ctx, req); !errors.As(err, &ve) || ve.Field != "language" {
		t.Fatalf("pt-BR without the catalog: %v", err)
	}
}
