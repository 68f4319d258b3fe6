package report

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
)

// querier is a pinned connection (or anything that queries like one).
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

type builder struct {
	ctx   context.Context
	q     querier
	sc    schema
	o     Options
	names map[string]string // ISO3 -> country name
	r     *Report
	// HHI bands when the mart has no hhi_band column: the US merger
	// guidelines' thresholds, as issue #12 documents for the mart.
	moderate, high float64
	prov           provenanceRows
}

const notAvailable = "not available in this warehouse"

// demoRefs are the file names the offline demo writes its illustrative
// trade flows to (named *_illustrative.json; the names before that are kept
// for warehouses built by older demos); a source or file marked demo or
// illustrative counts too.
var demoRefs = []string{
	"comtrade_v1_get_A_usa_critical_minerals_illustrative.json", "comtrade_v1_get_M_usa_811292_illustrative.json",
	"comtrade_v1_get_A_usa_critical_minerals.json", "comtrade_v1_get_M_usa_811292.json",
}

func illustrativeWhere() string {
	var or []string
	for _, f := range demoRefs {
		or = append(or, "source_ref LIKE '%"+f+"'")
	}
	or = append(or, `source ILIKE '%demo%'`, `source ILIKE '%illustrat%'`, `source_ref ILIKE '%illustrat%'`,
		`regexp_matches(source_ref, '(^|[/\\])raw[/\\]demo[/\\]')`)
	return "(" + strings.Join(or, " OR ") + ")"
}

