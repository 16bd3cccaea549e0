package mail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/mail"
	"refunddesk/tickets"
)

// scoreFields are the fields TestCorpusScore counts, in the order it
// prints them. An automatic mail counts for auto_reply and thread_ref only
// (nothing else of it is read); "sources" counts once per field a case's
// want names a source for.
var scoreFields = []string{"auto_reply", "kind", "account", "order", "reason", "language", "thread_ref", "sources"}

// tally counts the right answers of a field.
type tally struct{ right, all int }

func (t *tally) add(ok bool) {
	t.all++
	if ok {
		t.right++
	}
}

func (t tally) String() string {
	if t.all == 0 {
		return "-"
	}
	return fmt.Sprintf("%5.1f%% (%d/%d)", 100*float64(t.right)/float64(t.all), t.right, t.all)
}

// corpusScore reads every mail of dir and counts, per language of the
// want (id, en, or "-" for an automatic mail without one) and per field,
// how many the desk understood right. misses names the wrong ones.
func corpusScore(t *testing.T, dir string) (score map[string]map[string]*tally, misses []string) {
	ctx := context.Background()
	svc := tickets.NewService(storetest.Open(t, "sqlite", nil), tickets.Options{})
	recs, err := os.Open(dir + "/records.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer recs.Close()
	if _, err := svc.Records.ImportPromotions(ctx, recs, tickets.ImportOptions{File: "records.csv"}); err != nil {
		t.Fatal(err)
	}
	score = map[string]map[string]*tally{}
	count := func(lang, field string, ok bool, name, got, want string) {
		for _, l := range []string{lang, "all"} {
			if score[l] == nil {
				score[l] = map[string]*tally{}
				for _, f := range scoreFields {
					score[l][f] = &tally{}
				}
			}
			score[l][field].add(ok)
		}
		if !ok {
			misses = append(misses, fmt.Sprintf("%s %s: got %q, want %q", name, field, got, want))
		}
	}
	files, _ := filepath.Glob(dir + "/*.eml")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		wb, err := os.ReadFile(strings.TrimSuffix(file, ".eml") + ".want.json")
		if err != nil {
			t.Fatal(err)
		}
		var w want
		if err := json.Unmarshal(wb, &w); err != nil {
			t.Fatal(err)
		}
		m, err := mail.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		got := mail.Understand(ctx, m, svc.Records, "refunddesk.example")
		lang := w.Language
		if lang == "" {
			lang = "-"
		}
		auto := m.Auto != ""
		count(lang, "auto_reply", auto == w.AutoReply, name, fmt.Sprint(auto), fmt.Sprint(w.AutoReply))
		count(lang, "thread_ref", got.ThreadRef == w.ThreadRef, name, got.ThreadRef, w.ThreadRef)
		if w.AutoReply {
			continue
		}
		kind := ""
		if got.KindStated && !auto {
			kind = string(got.Kind)
		}
		gotField := map[string]string{"kind": kind, "account": got.Account, "order": got.Order, "reason": string(got.Reason), "language": got.Language}
		if auto {
			gotField = map[string]string{"language": got.Language}
		}
		wantField := map[string]string{"kind": w.Kind, "account": w.Account, "order": w.Order, "reason": w.Reason, "language": w.Language}
		for _, f := range []string{"kind", "account", "order", "reason", "language"} {
			count(lang, f, gotField[f] == wantField[f], name, gotField[f], wantField[f])
		}
		if w.Sources != nil {
			for _, f := range []string{"account", "order", "reason", "kind"} {
				g, ws := "", w.Sources[f]
				if !auto {
					g = string(got.Sources[f])
				}
				if ws == "" && g == "" {
					continue // neither the mail nor the want has the field
				}
				count(lang, "sources", g == ws, name, f+"="+g, f+"="+ws)
			}
		}
	}
	return score, misses
}

