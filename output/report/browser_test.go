package report

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium binary: $TRADEWH_CHROMIUM, else Debian's.
func chromium() string {
	if p := os.Getenv("TRADEWH_CHROMIUM"); p != "" {
		return p
	}
	for _, n := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// pageState is what the page shows, read from its DOM.
type pageState struct {
	Title    string
	Ready    string
	Banner   bool
	Groups   int
	Charts   []pageChart
	Figures  []pageFigure
	Sections []struct {
		ID       string
		Height   float64
		Charts   int
		Tables   int
		Missing  int
		Notes    int
		Rendered bool
	}
}

const readPage = `JSON.stringify({
  Title: document.title,
  Ready: document.readyState,
  Banner: !!document.getElementById('illustrative'),
  Groups: document.querySelectorAll('article.group').length,
  Charts: [...document.querySelectorAll('svg[data-chart]')].map(s => ({
    ID: s.id,
    Attrs: Object.fromEntries(Object.entries(s.dataset)),
    Points: [...s.querySelectorAll('[data-value]')].map(e => ({Series: e.dataset.series, Period: e.dataset.period, Value: e.dataset.value})),
    Markers: [...s.querySelectorAll('g.marker')].map(g => ({Measure: g.dataset.measure, Date: g.dataset.date})),
  })),
  Figures: [...document.querySelectorAll('figure.chart')].map(f => {
    const box = e => { const r = e.getBoundingClientRect(); return {L: r.left, T: r.top, R: r.right, B: r.bottom}; };
    const s = f.querySelector('svg[data-chart]');
    if (!s) return {ID: f.dataset.emptyChart || '', Empty: (f.querySelector('p.empty') || {}).textContent || ''};
    const axes = [...s.querySelectorAll('line.axis')].map(box);
    const drawn = new Set();
    s.querySelectorAll('[data-value]').forEach(e => { const r = e.getBoundingClientRect(); if (r.width > 0 && r.height > 0) drawn.add(e.dataset.series); });
    return {
      ID: s.id,
      Plot: {L: Math.min(...axes.map(a => a.L)), T: Math.min(...axes.map(a => a.T)), R: Math.max(...axes.map(a => a.R)), B: Math.max(...axes.map(a => a.B))},
      XTicks: [...s.querySelectorAll('text.tick.x')].map(e => e.textContent),
      YTicks: [...s.querySelectorAll('text.tick.y')].map(e => e.textContent),
      Labels: [...s.querySelectorAll('g.marker text')].map(e => ({Text: e.firstChild.textContent, Box: box(e)})),
      Legend: [...f.querySelectorAll('ul.legend li')].map(e => e.dataset.series || e.textContent),
      Drawn: [...drawn],
    };
  }),
  Sections: [...document.querySelectorAll('section.section')].map(s => ({
    ID: s.id,
    Height: s.getBoundingClientRect().height,
    Charts: s.querySelectorAll('svg[data-chart]').length,
    Tables: s.querySelectorAll('table').length,
    Missing: s.querySelectorAll('.missing').length,
    Notes: s.querySelectorAll('p.note').length,
    Rendered: [...s.querySelectorAll('svg[data-chart]')].every(v => { const r = v.getBoundingClientRect(); return r.width > 100 && r.height > 100; }),
  })),
})`

// The demo's report, with the policy tables of the contract, opened in
// headless Chromium with networking off: it loads with no console error
// and no request beyond the file itself, every section renders, and every
// chart's plotted values equal the mart rows. A screenshot is written to
// $TRADEWH_REPORT_SCREENSHOT (or the test's temporary folder).
func TestReportInBrowser(t *testing.T) {
	bin := chromium()
	if bin == "" {
		if os.Getenv("TRADEWH_REQUIRE_CHROMIUM") != "" {
			t.Fatal("TRADEWH_REQUIRE_CHROMIUM is set but no Chromium was found")
		}
		t.Skip("no Chromium found (apt-get install chromium, or set TRADEWH_CHROMIUM): the browser test does not run")
	}
	dir := demoWarehouse(t)
	wh := openWH(t, dir, false)
	policyFixture(t, wh.DB())
	edgeFixture(t, wh.DB())
	out := filepath.Join(t.TempDir(), "report.html")
	if shot := os.Getenv("TRADEWH_REPORT_SCREENSHOT"); shot != "" {
		out = strings.TrimSuffix(shot, filepath.Ext(shot)) + ".html" // kept beside the screenshot
	}
	if _, err := Write(context.Background(), wh.DB(), Options{Now: fixedNow}, out); err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		// No name resolves: a request that slipped through could go nowhere.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	var mu sync.Mutex
	var consoleErrs, requests []string
	if err := chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning || e.Type == runtime.ConsoleAPICalledTypeAssert {
				consoleErrs = append(consoleErrs, fmt.Sprintf("console.%s", e.Type))
			}
		case *runtime.EventExceptionThrown:
			consoleErrs = append(consoleErrs, "exception: "+e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry != nil && (e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning) {
				consoleErrs = append(consoleErrs, fmt.Sprintf("%s %s: %s", e.Entry.Level, e.Entry.Source, e.Entry.Text))
			}
		case *network.EventRequestWillBeSent:
			requests = append(requests, e.Request.URL)
		}
	}); err != nil {
		t.Fatalf("starting Chromium (%s): %v", bin, err)
	}
	url := "file://" + filepath.ToSlash(out)
	tctx, tcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer tcancel()
	if err := chromedp.Do(tctx, chromedp.Navigate(url), chromedp.WaitReady("footer")); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	js, err := chromedp.Run(tctx, chromedp.Evaluate[string](readPage))
	if err != nil {
		t.Fatal(err)
	}
	var st pageState
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	shot := os.Getenv("TRADEWH_REPORT_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "report.png")
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the report: %s (%d bytes)", shot, len(png))

	mu.Lock()
	if len(consoleErrs) > 0 {
		t.Errorf("console errors: %v", consoleErrs)
	}
	for _, u := range requests {
		if u != url {
			t.Errorf("the page requested %s", u)
		}
	}
	if st.Ready != "complete" || !strings.HasPrefix(st.Title, "Import dependency of United States") {
		t.Errorf("page state %q, title %q", st.Ready, st.Title)
	}
	if !st.Banner {
		t.Error("no illustrative-data banner on the demo's report")
	}
	if st.Groups != 5 || len(st.Sections) != 5*7 {
		t.Errorf("%d groups and %d sections, want 5 and 35", st.Groups, len(st.Sections))
	}
	for _, s := range st.Sections {
		if s.Height <= 0 || !s.Rendered || s.Charts+s.Tables+s.Missing+s.Notes == 0 {
			t.Errorf("section %s does not render: %+v", s.ID, s)
		}
	}
	mu.Unlock()
	compareCharts(t, wh.DB(), st.Charts)
	checkFigures(t, st.Figures)
	// The browser read what the file holds, mark for mark.
	b, _ := os.ReadFile(out)
	if fromFile := chartsFromHTML(string(b)); len(fromFile) != len(st.Charts) {
		t.Errorf("the browser shows %d charts, the file has %d", len(st.Charts), len(fromFile))
	}

	// The watch itself works: a page that fetches and logs an error is seen
	// doing both.
	mu.Lock()
	consoleErrs, requests = nil, nil
	mu.Unlock()
	control := filepath.Join(t.TempDir(), "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><title>control</title><img src="http://report-test.invalid/x.png"><script>console.error("control")</script><footer></footer>`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tctx, chromedp.Navigate("file://"+filepath.ToSlash(control)), chromedp.WaitReady("footer")); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		mu.Lock()
		seen := len(consoleErrs) > 0 && strings.Contains(strings.Join(requests, " "), "report-test.invalid")
		mu.Unlock()
		if seen {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the control page's request and console error went unseen: %v %v", requests, consoleErrs)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pageFigure is a chart as the browser lays it out: boxes in page pixels.
type pageFigure struct {
	ID, Empty      string
	Plot           box
	XTicks, YTicks []string
	Labels         []struct {
		Text string
		Box  box
	}
	Legend, Drawn []string
}

type box struct{ L, T, R, B float64 }

func (a box) overlaps(b box) bool { return a.L < b.R && b.L < a.R && a.T < b.B && b.T < a.B }
func (a box) inside(b box) bool   { return a.L >= b.L && a.R <= b.R && a.T >= b.T && a.B <= b.B }

// edgeFixture adds charts at the edges: suppliers whose shares are all 0
// (tungsten), and shares under 3 % (antimony), whose axis must not read
// 0, 0, 1, 2, 2.
func edgeFixture(t testing.TB, db *sql.DB) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO supplier_alternatives BY NAME SELECT *, 'test' AS source, 'CHN' AS concern_iso3 FROM (VALUES
		('USA', 'tungsten', NULL::VARCHAR, 2030, 'VNM', 0.0, 0.0, false, 1),
		('USA', 'tungsten', NULL::VARCHAR, 2030, 'RWA', 0.0, NULL::DOUBLE, false, 2),
		('USA', 'antimony', NULL::VARCHAR, 2030, 'TJK', 0.0045, 0.025, false, 1),
		('USA', 'antimony', NULL::VARCHAR, 2030, 'TUR', 0.003, 0.012, false, 2))
		AS v(reporter_iso3, commodity, hs_code, year, supplier_iso3, share, world_export_share, restricted, rank)`); err != nil {
		t.Fatal(err)
	}
}

// checkFigures reads the charts as drawn: a chart with nothing to show
// says so in words, each axis' labels are distinct, the measures' labels
// neither overlap nor leave the plot, and the legend names exactly the
// series drawn (a mark of positive area).
func checkFigures(t *testing.T, figs []pageFigure) {
	t.Helper()
	empty := map[string]string{}
	for _, f := range figs {
		if f.Plot == (box{}) {
			if f.Empty == "" {
				t.Errorf("figure %q: neither a chart nor words", f.ID)
			}
			empty[f.ID] = f.Empty
			continue
		}
		if len(f.Drawn) == 0 {
			t.Errorf("chart %s: an empty frame (no mark drawn)", f.ID)
		}
		for _, ticks := range [][]string{f.XTicks, f.YTicks} {
			seen := map[string]bool{}
			for _, l := range ticks {
				if seen[l] {
					t.Errorf("chart %s: tick label %q repeated in %q", f.ID, l, ticks)
				}
				seen[l] = true
			}
		}
		if len(f.YTicks) < 2 {
			t.Errorf("chart %s: y ticks %q", f.ID, f.YTicks)
		}
		for i, a := range f.Labels {
			if !a.Box.inside(f.Plot) {
				t.Errorf("chart %s: marker label %q at %+v runs off the plot %+v", f.ID, a.Text, a.Box, f.Plot)
			}
			for _, b := range f.Labels[i+1:] {
				if a.Box.overlaps(b.Box) {
					t.Errorf("chart %s: marker labels %q and %q overlap (%+v, %+v)", f.ID, a.Text, b.Text, a.Box, b.Box)
				}
			}
		}
		legend, drawn := append([]string(nil), f.Legend...), append([]string(nil), f.Drawn...)
		sort.Strings(legend)
		sort.Strings(drawn)
		if strings.Join(legend, ",") != strings.Join(drawn, ",") {
			t.Errorf("chart %s: the legend names %q, the chart draws %q", f.ID, legend, drawn)
		}
	}
	if w := empty["tungsten-alternatives"]; !strings.Contains(w, "Nothing to draw") {
		t.Errorf("tungsten's alternatives (every share 0): %q, want words saying there is nothing to draw", w)
	}
	for _, id := range []string{"antimony-share", "antimony-alternatives", "rare_earths-nir"} {
		if _, ok := empty[id]; ok {
			t.Errorf("chart %s has values but is not drawn", id)
		}
	}
}
