package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// The forms carry the ticket's version, and the desk checks it in the
// action's own transaction: two agents who send a form from the same page
// at the same moment are not both done; one is, the other sees the ticket
// as it is now (409), on both stores.
func TestSameVersionAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, dialect string) {
		f, ayu := actFixture(t, dialect)
		f.addAgent("budi", ayuPW, "en")
		budi := f.browser()
		budi.mustSignIn("budi", ayuPW)
		ref := f.request("7301000000000000033", "@citra", "Citra", "en")
		for round := range 3 {
			before := f.detail(ref)
			forms := []url.Values{ayu.form(ref, "text", "ayu's note"), budi.form(ref, "text", "budi's note")}
			if forms[0].Get("version") != forms[1].Get("version") {
				t.Fatalf("two pages of the same ticket carry versions %s and %s", forms[0].Get("version"), forms[1].Get("version"))
			}
			statuses := make([]int, 2)
			bodies := make([]string, 2)
			done := make(chan struct{})
			for i, b := range []*browser{ayu, budi} {
				req, err := http.NewRequest(http.MethodPost, f.ts.URL+"/tickets/"+ref+"/act/note", strings.NewReader(forms[i].Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				go func() {
					defer func() { done <- struct{}{} }()
					res, err := b.c.Do(req)
					if err != nil {
						bodies[i] = err.Error()
						return
					}
					defer res.Body.Close()
					body, _ := io.ReadAll(res.Body)
					statuses[i], bodies[i] = res.StatusCode, string(body)
				}()
			}
			<-done
			<-done
			won, refused := 0, 0
			for i, st := range statuses {
				switch {
				case st == http.StatusSeeOther:
					won++
				case st == http.StatusConflict && strings.Contains(bodies[i], `id="changed-meanwhile"`):
					refused++
				default:
					t.Fatalf("round %d, agent %d: %d %s", round, i, st, bodies[i])
				}
			}
			after := f.detail(ref)
			if won != 1 || refused != 1 || len(after.Messages) != len(before.Messages)+1 || after.Version != before.Version+1 {
				t.Fatalf("round %d: %d done, %d refused, %d messages (were %d), version %d (was %d)",
					round, won, refused, len(after.Messages), len(before.Messages), after.Version, before.Version)
			}
		}
		// What the page says when the desk refuses: the console's own words.
		stale := ayu.form(ref, "text", "late")
		f.act(ref, "budi", tickets.ActionNote, "landed between the page and the form")
		ayu.post("/tickets/"+ref+"/act/note", stale).want(t, http.StatusConflict, `id="changed-meanwhile"`,
			"Someone else changed this ticket", "landed between the page and the form")
	})
}