// corpusFloors are the fields (sources left aside) and sources a corpus
// must keep reading right; whoever fixes a miss raises its floor.
var corpusFloors = map[string]struct{ fields, sources int }{
	"heldout5":  {310, 149},
	"heldout6":  {320, 154},
	"heldout7":  {315, 150}, // blind: 290/315 when written, 296 after heldout5/6 were fitted, 315 (every field) fitted
	"heldout8":  {255, 126}, // blind at 0fd6a2b: 244/118 after heldout4 to heldout7 were fitted; 251/124 with its kind and reason misses fitted; 255/126 (every field) with its automatic-reply and account misses too
	"heldout9":  {255, 124}, // blind at 197946a: 243/116 after heldout4 to heldout8 were fitted; 255/124 (every field) with its reason, kind and automatic-reply misses fitted
	"heldout10": {255, 121}, // blind at f8ed7c2: 244/117 after heldout4 to heldout9 were fitted; 255/121 (every field) fitted
	"heldout11": {255, 123}, // blind at 9e22c11: 235/111 (heldout10 partly fitted); 236/112 at 2e7d1ad (heldout10 fitted); 255/123 (every field) fitted
	"heldout12": {253, 121}, // 253/121 at b8fc2f3 and after the audience/plans/regional-rejection fit; 252/120 after the reason fit (022, 034 changed_mind; 028 wrong_video); 249/120 after the account fit (phrases without @, sign-offs without a closing word); blind at 0f5d707 (heldout10 fitted) and again after heldout11 was fitted (a8afc8d): 230/109 both times; the rules not fitted to it; 242 with the reading model trained without it, 243/114 with the model trained on it too
	"heldout13": {254, 121}, // 254/121 at b8fc2f3 and after the audience/plans/regional-rejection fit; 253/120 after the reason fit (007 changed_mind); 252/120 after the account fit; blind at 2c54e92 (rules fitted to heldout4-11): 243/255; 251 with the reading model trained without heldout13 and 14; the rules not fitted to it; 251/117 with the model trained on it too
	"heldout14": {255, 118}, // 255/118 after the audience fit (014 other: shown to another age group or gender than chosen); 253/117 after the reason fit (007 changed_mind); 252/117 after the account fit (028's source); blind at 2c54e92: 237/255; 245 with the reading model trained without heldout13 and 14; the rules not fitted to it; 252/116 with the model trained on it too
	"heldout15": {253, 117}, // 253/117 at b8fc2f3, kept after the audience/plans/regional-rejection fit (022 read other by the rules before and after); blind at 61909fe (rules fitted to heldout4-11): 241/255 rules alone, 250 with the reading model trained without heldout15 and 16; at 6a619c2 (rules fitted to heldout12-14 too) 251; the rules not fitted to it; 252/116 with the model trained on it too
	"heldout16": {252, 115}, // 252/115 after the fit of 007 (changed_mind: the shop renovated, "tidak usah lagi"), 009 (other: shown to 13-17s), 023 (rejected: turned down for a cause) and 002 by the rules (regional "tra lolos"); 249 at b8fc2f3; blind at 61909fe: 235/255 rules alone, 243 with the reading model trained without heldout15 and 16; 243 again at 6a619c2; 246/112 with the model trained on it too
	"heldout17": {255, 117}, // 255/117 (every field) after the rules were fitted to its reason and kind misses: stops for what a product claims (010, 023), an objective changed or a banner never added (009, 022), regional "twice" and "oneself" (003, 004), a revocation by "make them stop" (036); 250/115 after the account/order/automatic fit (003: of two twins, the one called the extra charge); blind at d83a85d (rules fitted to heldout4-16): 234/255 rules alone, 245 with the reading model trained without heldout17 and 18 (at 61909fe, before the rules were fitted to heldout12-16: 241); the rules not fitted to it; 249/115 with the model trained on it too
	"heldout18": {255, 121}, // 255/121 (every field) after the account/order/automatic fit (024: a handle ending in "png"; 037 automatic by the rules), kept after the reason fit (016 what turned out to run in a reply, 021 creole "noh want it again", 034 followers run instead of website visits: read by the rules now, by the model before); blind at d83a85d: 245/255 rules alone, 249 with the reading model trained without heldout17 and 18 (248 at 61909fe); 254/120 with the model trained on it too
	"heldout19": {248, 115}, // blind at 1ef249f (rules fitted to heldout4-16) and again at b078ba8 (to heldout4-18): 242/255 rules alone, 247 with the reading model trained without heldout19 and 20; the rules not fitted to it; 248/115 with the model trained on it too
	"heldout20": {251, 119}, // blind at 1ef249f and b078ba8: 239/255 rules alone, 249 with the reading model trained without heldout19 and 20; 251/119 with the model trained on it too
	"heldout21": {256, 121}, // blind at 4915c5a, the state this stop ends in (rules fitted to heldout4-18, the reading model trained on heldout1-20): 246/260 rules alone, 252 with the model; 256/121 with the model trained on it too
	"heldout22": {251, 119}, // blind at 4915c5a: 241/255 rules alone, 248 with the model; 251/119 with the model trained on it too
}

