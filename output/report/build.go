package report

import (
	"context"
	"database/sql"
	"fmt"
	"path"
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
	// Each section reads its rows, then lays them out; provenance lays out
	// the rows readProvenance read for every group at once.
	steps := []func(*groupCtx) (*Section, error){
		readThenLay("Dependency over time", b.readDependency, b.dependency),
		readThenLay("Who supplies it", b.readPartners, b.partners),
		readThenLay("Net import reliance (USGS)", b.readNIR, b.nir),
		readThenLay("What each measure did", b.readEvents, b.events),
		readThenLay("Where else to buy", b.readAlternatives, b.alternatives),
		readThenLay("Diversion candidates", b.readDiversion, b.diversion),
		b.provenance,
	}
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

// sectionRows is what every section's rows carry: missing, when set,
// says why the warehouse has none to lay out (a table or column it lacks,
// or nothing to pick a window from).
type sectionRows struct{ missing string }

func (r sectionRows) why() string { return r.missing }

// readThenLay is a section's step: the rows read finds, laid out by lay
// under title; where there are none, the section says why instead.
func readThenLay[R interface{ why() string }](title string, read func(*groupCtx) (R, error), lay func(*Section, *groupCtx, R)) func(*groupCtx) (*Section, error) {
	return func(gc *groupCtx) (*Section, error) {
		rows, err := read(gc)
		if err != nil {
			return nil, err
		}
		s := &Section{Title: title}
		if s.Missing = rows.why(); s.Missing == "" {
			lay(s, gc, rows)
		}
		return s, nil
	}
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

// cutoff is the time the report speaks of: the as-of time, else now.
func (b *builder) cutoff() time.Time {
	if !b.o.AsOf.IsZero() {
		return b.o.AsOf
	}
	return b.o.Now
}
