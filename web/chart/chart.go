// Package chart draws the dashboard's charts as SVG, on the server: bars
// stacked per category (tickets per day by channel), and horizontal bars
// for a mix (verdicts, refunds by reason). No script, no network, no style
// attribute: shapes and text with presentation attributes only, so a
// strict Content-Security-Policy holds.
//
// Every chart is an image with a title and a description for screen
// readers (role="img", aria-labelledby), and its numbers are text beside
// the bars; the page shows the same figures in a table. Every label is
// written through encoding/xml, so whatever a label holds comes out as
// text, and the output is well-formed XML.
package chart

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
)

// Palette is the fill of each series, in order (Okabe and Ito's colours,
// told apart by people with colour blindness); series beyond it wrap.
var Palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}

// Series is one layer of a stacked chart: a value per category.
type Series struct {
	Name   string
	Values []int64
}

// Stacked is a bar per category (a day), its series stacked.
type Stacked struct {
	ID     string // unique in the page: the ids of the title and description derive from it
	Title  string
	Desc   string   // what the chart shows, in a sentence
	Labels []string // the categories, along the x axis
	Series []Series
	XLabel string // the axes' names
	YLabel string
	Empty  string // said instead of bars when there is nothing to show
	// Format writes the y axis' numbers (nil: digits alone).
	Format func(int64) string
}

// Bar is one bar of a Horizontal chart.
type Bar struct {
	Label string
	Value int64
	Text  string // the value as shown beside the bar ("" : Format(Value))
}

// Horizontal is a bar per item, along a shared scale: a mix.
type Horizontal struct {
	ID     string
	Title  string
	Desc   string
	Bars   []Bar
	Empty  string
	Format func(int64) string
}

// Geometry, in the SVG's own units (it scales with its viewBox).
const (
	width      = 720
	stackedH   = 280
	marginL    = 56
	marginR    = 12
	marginT    = 36 // the legend
	marginB    = 48 // the x labels and the axis' name
	rowH       = 24
	hLabelW    = 200
	hValueW    = 120
	maxXLabels = 12
)

// svg writes the elements of one chart.
type svg struct {
	enc *xml.Encoder
	buf bytes.Buffer
	err error
}

func newSVG(id, title, desc string, height int) *svg {
	s := &svg{}
	s.enc = xml.NewEncoder(&s.buf)
	s.start("svg", "xmlns", "http://www.w3.org/2000/svg", "viewBox", "0 0 "+itoa(width)+" "+itoa(height),
		"width", itoa(width), "height", itoa(height), "role", "img", "aria-labelledby", id+"-title "+id+"-desc",
		"font-family", "system-ui, sans-serif", "font-size", "12", "class", "chart")
	s.element("title", title, "id", id+"-title")
	s.element("desc", desc, "id", id+"-desc")
	return s
}

func attrs(kv []string) []xml.Attr {
	a := make([]xml.Attr, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		a = append(a, xml.Attr{Name: xml.Name{Local: kv[i]}, Value: kv[i+1]})
	}
	return a
}

func (s *svg) token(t xml.Token) {
	if s.err == nil {
		s.err = s.enc.EncodeToken(t)
	}
}

func (s *svg) start(name string, kv ...string) {
	s.token(xml.StartElement{Name: xml.Name{Local: name}, Attr: attrs(kv)})
}

func (s *svg) end(name string) { s.token(xml.EndElement{Name: xml.Name{Local: name}}) }

// element writes <name kv…>text</name>.
func (s *svg) element(name, text string, kv ...string) {
	s.start(name, kv...)
	if text != "" {
		s.token(xml.CharData(text))
	}
	s.end(name)
}

func (s *svg) text(x, y float64, anchor, text string, kv ...string) {
	s.element("text", text, append([]string{"x", num(x), "y", num(y), "text-anchor", anchor}, kv...)...)
}

func (s *svg) line(x1, y1, x2, y2 float64, stroke string) {
	s.element("line", "", "x1", num(x1), "y1", num(y1), "x2", num(x2), "y2", num(y2), "stroke", stroke)
}

// rect is a bar with its figure as a tooltip.
func (s *svg) rect(x, y, w, h float64, fill, tip string) {
	s.start("rect", "x", num(x), "y", num(y), "width", num(w), "height", num(h), "fill", fill)
	s.element("title", tip)
	s.end("rect")
}

func (s *svg) finish() ([]byte, error) {
	s.end("svg")
	if s.err == nil {
		s.err = s.enc.Flush()
	}
	if s.err != nil {
		return nil, s.err
	}
	return s.buf.Bytes(), nil
}

// num writes a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

func itoa(n int) string { return strconv.Itoa(n) }

func digits(n int64) string { return strconv.FormatInt(n, 10) }

// niceMax rounds max up to a round number of ticks (1, 2 or 5 times a
// power of ten per tick) and returns it with the tick.
func niceMax(max int64) (top, step int64) {
	if max <= 0 {
		return 1, 1
	}
	raw := float64(max) / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step = int64(pow)
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			step = int64(m * pow)
			break
		}
	}
	if step < 1 {
		step = 1
	}
	top = (max + step - 1) / step * step
	return top, step
}

// color is series i's fill.
func color(i int) string { return Palette[i%len(Palette)] }

func orDigits(f func(int64) string) func(int64) string {
	if f == nil {
		return digits
	}
	return f
}

// tip is "label, name: value" for a bar's tooltip.
func tip(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, ", ")
}
