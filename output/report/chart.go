package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// A Chart is an SVG chart laid out in Go: the template only writes the
// coordinates computed here. Every plotted mark carries its value exactly
// as the mart holds it (data-value), its series and its period, so a test
// can compare the page with the warehouse.
type Chart struct {
	ID      string // unique in the page
	Kind    string // what is plotted: concern_share, hhi, partner_shares, nir, event_window, alternatives, diversion
	Title   string
	XLabel  string
	YLabel  string
	W, H    float64
	X0, X1  float64 // plot area, in pixels
	Y0, Y1  float64 // Y0 top, Y1 bottom
	XTicks  []Tick
	YTicks  []Tick
	Refs    []Ref // horizontal reference lines (HHI bands, index 100)
	Lines   []Line
	Bars    []Bar
	Markers []Marker
	Key     []KeyItem // what each numbered marker stands for
	Legend  []LegendItem
	Notes   []string    // series left out of the drawing, in words
	Empty   string      // set when there is nothing to draw: the page says this instead
	From    chartSource // where the numbers come from, written as data attributes
}

// Tick is an axis tick at pixel position Pos.
type Tick struct {
	Pos   float64
	Label string
}

// Ref is a labelled horizontal line.
type Ref struct {
	Y     float64
	Label string
}

// Line is a series drawn as a polyline with a point per value.
type Line struct {
	Series string
	Color  string
	Dash   bool
	Path   string // SVG points attribute
	Points []Point
}

// Point is one plotted value.
type Point struct {
	X, Y   float64
	Series string
	Period string
	Value  string // exact value as stored
	Title  string // tooltip
}

// Bar is one plotted value drawn as a rectangle.
type Bar struct {
	X, Y, W, H float64
	Color      string
	Series     string
	Period     string
	Value      string
	Title      string
	Hatch      bool // part the data does not cover
}

// Marker is a vertical line at a date: a trade measure's effective date.
// Its label sits at (LX, LY), anchored at its start or end (layoutMarkers).
type Marker struct {
	X       float64
	Label   string
	Date    string
	Measure string
	Title   string
	LX, LY  float64
	Anchor  string
}

// KeyItem says what a numbered marker stands for.
type KeyItem struct {
	Num  int
	Text string
}

// LegendItem is one colour key, for the series of that name.
type LegendItem struct {
	Series string
	Label  string
	Color  string
	Dash   bool
	Hatch  bool
}

var palette = []string{"#1f5fa8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#6c757d", "#b5651d"}

// exact formats a stored value so that parsing it gives back the same float64.
func exact(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// scale maps [lo, hi] to [a, b].
type scale struct{ lo, hi, a, b float64 }

func (s scale) at(v float64) float64 {
	if s.hi == s.lo {
		return (s.a + s.b) / 2
	}
	return s.a + (v-s.lo)/(s.hi-s.lo)*(s.b-s.a)
}

// tickLabels formats axis values with as few decimals as keep every label
// apart (0.2 and 0.4 must not both read 0), thousands grouped.
func tickLabels(vs []float64) []string {
	out := make([]string, len(vs))
	for dec := 0; ; dec++ {
		seen := map[string]bool{}
		distinct := true
		for i, v := range vs {
			out[i] = grouped(v, dec)
			distinct = distinct && !seen[out[i]]
			seen[out[i]] = true
		}
		if distinct || dec == 6 {
			return out
		}
	}
}

// grouped formats v with dec decimals, thousands grouped.
func grouped(v float64, dec int) string {
	whole, frac, _ := strings.Cut(strconv.FormatFloat(math.Abs(v), 'f', dec, 64), ".")
	var out []byte
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, whole[i])
	}
	s := string(out)
	if frac != "" {
		s += "." + frac
	}
	if v < 0 && strings.Trim(s, "0.,") != "" {
		s = "−" + s
	}
	return s
}

// niceTicks returns round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Floor(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	if out[len(out)-1] < hi {
		out = append(out, out[len(out)-1]+step)
	}
	return out
}

// decimalYear places a date on a continuous year axis.
func decimalYear(t time.Time) float64 {
	start := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(1, 0, 0)
	return float64(t.Year()) + t.Sub(start).Hours()/end.Sub(start).Hours()
}