func (b *builder) build() (*Report, error) {
	o := b.o
	b.moderate, b.high = 1000, 1800
	r := &Report{Reporter: o.Reporter, Generated: o.Now.UTC().Format("2006-01-02 15:04 UTC")}
	b.r = r
	if err := b.loadNames(); err != nil {
		return nil, err
	}
	r.ReporterName = b.name(o.Reporter)
	r.Concern = etl.DefaultConcernISO3
	if b.sc.has("settings") {
		var v sql.NullString
		if err := b.q.QueryRowContext(b.ctx, `SELECT value FROM settings WHERE name = 'concern_iso3'`).Scan(&v); err == nil && v.Valid {
			r.Concern = v.String
		}
	}
	r.ConcernName = b.name(r.Concern)
	if o.AsOf.IsZero() {
		r.AsOf = "now (current values)"
	} else {
		r.AsOf = o.AsOf.UTC().Format("2006-01-02 15:04:05 UTC") + " (figures as the warehouse knew them then; marts recomputed from the as-of views)"
	}
	r.Title = fmt.Sprintf("Import dependency of %s", r.ReporterName)

	// Illustrative demo flows.
	rows, err := b.q.QueryContext(b.ctx, `SELECT source, source_ref, count(*) FROM trade_flows WHERE `+illustrativeWhere()+
		` GROUP BY ALL ORDER BY 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("report: illustrative flows: %w", err)
	}
	for rows.Next() {
		var s SourceRef
		if err := rows.Scan(&s.Source, &s.Ref, &s.Rows); err != nil {
			rows.Close()
			return nil, err
		}
		s.Ref = path.Base(strings.ReplaceAll(s.Ref, `\`, "/"))
		r.Illustrative = append(r.Illustrative, s)
	}
	rows.Close()

	r.LastRun = b.lastRun()
	if err := b.readProvenance(); err != nil {
		return nil, err
	}

	groups, err := b.groups()
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 {
		if o.Commodity != "" {
			r.Notes = append(r.Notes, fmt.Sprintf("No %s imports of commodity group %q in this warehouse.", r.ReporterName, o.Commodity))
		} else {
			r.Notes = append(r.Notes, fmt.Sprintf("No %s imports of any commodity group in this warehouse.", r.ReporterName))
		}
	}
	for _, g := range groups {
		if err := b.group(g); err != nil {
			return nil, fmt.Errorf("report: %s: %w", g.Slug, err)
		}
		r.Groups = append(r.Groups, g)
	}
	return r, nil
}

func (b *builder) loadNames() error {
	rows, err := b.q.QueryContext(b.ctx, `SELECT iso3, name FROM countries`)
	if err != nil {
		return fmt.Errorf("report: countries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var iso, n string
		if err := rows.Scan(&iso, &n); err != nil {
			return err
		}
		b.names[iso] = n
	}
	return rows.Err()
}

func (b *builder) name(iso string) string {
	if n, ok := b.names[iso]; ok {
		return n
	}
	return iso
}

func (b *builder) lastRun() string {
	if !b.sc.has("etl_runs") {
		return notAvailable
	}
	q := `SELECT run_id, job, source, strftime(finished_at, '%Y-%m-%d %H:%M:%S'), rows_loaded FROM etl_runs
		WHERE status = 'ok' AND finished_at IS NOT NULL`
	var args []any
	if !b.o.AsOf.IsZero() {
		q += ` AND finished_at <= ?`
		args = append(args, b.o.AsOf.UTC())
	}
	q += ` ORDER BY finished_at DESC, run_id DESC LIMIT 1`
	var id, loaded int64
	var job, src, fin string
	if err := b.q.QueryRowContext(b.ctx, q, args...).Scan(&id, &job, &src, &fin, &loaded); err != nil {
		return "no successful run recorded"
	}
	return fmt.Sprintf("run %d, job %s (%s), finished %s UTC, %s rows loaded", id, job, src, fin, thousands(float64(loaded)))
}

// groups lists the commodity groups the reporter has group-level rows for.
func (b *builder) groups() ([]*Group, error) {
	q := `SELECT g.commodity, g.name FROM commodity_groups g
		WHERE EXISTS (SELECT 1 FROM dependency_trends d WHERE d.commodity = g.commodity
		              AND d.reporter_iso3 = ? AND d.hs_code IS NULL)`
	args := []any{b.o.Reporter}
	if b.o.Commodity != "" {
		q += ` AND g.commodity = ?`
		args = append(args, b.o.Commodity)
	}
	rows, err := b.q.QueryContext(b.ctx, q+` ORDER BY g.commodity`, args...)
	if err != nil {
		return nil, fmt.Errorf("report: commodity groups: %w", err)
	}
	defer rows.Close()
	var out []*Group
	for rows.Next() {
		g := &Group{}
		if err := rows.Scan(&g.Slug, &g.Name); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// measure is a trade measure on a group.
type measure struct {
	id, typ, title, imposing, targets, status, citation string
	announced, effective, end, suspends                 string
	eff                                                 time.Time
}

func (b *builder) measures(g string) ([]measure, error) {
	if !b.sc.has("trade_measures", "measure_id", "commodity", "effective_date", "measure_type", "title") {
		return nil, nil
	}
	opt := func(c, typ string) string { return b.sc.col("trade_measures", c, typ) }
	// A measure on several groups may name none: its codes place it.
	byCode := ""
	if b.sc.has("trade_measure_codes", "measure_id", "hs_code") && b.sc.has("commodity_codes", "commodity", "hs_code") {
		byCode = ` OR measure_id IN (SELECT mc.measure_id FROM trade_measure_codes mc JOIN commodity_codes cc
			ON starts_with(mc.hs_code, cc.hs_code) OR starts_with(cc.hs_code, mc.hs_code) WHERE cc.commodity = $1)`
	}
	q := `SELECT measure_id, coalesce(measure_type, ''), coalesce(title, ''),
		coalesce(CAST(imposing_iso3 AS VARCHAR), ''), coalesce(array_to_string(target_iso3, ', '), ''),
		coalesce(status, ''), coalesce(citation, ''),
		coalesce(strftime(announced_date, '%Y-%m-%d'), ''), strftime(effective_date, '%Y-%m-%d'),
		coalesce(strftime(end_date, '%Y-%m-%d'), ''), coalesce(suspends_measure_id, '')
		FROM (SELECT measure_id, measure_type, title, commodity, effective_date, ` +
		strings.Join([]string{opt("imposing_iso3", "VARCHAR"), opt("target_iso3", "VARCHAR[]"), opt("status", "VARCHAR"),
			opt("citation", "VARCHAR"), opt("announced_date", "DATE"), opt("end_date", "DATE"), opt("suspends_measure_id", "VARCHAR")}, ", ") + `
		      FROM trade_measures)
		WHERE (list_contains(list_transform(string_split(coalesce(commodity, ''), ','), x -> trim(x)), $1)` + byCode + `)
		  AND effective_date IS NOT NULL`
	args := []any{g}
	if !b.o.AsOf.IsZero() {
		// A measure known at the as-of time: announced (or in force) by then.
		q += ` AND coalesce(announced_date, effective_date) <= CAST($2 AS DATE)`
		args = append(args, b.o.AsOf.UTC().Format("2006-01-02"))
	}
	rows, err := b.q.QueryContext(b.ctx, q+` ORDER BY effective_date, measure_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("trade_measures: %w", err)
	}
	defer rows.Close()
	var out []measure
	for rows.Next() {
		var m measure
		if err := rows.Scan(&m.id, &m.typ, &m.title, &m.imposing, &m.targets, &m.status, &m.citation,
			&m.announced, &m.effective, &m.end, &m.suspends); err != nil {
			return nil, err
		}
		m.eff, _ = time.Parse("2006-01-02", m.effective)
		out = append(out, m)
	}
	return out, rows.Err()
}

func (b *builder) group(g *Group) error {
	// One source per group: a mart keeps sources apart, and mixing them
	// would plot two bases as one series.
	var src sql.NullString
	if err := b.q.QueryRowContext(b.ctx, `SELECT source FROM dependency_trends
		WHERE reporter_iso3 = ? AND commodity = ? AND hs_code IS NULL
		GROUP BY source ORDER BY count(*) DESC, source LIMIT 1`, b.o.Reporter, g.Slug).Scan(&src); err != nil {
		return err
	}
	ms, err := b.measures(g.Slug)
	if err != nil {
		return err
	}
	g.Illustrative = b.prov.illustrative[g.Slug]
	gc := &groupCtx{Group: g, source: src.String, measures: ms}
	steps := []func(*groupCtx) (*Section, error){b.dependency, b.partners, b.nir, b.events, b.alternatives, b.diversion, b.provenance}
	for i, step := range steps {
		s, err := step(gc)
		if err != nil {
			return err
		}
		s.Num = i + 1
		s.ID = fmt.Sprintf("%s-%d", g.Slug, i+1)
		if s.Missing != "" && s.Headline == "" {
			s.Headline = s.Missing
		}
		for _, c := range s.Charts {
			c.layoutMarkers()
		}
		g.Sections = append(g.Sections, s)
	}
	g.Headline = gc.headline(b)
	return nil
}