// TestCorpusScore prints, for each corpus, the share of fields understood
// right per language and per field ("go test ./mail -run TestCorpusScore
// -v"), and the fields missed. It fails when the fields of the harder corpus
// (sources left aside) score under 97%, or heldout3 or heldout4 under its floor.
func TestCorpusScore(t *testing.T) {
	if mail.RaceEnabled {
		t.Skip("pure computation over every corpus: make test runs it without -race")
	}
	for _, dir := range []string{"corpus", "heldout", "heldout2", "harder", "heldout3", "heldout4", "heldout5", "heldout6", "heldout7", "heldout8", "heldout9", "heldout10", "heldout11", "heldout12", "heldout13", "heldout14", "heldout15", "heldout16", "heldout17", "heldout18", "heldout19", "heldout20", "heldout21", "heldout22"} {
		score, misses := corpusScore(t, "testdata/"+dir)
		var b strings.Builder
		fmt.Fprintf(&b, "%s:\n%-10s", dir, "")
		langs := make([]string, 0, len(score))
		for l := range score {
			langs = append(langs, l)
		}
		slices.Sort(langs)
		for _, l := range langs {
			fmt.Fprintf(&b, " %20s", l)
		}
		b.WriteString("\n")
		for _, f := range scoreFields {
			fmt.Fprintf(&b, "%-10s", f)
			for _, l := range langs {
				fmt.Fprintf(&b, " %20s", score[l][f])
			}
			b.WriteString("\n")
		}
		var fields tally
		for _, f := range scoreFields {
			if f != "sources" {
				fields.right += score["all"][f].right
				fields.all += score["all"][f].all
			}
		}
		fmt.Fprintf(&b, "fields (without sources): %s\n", fields)
		for _, m := range misses {
			fmt.Fprintf(&b, "  missed: %s\n", m)
		}
		t.Log(b.String())
		if dir == "harder" && fields.right*100 < fields.all*97 {
			t.Errorf("the harder corpus scores %s of its fields, under 97%%", fields)
		}
		// heldout3 scored 233/250 fields and 110/120 sources when it was
		// written; since its misses were fixed it holds every field (250)
		// and every source (119 counted now).
		if dir == "heldout3" && (fields.right < 250 || score["all"]["sources"].right < 119) {
			t.Errorf("heldout3 scores %s of its fields and %s of its sources, under the floor of 250 and 119", fields, score["all"]["sources"])
		}
		// heldout4 scored 230/250 fields and 108/120 sources when it was
		// written, blind; since its misses were fixed (issue 16) it holds
		// every field and every source. It is fitted now, no longer a blind
		// estimate.
		if dir == "heldout4" && (fields.right < 250 || score["all"]["sources"].right < 120) {
			t.Errorf("heldout4 scores %s of its fields and %s of its sources, under the floor of 250 and 120", fields, score["all"]["sources"])
		}
		// heldout5 and heldout6 were written blind and scored 274/310 and
		// 283/320 fields (125/151 and 124/154 sources) when first read; the
		// floors are what they read now.
		if floor, ok := corpusFloors[dir]; ok && (fields.right < floor.fields || score["all"]["sources"].right < floor.sources) {
			t.Errorf("%s scores %s of its fields and %s of its sources, under the floor of %d and %d", dir, fields, score["all"]["sources"], floor.fields, floor.sources)
		}
	}
}

// BenchmarkUnderstandEveryCorpus reads every mail of the corpora (corpus,
// heldout, heldout2, harder) as the intake does and understands it without
// looking orders up: the cost of reading the words (forwards, signatures,
// intent, accounts) beside the parse.
func BenchmarkUnderstandEveryCorpus(b *testing.B) {
	var mails [][]byte
	for _, dir := range []string{"corpus", "heldout", "heldout2", "harder"} {
		files, _ := filepath.Glob("testdata/" + dir + "/*.eml")
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				b.Fatal(err)
			}
			mails = append(mails, raw)
		}
	}
	ctx := context.Background()
	b.ResetTimer()
	for range b.N {
		for _, raw := range mails {
			m, err := mail.Parse(raw)
			if err != nil {
				b.Fatal(err)
			}
			mail.Understand(ctx, m, nil, "refunddesk.example")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(mails)), "µs/mail")
}