func newChart(id, kind, title, xlabel, ylabel string) *Chart {
	return &Chart{ID: id, Kind: kind, Title: title, XLabel: xlabel, YLabel: ylabel,
		W: 720, H: 300, X0: 64, X1: 700, Y0: 16, Y1: 250}
}

// series is one named set of (x, y) values for a line chart.
type series struct {
	name, label string
	color       string // default: the palette in order
	dash        bool
	pts         []xy
}

type xy struct {
	x, y          float64
	period, title string
	value         string
}

// lineChart lays out line series over a numeric x axis; xTicks gives the
// x tick values, xLabel their labels. A series with no point is neither
// drawn nor in the legend; with no point at all the chart says so instead.
func (c *Chart) lineChart(ss []series, xlo, xhi, ylo, yhi float64, xTicks []float64, xLabel func(float64) string) (scale, scale) {
	yt := niceTicks(ylo, yhi, 5)
	sx := scale{xlo, xhi, c.X0 + 8, c.X1 - 8}
	sy := scale{yt[0], yt[len(yt)-1], c.Y1, c.Y0}
	c.yTicks(yt, sy)
	for _, v := range xTicks {
		c.XTicks = append(c.XTicks, Tick{sx.at(v), xLabel(v)})
	}
	for i, s := range ss {
		if len(s.pts) == 0 {
			continue
		}
		l := Line{Series: s.name, Color: palette[i%len(palette)], Dash: s.dash}
		if s.color != "" {
			l.Color = s.color
		}
		for j, p := range s.pts {
			x, y := sx.at(p.x), sy.at(p.y)
			if j > 0 {
				l.Path += " "
			}
			l.Path += fmt.Sprintf("%.1f,%.1f", x, y)
			l.Points = append(l.Points, Point{X: x, Y: y, Series: s.name, Period: p.period, Value: p.value, Title: p.title})
		}
		c.Lines = append(c.Lines, l)
		c.Legend = append(c.Legend, LegendItem{Series: s.name, Label: s.label, Color: l.Color, Dash: s.dash})
	}
	if len(c.Lines) == 0 {
		c.Empty = "Nothing to draw: no value is recorded for this chart."
	}
	return sx, sy
}

// yTicks places the value axis' ticks, each label distinct.
func (c *Chart) yTicks(vs []float64, sy scale) {
	for i, l := range tickLabels(vs) {
		c.YTicks = append(c.YTicks, Tick{sy.at(vs[i]), l})
	}
}

// stack is one category's stacked segments (values 0-1 of a whole).
type stack struct {
	period string
	segs   []seg
}

type seg struct {
	series string
	v      float64
	value  string
	title  string
	hatch  bool
}

// stackedBars lays out one bar per category, segments stacked from 0 to
// at most 1 (shown as 0-100 %). The legend keeps the items, in order, of
// the series a bar was drawn for.
func (c *Chart) stackedBars(stacks []stack, legend []LegendItem) {
	sy := scale{0, 1, c.Y1, c.Y0}
	for _, v := range []float64{0, .25, .5, .75, 1} {
		c.YTicks = append(c.YTicks, Tick{sy.at(v), fmt.Sprintf("%.0f", v*100)})
	}
	colors := map[string]string{}
	for _, l := range legend {
		colors[l.Series] = l.Color
	}
	drawn := map[string]bool{}
	n := float64(len(stacks))
	slot := (c.X1 - c.X0) / math.Max(n, 1)
	w := math.Min(slot*0.7, 48)
	for i, st := range stacks {
		x := c.X0 + slot*float64(i) + (slot-w)/2
		c.XTicks = append(c.XTicks, Tick{x + w/2, st.period})
		base := 0.0
		for _, s := range st.segs {
			if s.v <= 0 {
				continue
			}
			top := math.Min(base+s.v, 1)
			c.Bars = append(c.Bars, Bar{X: x, Y: sy.at(top), W: w, H: sy.at(base) - sy.at(top),
				Color: colors[s.series], Series: s.series, Period: st.period, Value: s.value, Title: s.title, Hatch: s.hatch})
			drawn[s.series] = drawn[s.series] || visible(sy.at(base)-sy.at(top))
			base = top
		}
	}
	for _, l := range legend {
		if drawn[l.Series] {
			c.Legend = append(c.Legend, l)
		}
	}
	if len(c.Legend) == 0 {
		c.Empty = "Nothing to draw: every share in this chart is 0 or not recorded."
	}
}