// groupCtx carries what one section finds for the next and the headline.
type groupCtx struct {
	*Group
	source   string
	measures []measure
	// from section 1
	lastYear      int
	lastShare     sql.NullFloat64
	lastChange    sql.NullFloat64
	annual        map[int]sql.NullFloat64 // concern share by year
	monthlyPoints int
}

func (gc *groupCtx) headline(b *builder) string {
	var parts []string
	if gc.lastShare.Valid {
		s := fmt.Sprintf("%s %s of %s imports in %d", b.r.ConcernName, pct0(gc.lastShare.Float64), b.r.ReporterName, gc.lastYear)
		if gc.lastChange.Valid {
			s += ", " + ppSigned(gc.lastChange.Float64)
		}
		parts = append(parts, s)
	} else {
		parts = append(parts, "no concern-country share recorded")
	}
	if m := inForce(gc.measures, b.cutoff()); m != "" {
		parts = append(parts, m)
	}
	return gc.Name + ": " + strings.Join(parts, "; ")
}

// --- Section 1: dependency over time --------------------------------------

func (b *builder) dependency(gc *groupCtx) (*Section, error) {
	s := &Section{Title: "Dependency over time"}
	t := "dependency_trends"
	cols := []string{b.sc.col(t, "hhi_band", "VARCHAR"), b.sc.col(t, "coverage_ratio", "DOUBLE"),
		b.sc.col(t, "coverage_flag", "VARCHAR"), b.sc.col(t, "single_supplier", "BOOLEAN"), b.sc.col(t, "hs_revision_note", "VARCHAR")}
	rows, err := b.q.QueryContext(b.ctx, `SELECT freq, strftime(period, '%Y-%m-%d'), year, concern_share, concern_share_12m,
		share_change_pp, coalesce(top_partner_iso3, ''), top_share, hhi, total_value_usd, n_partners, `+strings.Join(cols, ", ")+`
		FROM dependency_trends WHERE reporter_iso3 = ? AND commodity = ? AND hs_code IS NULL AND source = ?
		ORDER BY freq, period`, b.o.Reporter, gc.Slug, gc.source)
	if err != nil {
		return nil, fmt.Errorf("dependency_trends: %w", err)
	}
	defer rows.Close()
	type dep struct {
		freq, period                          string
		year                                  int
		share, share12, change, topShare, hhi sql.NullFloat64
		total, coverage                       sql.NullFloat64
		top                                   string
		n                                     sql.NullInt64
		band, flag, hsNote                    sql.NullString
		single                                sql.NullBool
		t                                     time.Time
	}
	var annual, monthly []dep
	for rows.Next() {
		var d dep
		if err := rows.Scan(&d.freq, &d.period, &d.year, &d.share, &d.share12, &d.change, &d.top, &d.topShare, &d.hhi,
			&d.total, &d.n, &d.band, &d.coverage, &d.flag, &d.single, &d.hsNote); err != nil {
			return nil, err
		}
		d.t, _ = time.Parse("2006-01-02", d.period)
		if d.freq == "M" {
			monthly = append(monthly, d)
		} else {
			annual = append(annual, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	gc.annual = map[int]sql.NullFloat64{}
	for _, d := range annual {
		gc.annual[d.year] = d.share
	}
	// Without the mart's coverage, the share of a reported World total that
	// the partner rows cover is computed here from import_shares.
	computedCov := !b.sc.has(t, "coverage_ratio")
	if computedCov {
		cov, err := b.partnerCoverage(gc)
		if err != nil {
			return nil, err
		}
		for i := range annual {
			if v, ok := cov[annual[i].year]; ok {
				annual[i].coverage = sql.NullFloat64{Float64: v, Valid: true}
			}
		}
	}
	gc.monthlyPoints = len(monthly)
	if len(annual) > 0 {
		last := annual[len(annual)-1]
		gc.lastYear, gc.lastShare, gc.lastChange = last.year, last.share, last.change
		head := fmt.Sprintf("%s %s in %d", b.r.ConcernName, pctOrNA(last.share), last.year)
		if last.change.Valid {
			head += " (" + ppSigned(last.change.Float64) + ")"
		}
		if last.top != "" {
			head += fmt.Sprintf(", top partner %s %s", b.name(last.top), pctOrNA(last.topShare))
		}
		if last.hhi.Valid {
			head += fmt.Sprintf(", HHI %s (%s)", thousands(last.hhi.Float64), b.band(last.band, last.hhi))
		}
		if last.coverage.Valid && last.coverage.Float64 < 0.95 {
			head += fmt.Sprintf("; partner detail covers only %s of the World total", pct0(last.coverage.Float64))
		}
		s.Headline = head
	}

	// Concern share chart: annual, monthly and the trailing 12 months on
	// one time axis, measures at their effective dates.
	c := newChart(s.idFor(gc, "share"), "concern_share",
		fmt.Sprintf("%s's share of %s imports of %s", b.r.ConcernName, b.r.ReporterName, strings.ToLower(gc.Name)),
		"period (year; months where monthly data exist)", "share of imports, %")
	c.attrs(b, gc, "dependency_trends")
	xlo, xhi := math.Inf(1), math.Inf(-1)
	var sa, sm, s12 series
	sa = series{name: "annual", label: "annual"}
	sm = series{name: "monthly", label: "monthly"}
	s12 = series{name: "rolling_12m", label: "trailing 12 months", dash: true}
	ymax := 0.0
	for _, d := range annual {
		xlo, xhi = math.Min(xlo, float64(d.year)), math.Max(xhi, float64(d.year+1))
		if d.share.Valid {
			sa.pts = append(sa.pts, xy{x: float64(d.year) + .5, y: d.share.Float64 * 100, period: strconv.Itoa(d.year),
				value: exact(d.share.Float64), title: fmt.Sprintf("%d: %s %s", d.year, b.r.ConcernName, pct1(d.share.Float64))})
			ymax = math.Max(ymax, d.share.Float64*100)
		}
	}
	for _, d := range monthly {
		x := decimalYear(d.t)
		xlo, xhi = math.Min(xlo, x), math.Max(xhi, x+1.0/12)
		p := d.t.Format("2006-01")
		if d.share.Valid {
			sm.pts = append(sm.pts, xy{x: x + 1.0/24, y: d.share.Float64 * 100, period: p, value: exact(d.share.Float64),
				title: fmt.Sprintf("%s: %s %s", p, b.r.ConcernName, pct1(d.share.Float64))})
			ymax = math.Max(ymax, d.share.Float64*100)
		}
		if d.share12.Valid {
			s12.pts = append(s12.pts, xy{x: x + 1.0/24, y: d.share12.Float64 * 100, period: p, value: exact(d.share12.Float64),
				title: fmt.Sprintf("%s: trailing 12 months %s", p, pct1(d.share12.Float64))})
		}
	}
	if len(annual)+len(monthly) == 0 {
		s.Missing = "no group-level rows in dependency_trends"
		return s, nil
	}
	for _, m := range gc.measures {
		x := decimalYear(m.eff)
		if x >= xlo-1 {
			xhi = math.Max(xhi, x+0.25)
			xlo = math.Min(xlo, x)
		}
	}
	ss := []series{sa}
	if len(monthly) > 0 {
		ss = append(ss, sm, s12)
	}
	var xt []float64
	step := math.Max(1, math.Ceil((xhi-xlo)/12))
	for y := math.Ceil(xlo); y <= xhi; y += step {
		xt = append(xt, y)
	}
	sx, _ := c.lineChart(ss, xlo, xhi, 0, math.Max(ymax, 10), xt, func(v float64) string { return strconv.Itoa(int(v)) })
	c.markMeasures(gc.measures, sx, xlo)
	s.Charts = append(s.Charts, c)

	// HHI chart with its bands.
	h := newChart(s.idFor(gc, "hhi"), "hhi", "Supplier concentration (Herfindahl-Hirschman index)", "year", "HHI, 0-10,000")
	h.H, h.Y1 = 240, 190
	h.attrs(b, gc, "dependency_trends")
	hs := series{name: "hhi", label: "HHI"}
	hmax := b.high * 1.1
	for _, d := range annual {
		if d.hhi.Valid {
			hs.pts = append(hs.pts, xy{x: float64(d.year) + .5, y: d.hhi.Float64, period: strconv.Itoa(d.year), value: exact(d.hhi.Float64),
				title: fmt.Sprintf("%d: HHI %s (%s)", d.year, thousands(d.hhi.Float64), b.band(d.band, d.hhi))})
			hmax = math.Max(hmax, d.hhi.Float64)
		}
	}
	if len(hs.pts) > 0 {
		_, hy := h.lineChart([]series{hs}, xlo, xhi, 0, hmax, xt, func(v float64) string { return strconv.Itoa(int(v)) })
		h.Refs = append(h.Refs, Ref{Y: hy.at(b.moderate), Label: "moderately concentrated ≥ " + thousands(b.moderate)},
			Ref{Y: hy.at(b.high), Label: "highly concentrated ≥ " + thousands(b.high)})
		h.markMeasures(gc.measures, sx, xlo)
		s.Charts = append(s.Charts, h)
	} else {
		s.Notes = append(s.Notes, "No HHI: the partner detail is too thin for a concentration figure.")
	}
	if !b.sc.has(t, "hhi_band") {
		s.Notes = append(s.Notes, fmt.Sprintf("HHI band computed here with the US merger guidelines' thresholds (%s moderately, %s highly concentrated); this warehouse's dependency_trends has no hhi_band column.",
			thousands(b.moderate), thousands(b.high)))
	}
	if computedCov {
		s.Notes = append(s.Notes, "Coverage: the partner rows' sum over the reported World total, computed here from import_shares (this warehouse's dependency_trends has no coverage_ratio column). Where it is low, the top partner and HHI describe only the partners reported.")
	}

	tab := &Table{Caption: "Annual figures (group level, source " + gc.source + ")",
		Head: []string{"year", "imports, USD", b.r.ConcernName + " share", "change, pp", "top partner", "top share", "HHI", "band", "single supplier", "partners", "coverage"}}
	for _, d := range annual {
		cov := "—"
		if d.coverage.Valid {
			cov = pct1(d.coverage.Float64)
		}
		if d.flag.Valid && d.flag.String != "" {
			cov += " (" + d.flag.String + ")"
		}
		single := "—"
		if d.single.Valid {
			single = map[bool]string{true: "yes", false: "no"}[d.single.Bool]
		}
		hhi := "—"
		if d.hhi.Valid {
			hhi = thousands(d.hhi.Float64)
		}
		tab.Rows = append(tab.Rows, []string{strconv.Itoa(d.year), usdOrNA(d.total), pctOrNA(d.share), ppOrNA(d.change),
			b.name(d.top), pctOrNA(d.topShare), hhi, b.band(d.band, d.hhi), single, intOrNA(d.n), cov})
		if d.hsNote.Valid && d.hsNote.String != "" {
			s.Notes = appendOnce(s.Notes, fmt.Sprintf("HS revision: %s", d.hsNote.String))
		}
	}
	s.Tables = append(s.Tables, tab)
	if len(monthly) > 0 {
		mt := &Table{Caption: "Monthly figures", Head: []string{"month", "imports, USD", b.r.ConcernName + " share", "trailing 12 months", "top partner"}}
		for _, d := range monthly {
			mt.Rows = append(mt.Rows, []string{d.t.Format("2006-01"), usdOrNA(d.total), pctOrNA(d.share), pctOrNA(d.share12), b.name(d.top)})
		}
		s.Tables = append(s.Tables, mt)
	} else {
		s.Notes = append(s.Notes, "No monthly data for this group: annual figures only.")
	}
	if len(gc.measures) > 0 {
		s.Tables = append(s.Tables, b.measureTable(gc.measures))
	} else if !b.sc.has("trade_measures") {
		s.Notes = append(s.Notes, "Export-control measures: "+notAvailable+" (no trade_measures table).")
	}
	return s, nil
}

// partnerCoverage is, per year, the sum of the partners' shares of a
// reported World total (group level, annual).
func (b *builder) partnerCoverage(gc *groupCtx) (map[int]float64, error) {
	rows, err := b.q.QueryContext(b.ctx, `SELECT year, sum(share) FROM import_shares
		WHERE freq = 'A' AND reporter_iso3 = ? AND commodity = ? AND hs_code IS NULL AND source = ?
		  AND total_basis = 'reported_world' AND share IS NOT NULL GROUP BY year`, b.o.Reporter, gc.Slug, gc.source)
	if err != nil {
		return nil, fmt.Errorf("import_shares: %w", err)
	}
	defer rows.Close()
	out := map[int]float64{}
	for rows.Next() {
		var y int
		var v float64
		if err := rows.Scan(&y, &v); err != nil {
			return nil, err
		}
		out[y] = v
	}
	return out, rows.Err()
}

// cutoff is the time the report speaks of: the as-of time, else now.
func (b *builder) cutoff() time.Time {
	if !b.o.AsOf.IsZero() {
		return b.o.AsOf
	}
	return b.o.Now
}

// inForce says which kinds of measure are in force at t and since when
// ("licensing since Aug 2023, ban suspended since Nov 2025"): the earliest
// of each kind, at most three kinds, in order of their dates. A measure
// that another in force suspends is left out; the suspension names it.
func inForce(ms []measure, t time.Time) string {
	day := t.UTC().Format("2006-01-02")
	byID := map[string]measure{}
	suspended := map[string]bool{}
	var live []measure
	for _, m := range ms {
		byID[m.id] = m
		if m.effective <= day && (m.end == "" || m.end > day) {
			live = append(live, m)
			if m.suspends != "" {
				suspended[m.suspends] = true
			}
		}
	}
	var parts []string
	seen := map[string]bool{}
	for _, m := range live {
		if suspended[m.id] {
			continue
		}
		kind := strings.ReplaceAll(m.typ, "_", " ")
		if s, ok := byID[m.suspends]; ok && m.suspends != "" {
			kind = strings.ReplaceAll(s.typ, "_", " ") + " suspended"
		}
		if kind == "" || seen[kind] {
			continue
		}
		seen[kind] = true
		parts = append(parts, kind+" since "+m.eff.Format("Jan 2006"))
		if len(parts) == 3 {
			break
		}
	}
	return strings.Join(parts, ", ")
}

func (b *builder) band(stored sql.NullString, hhi sql.NullFloat64) string {
	if stored.Valid && stored.String != "" {
		return strings.ReplaceAll(stored.String, "_", " ")
	}
	if !hhi.Valid {
		return "—"
	}
	switch {
	case hhi.Float64 >= b.high:
		return "highly concentrated"
	case hhi.Float64 >= b.moderate:
		return "moderately concentrated"
	}
	return "unconcentrated"
}

func (b *builder) measureTable(ms []measure) *Table {
	t := &Table{Caption: "Trade measures on this group", Head: []string{"measure", "type", "imposed by", "target", "announced", "effective", "end", "status", "citation"}}
	for _, m := range ms {
		target := m.targets
		if target == "" {
			target = "every destination"
		}
		t.Rows = append(t.Rows, []string{m.id + ": " + m.title, m.typ, b.name(m.imposing), target, m.announced, m.effective, m.end, m.status, m.citation})
	}
	return t
}

func (s *Section) idFor(gc *groupCtx, what string) string { return gc.Slug + "-" + what }

// attrs records where the chart's numbers come from.
type chartSource struct {
	Table, Reporter, Commodity, Source, Freq, Measure, HS, Side, Event string
	Year                                                               int
}

func (c *Chart) attrs(b *builder, gc *groupCtx, table string) {
	c.From = chartSource{Table: table, Reporter: b.o.Reporter, Commodity: gc.Slug, Source: gc.source}
}

// markMeasures draws each measure as a vertical line numbered in date
// order; the key under the chart says what each number stands for (words
// at the lines would run into each other where measures are close).
func (c *Chart) markMeasures(ms []measure, sx scale, xlo float64) {
	for _, m := range ms {
		x := decimalYear(m.eff)
		if x < xlo {
			continue
		}
		n := len(c.Markers) + 1
		c.Markers = append(c.Markers, Marker{X: sx.at(x), Label: strconv.Itoa(n), Date: m.effective, Measure: m.id,
			Title: fmt.Sprintf("%s — effective %s", m.title, m.effective)})
		c.Key = append(c.Key, KeyItem{Num: n, Text: fmt.Sprintf("%s, effective %s: %s", strings.ReplaceAll(m.typ, "_", " "), m.effective, m.title)})
	}
}

// --- Section 2: who supplies it --------------------------------------------

func (b *builder) partners(gc *groupCtx) (*Section, error) {
	s := &Section{Title: "Who supplies it"}
	t := "import_shares"
	area := "coalesce(c.is_area, false)"
	if b.sc.has(t, "is_area") {
		area = "coalesce(i.is_area, false)"
	}
	rows, err := b.q.QueryContext(b.ctx, `SELECT i.year, i.partner_iso3, i.value_usd, i.share, i.total_value_usd, i.total_basis, `+
		b.sc.qcol(t, "i", "coverage_ratio", "DOUBLE")+`, `+area+` AS is_area
		FROM import_shares i LEFT JOIN countries c ON c.iso3 = i.partner_iso3
		WHERE i.reporter_iso3 = ? AND i.commodity = ? AND i.hs_code IS NULL AND i.freq = 'A' AND i.source = ?
		ORDER BY i.year, i.rank`, b.o.Reporter, gc.Slug, gc.source)
	if err != nil {
		return nil, fmt.Errorf("import_shares: %w", err)
	}
	defer rows.Close()
	type share struct {
		partner      string
		value, share sql.NullFloat64
		isArea       bool
	}
	type year struct {
		y        int
		total    sql.NullFloat64
		basis    string
		coverage sql.NullFloat64
		shares   []share
	}
	var years []*year
	byValue := map[string]float64{}
	for rows.Next() {
		var y int
		var sh share
		var total, cov sql.NullFloat64
		var basis string
		if err := rows.Scan(&y, &sh.partner, &sh.value, &sh.share, &total, &basis, &cov, &sh.isArea); err != nil {
			return nil, err
		}
		if len(years) == 0 || years[len(years)-1].y != y {
			years = append(years, &year{y: y, total: total, basis: basis, coverage: cov})
		}
		cur := years[len(years)-1]
		cur.shares = append(cur.shares, sh)
		if sh.value.Valid && !sh.isArea {
			byValue[sh.partner] += sh.value.Float64
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(years) == 0 {
		s.Missing = "no annual group-level rows in import_shares"
		return s, nil
	}
	// The five largest partners over the whole span; the rest is "others".
	var ps []string
	for p := range byValue {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool {
		if byValue[ps[i]] != byValue[ps[j]] {
			return byValue[ps[i]] > byValue[ps[j]]
		}
		return ps[i] < ps[j]
	})
	if len(ps) > 5 {
		ps = ps[:5]
	}
	top := map[string]bool{}
	var legend []LegendItem
	c := newChart(s.idFor(gc, "partners"), "partner_shares", fmt.Sprintf("Partners' shares of %s imports of %s", b.r.ReporterName, strings.ToLower(gc.Name)),
		"year", "share of imports, %")
	c.attrs(b, gc, "import_shares")
	for i, p := range ps {
		top[p] = true
		legend = append(legend, LegendItem{Series: p, Label: b.name(p), Color: palette[i]})
	}
	legend = append(legend, LegendItem{Series: "others", Label: "others", Color: "#b8c2cc"},
		LegendItem{Series: "unallocated", Label: "not allocated to a partner (partial detail)", Color: "#ffffff", Hatch: true})
	head := []string{"year"}
	for _, p := range ps {
		head = append(head, b.name(p))
	}
	head = append(head, "others", "not allocated", "total imports, USD", "denominator")
	tab := &Table{Caption: "Shares of imports by partner (group level, annual)", Head: head}
	var stacks []stack
	partial := false
	for _, y := range years {
		st := stack{period: strconv.Itoa(y.y)}
		row := []string{st.period}
		byP := map[string]sql.NullFloat64{}
		others, covered := 0.0, 0.0
		for _, sh := range y.shares {
			if !sh.share.Valid {
				continue
			}
			covered += sh.share.Float64
			if top[sh.partner] {
				byP[sh.partner] = sh.share
			} else {
				others += sh.share.Float64
			}
		}
		for _, p := range ps {
			v := byP[p]
			row = append(row, pctOrNA(v))
			if v.Valid {
				st.segs = append(st.segs, seg{series: p, v: v.Float64, value: exact(v.Float64),
					title: fmt.Sprintf("%d: %s %s", y.y, b.name(p), pct1(v.Float64))})
			}
		}
		st.segs = append(st.segs, seg{series: "others", v: others, value: exact(others),
			title: fmt.Sprintf("%d: other partners %s", y.y, pct1(others))})
		row = append(row, pct1(others))
		un := 0.0
		switch {
		case y.coverage.Valid:
			un = 1 - y.coverage.Float64
		case y.basis == "reported_world":
			un = 1 - covered
		}
		if un > 1e-9 {
			partial = true
			st.segs = append(st.segs, seg{series: "unallocated", v: un, value: exact(un), hatch: true,
				title: fmt.Sprintf("%d: %s of the reported total has no partner detail", y.y, pct1(un))})
			row = append(row, pct1(un))
		} else {
			row = append(row, "—")
		}
		basis := strings.ReplaceAll(y.basis, "_", " ")
		if y.coverage.Valid {
			basis += ", coverage " + pct1(y.coverage.Float64)
		}
		row = append(row, usdOrNA(y.total), basis)
		tab.Rows = append(tab.Rows, row)
		stacks = append(stacks, st)
	}
	c.stackedBars(stacks, legend)
	s.Charts = append(s.Charts, c)
	s.Tables = append(s.Tables, tab)
	last := years[len(years)-1]
	if len(last.shares) > 0 && last.shares[0].share.Valid {
		s.Headline = fmt.Sprintf("%d: %s %s", last.y, b.name(last.shares[0].partner), pct1(last.shares[0].share.Float64))
		if len(last.shares) > 1 && last.shares[1].share.Valid {
			s.Headline += fmt.Sprintf(", %s %s", b.name(last.shares[1].partner), pct1(last.shares[1].share.Float64))
		}
	}
	if partial {
		s.Notes = append(s.Notes, "Hatched: the part of the reported World total that the partner detail does not cover.")
		s.Headline += "; partner detail partial"
	}
	if b.sc.has(t, "is_area") || b.sc.has("countries", "is_area") {
		s.Notes = append(s.Notes, "Partner areas (e.g. 'Other Asia, nes') are never among the named top partners; they count in 'others'.")
	}
	return s, nil
}

// --- Section 3: net import reliance ----------------------------------------

func (b *builder) nir(gc *groupCtx) (*Section, error) {
	s := &Section{Title: "Net import reliance (USGS)"}
	if !b.sc.has("mineral_statistics_latest") || !b.sc.has("commodity_usgs") {
		s.Missing = notAvailable + " (no USGS statistics)"
		return s, nil
	}
	rows, err := b.q.QueryContext(b.ctx, `SELECT m.commodity, m.product, m.year, m.value, coalesce(m.qualifier, ''), m.edition
		FROM mineral_statistics_latest m JOIN commodity_usgs cu ON cu.usgs_commodity = m.commodity
		WHERE cu.commodity = ? AND m.measure = 'net_import_reliance' AND m.country_iso3 = ?
		ORDER BY m.commodity, m.product, m.year`, gc.Slug, b.o.Reporter)
	if err != nil {
		return nil, fmt.Errorf("mineral_statistics_latest: %w", err)
	}
	defer rows.Close()
	var all []nir
	for rows.Next() {
		var n nir
		if err := rows.Scan(&n.comm, &n.prod, &n.year, &n.v, &n.qual, &n.ed); err != nil {
			return nil, err
		}
		all = append(all, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(all) == 0 {
		if b.o.Reporter != "USA" {
			s.Missing = "USGS publishes net import reliance for the United States only"
		} else {
			s.Missing = notAvailable + " (no USGS net import reliance for this group)"
		}
		return s, nil
	}
	c := newChart(s.idFor(gc, "nir"), "nir", fmt.Sprintf("Net import reliance of the %s, USGS", b.r.ReporterName),
		"year", "NIR, % of consumption")
	c.From = chartSource{Table: "mineral_statistics_latest", Reporter: b.o.Reporter, Commodity: gc.Slug}
	var ss []series
	idx := map[string]int{}
	xlo, xhi := math.Inf(1), math.Inf(-1)
	tab := &Table{Caption: "Net import reliance beside the trade figures", Head: []string{"USGS commodity", "year", "net import reliance", "edition", b.r.ConcernName + " share of imports (trade data)"}}
	for _, n := range all {
		key := n.comm
		if n.prod != "" {
			key += "/" + n.prod
		}
		if _, ok := idx[key]; !ok {
			idx[key] = len(ss)
			ss = append(ss, series{name: key, label: n.name()})
		}
		xlo, xhi = math.Min(xlo, float64(n.year)), math.Max(xhi, float64(n.year)+1)
		label := nirLabel(n.v, n.qual)
		if n.v.Valid {
			ss[idx[key]].pts = append(ss[idx[key]].pts, xy{x: float64(n.year) + .5, y: n.v.Float64, period: strconv.Itoa(n.year),
				value: exact(n.v.Float64), title: fmt.Sprintf("%d: %s %s (%s)", n.year, key, label, n.ed)})
		}
		trade := "—"
		if v, ok := gc.annual[n.year]; ok {
			trade = pctOrNA(v)
		}
		tab.Rows = append(tab.Rows, []string{key, strconv.Itoa(n.year), label, n.ed, trade})
	}
	s.Headline = nirHeadline(all)
	var xt []float64
	for y := math.Ceil(xlo); y <= xhi; y++ {
		xt = append(xt, y)
	}
	c.lineChart(ss, xlo, xhi, 0, 100, xt, func(v float64) string { return strconv.Itoa(int(v)) })
	for _, sr := range ss {
		if len(sr.pts) == 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("Not drawn: %s, for which USGS gives a qualifier but no figure (see the table).", sr.label))
		}
	}
	s.Charts = append(s.Charts, c)
	s.Tables = append(s.Tables, tab)
	s.Notes = append(s.Notes, "Qualifiers as USGS prints them: '>95' is plotted at 95; 'E' marks a net exporter.")
	return s, nil
}

// nir is one USGS net import reliance figure.
type nir struct {
	comm, prod, qual, ed string
	year                 int
	v                    sql.NullFloat64
}

// reliance orders figures by how import-reliant they say the country is:
// '>95' above 95, '<1' below 1, a net exporter below every figure; false
// for a figure USGS withholds or does not give.
func (n nir) reliance() (float64, bool) {
	switch {
	case n.qual == "E":
		return math.Inf(-1), true
	case !n.v.Valid:
		return 0, false
	case n.qual == ">":
		return n.v.Float64 + 0.5, true
	case n.qual == "<":
		return n.v.Float64 - 0.5, true
	}
	return n.v.Float64, true
}

func (n nir) name() string {
	s := strings.ReplaceAll(n.comm, "_", " ")
	if n.prod != "" {
		s += ", " + n.prod
	}
	return s
}

// nirHeadline states the figure an analyst would quote: the most
// import-reliant form in the latest year with a figure, its qualifier
// kept, and the year's other forms after it.
func nirHeadline(all []nir) string {
	year := 0
	for _, n := range all {
		if _, ok := n.reliance(); ok && n.year > year {
			year = n.year
		}
	}
	var forms []nir
	for _, n := range all {
		if _, ok := n.reliance(); ok && n.year == year {
			forms = append(forms, n)
		}
	}
	if len(forms) == 0 {
		return "no net import reliance figure (USGS withholds or does not give one)"
	}
	sort.SliceStable(forms, func(i, j int) bool {
		ri, _ := forms[i].reliance()
		rj, _ := forms[j].reliance()
		return ri > rj
	})
	h := fmt.Sprintf("%s %s in %d", forms[0].name(), nirLabel(forms[0].v, forms[0].qual), year)
	var rest []string
	for _, n := range forms[1:] {
		name := n.name()
		if n.comm == forms[0].comm && n.prod != "" {
			name = n.prod
		}
		rest = append(rest, name+" "+nirLabel(n.v, n.qual))
	}
	if len(rest) > 0 {
		h += "; " + strings.Join(rest, ", ")
	}
	return h
}

func nirLabel(v sql.NullFloat64, q string) string {
	switch {
	case q == "E":
		return "E (net exporter)"
	case !v.Valid && q != "":
		return q
	case !v.Valid:
		return "—"
	case q == ">" || q == "<":
		return q + strconv.FormatFloat(v.Float64, 'f', -1, 64) + " %"
	}
	return strconv.FormatFloat(v.Float64, 'f', -1, 64) + " %"
}

// --- formatting ---------------------------------------------------------------

func pct1(v float64) string { return fmt.Sprintf("%.1f %%", v*100) }
func pct0(v float64) string { return fmt.Sprintf("%.0f %%", v*100) }
func pctOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return pct1(v.Float64)
}
func ppSigned(v float64) string {
	if math.Abs(v) < 0.05 {
		return "±0 pp"
	}
	return fmt.Sprintf("%+.0f pp", v)
}
func ppOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return fmt.Sprintf("%+.1f", v.Float64)
}

// thousands formats a number rounded to an integer with thin grouping.
func thousands(v float64) string {
	neg := v < 0
	s := strconv.FormatFloat(math.Round(math.Abs(v)), 'f', 0, 64)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "−" + string(out)
	}
	return string(out)
}

func usd(v float64) string {
	a := math.Abs(v)
	sign := ""
	if v < 0 {
		sign = "−"
	}
	switch {
	case a >= 1e9:
		return fmt.Sprintf("%s%.2f bn", sign, a/1e9)
	case a >= 1e6:
		return fmt.Sprintf("%s%.1f M", sign, a/1e6)
	}
	return sign + thousands(a)
}

func usdOrNA(v sql.NullFloat64) string {
	if !v.Valid {
		return "—"
	}
	return usd(v.Float64)
}

func intOrNA(v sql.NullInt64) string {
	if !v.Valid {
		return "—"
	}
	return strconv.FormatInt(v.Int64, 10)
}

func appendOnce(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}
