package chart_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"refunddesk/web/chart"
)

var update = flag.Bool("update", false, "write the golden files in testdata")

type drawer interface{ SVG() ([]byte, error) }

var hostile = `<script>alert("x")</script> & 'quotes' ]]>`

var charts = map[string]drawer{
	"stacked": chart.Stacked{ID: "days", Title: "New tickets per day", Desc: "Tickets created each day, by channel",
		Labels: []string{"1 Nov", "2 Nov", "3 Nov"}, XLabel: "Day", YLabel: "Tickets", Empty: "Nothing",
		Series: []chart.Series{{Name: "email", Values: []int64{3, 0, 7}}, {Name: "discord", Values: []int64{1, 2, 5}}}},
	"stacked_many": chart.Stacked{ID: "many", Title: "Thirty days", Labels: thirty(), XLabel: "Day", YLabel: "Tickets",
		Series: []chart.Series{{Name: "refund", Values: values(30, 40)}, {Name: "revocation", Values: values(30, 3)}}},
	"stacked_empty": chart.Stacked{ID: "none", Title: "New tickets per day", Labels: []string{"1 Nov", "2 Nov"},
		Series: []chart.Series{{Name: "email", Values: []int64{0, 0}}}, Empty: "No tickets in this period"},
	"horizontal": chart.Horizontal{ID: "verdicts", Title: "Verdicts", Desc: "The policy's verdicts",
		Bars: []chart.Bar{{Label: "eligible", Value: 12}, {Label: "ineligible", Value: 3}, {Label: "needs review", Value: 0},
			{Label: "refunds", Value: 150000, Text: "Rp150.000"}}},
	"horizontal_empty": chart.Horizontal{ID: "none", Title: "Verdicts", Empty: "No tickets in this period"},
	"hostile": chart.Stacked{ID: `x"y`, Title: hostile, Desc: hostile, Labels: []string{hostile}, XLabel: hostile, YLabel: hostile,
		Series: []chart.Series{{Name: hostile, Values: []int64{2}}}},
	"hostile_horizontal": chart.Horizontal{ID: "h", Title: hostile, Bars: []chart.Bar{{Label: hostile, Value: 1, Text: hostile}}},
}

func thirty() []string {
	var l []string
	for i := 1; i <= 30; i++ {
		l = append(l, string(rune('A'+i%26))+"-"+strings.Repeat("x", i%3))
	}
	return l
}

func values(n int, mod int64) []int64 {
	v := make([]int64, n)
	for i := range v {
		v[i] = int64(i*7) % mod
	}
	return v
}

// Each chart as it is drawn, byte for byte (go test -update writes them
// again after a deliberate change; look at them in a browser).
func TestGolden(t *testing.T) {
	for name, c := range charts {
		t.Run(name, func(t *testing.T) {
			got, err := c.SVG()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name+".svg")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from what is drawn now (go test -update, then look at it)", path)
			}
		})
	}
}

// Every chart is well-formed XML, an image with its title and description
// named for screen readers; a hostile label is text, never markup.
func TestWellFormedAndEscaped(t *testing.T) {
	for name, c := range charts {
		got, err := c.SVG()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(got))
		var elements []string
		var texts strings.Builder
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: not well-formed: %v", name, err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				elements = append(elements, tok.Name.Local)
			case xml.CharData:
				texts.Write(tok)
			}
		}
		if len(elements) < 3 || elements[0] != "svg" || elements[1] != "title" {
			t.Errorf("%s: starts with %v", name, elements[:min(3, len(elements))])
		}
		for _, e := range elements {
			if e == "script" || e == "foreignObject" {
				t.Errorf("%s: a <%s> element", name, e)
			}
		}
		if !bytes.Contains(got, []byte(`role="img"`)) || !bytes.Contains(got, []byte(`aria-labelledby=`)) {
			t.Errorf("%s: not an image named for screen readers", name)
		}
		if strings.HasPrefix(name, "hostile") {
			if bytes.Contains(got, []byte("<script")) || !strings.Contains(texts.String(), hostile) {
				t.Errorf("%s: the label is not kept as text:\n%s", name, got)
			}
		}
	}
}

// With nothing to show, a chart says so in words instead of drawing bars
// (a bar is a rect with its figure as a title).
func TestEmpty(t *testing.T) {
	for _, name := range []string{"stacked_empty", "horizontal_empty"} {
		got, _ := charts[name].SVG()
		if bytes.Contains(got, []byte("</title></rect>")) || !bytes.Contains(got, []byte("No tickets in this period")) {
			t.Errorf("%s:\n%s", name, got)
		}
	}
}