// visible says whether a bar of height h shows at the page's resolution
// (coordinates are written to a tenth of a pixel).
func visible(h float64) bool { return math.Round(math.Abs(h)*10) > 0 }

// group is one category of grouped bars.
type group struct {
	period string
	vals   []gval
}

type gval struct {
	series string
	v      float64
	ok     bool
	value  string
	title  string
}

// groupedBars lays out side-by-side bars per category over a value axis
// that includes 0, for values of either sign. A series none of whose bars
// shows (every value 0 or missing) is left out of the legend and named in
// a note; when no bar shows at all, the chart says so instead.
func (c *Chart) groupedBars(groups []group, names []string, labels []string) {
	lo, hi := 0.0, 0.0
	for _, g := range groups {
		for _, v := range g.vals {
			if v.ok {
				lo, hi = math.Min(lo, v.v), math.Max(hi, v.v)
			}
		}
	}
	yt := niceTicks(lo, hi, 5)
	sy := scale{yt[0], yt[len(yt)-1], c.Y1, c.Y0}
	c.yTicks(yt, sy)
	c.Refs = append(c.Refs, Ref{Y: sy.at(0)})
	color := map[string]string{}
	for i, n := range names {
		color[n] = palette[i%len(palette)]
	}
	drawn := map[string]bool{}
	slot := (c.X1 - c.X0) / math.Max(float64(len(groups)), 1)
	bw := math.Min(slot*0.8/math.Max(float64(len(names)), 1), 28)
	for i, g := range groups {
		x0 := c.X0 + slot*float64(i) + (slot-bw*float64(len(names)))/2
		c.XTicks = append(c.XTicks, Tick{c.X0 + slot*float64(i) + slot/2, g.period})
		for j, v := range g.vals {
			if !v.ok {
				continue
			}
			y0, y1 := sy.at(0), sy.at(v.v)
			c.Bars = append(c.Bars, Bar{X: x0 + bw*float64(j), Y: math.Min(y0, y1), W: bw - 1, H: math.Abs(y1 - y0),
				Color: color[v.series], Series: v.series, Period: g.period, Value: v.value, Title: v.title})
			drawn[v.series] = drawn[v.series] || visible(y1-y0)
		}
	}
	for i, n := range names {
		if drawn[n] {
			c.Legend = append(c.Legend, LegendItem{Series: n, Label: labels[i], Color: color[n]})
		} else {
			c.Notes = append(c.Notes, fmt.Sprintf("Not drawn: %s, 0 or not recorded for every one.", labels[i]))
		}
	}
	if len(c.Legend) == 0 {
		c.Empty = "Nothing to draw: every value in this chart is 0 or not recorded."
		c.Notes = nil
	}
}

// markerFont is the marker labels' font size in pixels (the page's CSS).
const markerFont = 10

// labelWidth is a generous estimate of a label's width in the page's sans
// serif: the widest common fonts' average advance is under 0.65 em.
func labelWidth(s string, size float64) float64 {
	return float64(len([]rune(s)))*0.65*size + 2
}

// layoutMarkers places the markers' labels along the top of the plot: to
// the right of each line, or to its left where it would run past the
// plot's edge, and a row lower wherever it would touch a label already
// placed, so that no two overlap and none leaves the plot.
func (c *Chart) layoutMarkers() {
	const gap, row = 3, markerFont + 2
	var rows [][][2]float64 // per row, the labels' [left, right]
	for i := range c.Markers {
		m := &c.Markers[i]
		w := labelWidth(m.Label, markerFont)
		left, anchor := m.X+gap, "start"
		if left+w > c.X1 {
			left, anchor = m.X-gap-w, "end"
		}
		left = math.Max(c.X0+1, math.Min(left, c.X1-w))
		r := 0
		for ; r < len(rows); r++ {
			free := true
			for _, iv := range rows[r] {
				free = free && (left+w+gap <= iv[0] || left >= iv[1]+gap)
			}
			if free {
				break
			}
		}
		if r == len(rows) {
			rows = append(rows, nil)
		}
		rows[r] = append(rows[r], [2]float64{left, left + w})
		m.Anchor, m.LY = anchor, c.Y0+float64(markerFont)+float64(r*row)
		if anchor == "end" {
			m.LX = left + w
		} else {
			m.LX = left
		}
	}
}
