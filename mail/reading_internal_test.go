package mail

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"refunddesk/internal/storetest"
	"refunddesk/tickets"
)

// The intake reads what a mail asks for when it parses it, ahead of the
// batch's transaction, and looks only its order numbers up in there: what
// it takes in is what Understand makes of the mail, for every mail of the
// corpora, and a reading resolved again gives the same request.
func TestReadingAheadIsUnderstand(t *testing.T) {
	ctx := context.Background()
	for _, dir := range []string{"testdata/corpus", "testdata/heldout", "testdata/heldout2"} {
		svc := tickets.NewService(storetest.Open(t, "sqlite", nil), tickets.Options{})
		recs, err := os.Open(dir + "/records.csv")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Records.ImportPromotions(ctx, recs, tickets.ImportOptions{File: "records.csv"}); err != nil {
			t.Fatal(err)
		}
		recs.Close()
		in := NewIntake(svc, IntakeConfig{Address: "support@refunddesk.example"}, nil)
		files, _ := filepath.Glob(dir + "/*.eml")
		read := 0
		for _, file := range files {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m, err := in.Parse(ctx, raw)
			if err != nil {
				t.Fatal(err)
			}
			plain, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			want := Understand(ctx, plain, svc.Records, "refunddesk.example")
			if m.reading == nil {
				if m.Bounce == nil && m.Auto == "" {
					t.Errorf("%s: not read ahead", file)
				}
				continue
			}
			read++
			if m.reading.domain != "refunddesk.example" {
				t.Errorf("%s: read for %q", file, m.reading.domain)
			}
			for range 2 {
				if got := m.reading.resolve(ctx, svc.Records); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: read ahead\n%+v\nUnderstand\n%+v", file, got, want)
				}
			}
		}
		if read < 20 {
			t.Errorf("%s: only %d mails read ahead", dir, read)
		}
	}
}

// A range of counts that starts within the few words read after an
// estimate's cue and runs past them ("perkiraan jangkauan yang tertera
// saat pembayaran adalah 25.000 – 50.000 orang", heldout21 001) was read
// past the end of that window and crashed the reading: at every distance
// from the cue, the reading ends and finds the shortfall.
func TestEstimateRangeAtTheWindowsEdge(t *testing.T) {
	for _, cue := range []string{"perkiraan jangkauan", "estimasi penayangan", "estimated reach", "the estimate said"} {
		for k := 0; k < 60; k++ {
			text := cue + " " + strings.Repeat("a", k) + " 25.000 – 50.000 orang. hasilnya cuma 900 orang, mohon refund."
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("%q: %v", text, r)
					}
				}()
				reasonOf(text, 1)
			}()
		}
	}
	text := "perkiraan jangkauan yang tertulis di layar saat saya bayar 25.000 – 50.000 orang. hasilnya cuma 900 orang, mohon refund."
	if r := reasonOf(text, 1); r != tickets.ReasonUnderDelivery {
		t.Fatalf("%q: %q, want under_delivery", text, r)
	}
}
