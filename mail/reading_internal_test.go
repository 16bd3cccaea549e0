package mail

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
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
