package chart

// SVG draws the stacked bars: a legend of the series, a y axis with round
// ticks, a bar per category with its series stacked (each part with its
// figure as a tooltip), and the categories' labels, as many as fit.
func (c Stacked) SVG() ([]byte, error) {
	s := newSVG(c.ID, c.Title, c.Desc, stackedH)
	format := orDigits(c.Format)
	totals := make([]int64, len(c.Labels))
	var max int64
	for i := range c.Labels {
		for _, se := range c.Series {
			if i < len(se.Values) && se.Values[i] > 0 {
				totals[i] += se.Values[i]
			}
		}
		max = maxOf(max, totals[i])
	}
	c.legend(s)
	plotW, plotH := float64(width-marginL-marginR), float64(stackedH-marginT-marginB)
	base := float64(stackedH - marginB)
	top, step := niceMax(max)
	for v := int64(0); v <= top; v += step {
		y := base - float64(v)/float64(top)*plotH
		s.line(marginL, y, width-marginR, y, "#dddddd")
		s.text(marginL-6, y+4, "end", format(v))
	}
	s.text(14, marginT+plotH/2, "middle", c.YLabel, "transform", "rotate(-90 14 "+num(marginT+plotH/2)+")")
	s.text(marginL+plotW/2, stackedH-6, "middle", c.XLabel)
	if max == 0 {
		s.text(marginL+plotW/2, marginT+plotH/2, "middle", c.Empty)
		return s.finish()
	}
	band := plotW / float64(len(c.Labels))
	every := (len(c.Labels) + maxXLabels - 1) / maxXLabels
	for i, label := range c.Labels {
		x, y := marginL+float64(i)*band+band*0.1, base
		for j, se := range c.Series {
			if i >= len(se.Values) || se.Values[i] <= 0 {
				continue
			}
			h := float64(se.Values[i]) / float64(top) * plotH
			y -= h
			s.rect(x, y, band*0.8, h, color(j), tip(label, se.Name, format(se.Values[i])))
		}
		if i%every == 0 {
			s.text(x+band*0.4, base+16, "middle", label)
		}
	}
	s.line(marginL, base, width-marginR, base, "#333333")
	return s.finish()
}

// legend names each series beside a square of its colour.
func (c Stacked) legend(s *svg) {
	x := float64(marginL)
	for j, se := range c.Series {
		s.element("rect", "", "x", num(x), "y", "10", "width", "12", "height", "12", "fill", color(j))
		s.text(x+16, 20, "start", se.Name)
		x += 24 + 7*float64(len([]rune(se.Name)))
	}
}

// SVG draws a bar per item on one scale, its label before it and its
// figure after it.
func (c Horizontal) SVG() ([]byte, error) {
	height := marginT + rowH*max(len(c.Bars), 1) + 12
	s := newSVG(c.ID, c.Title, c.Desc, height)
	format := orDigits(c.Format)
	var top int64
	for _, b := range c.Bars {
		top = maxOf(top, b.Value)
	}
	if top <= 0 {
		s.text(width/2, float64(marginT)+rowH/2, "middle", c.Empty)
		return s.finish()
	}
	barW := float64(width - hLabelW - hValueW)
	for i, b := range c.Bars {
		y := float64(marginT + i*rowH)
		text := b.Text
		if text == "" {
			text = format(b.Value)
		}
		s.text(hLabelW-8, y+rowH/2+4, "end", b.Label)
		w := 0.0
		if b.Value > 0 {
			w = max(1, float64(b.Value)/float64(top)*barW)
			s.rect(hLabelW, y+4, w, rowH-8, color(0), tip(b.Label, text))
		}
		s.text(hLabelW+w+6, y+rowH/2+4, "start", text)
	}
	s.line(hLabelW, marginT-4, hLabelW, float64(height-8), "#333333")
	return s.finish()
}

func maxOf(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}
