package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MeasureHeading is what a trade measure's event window is introduced with.
type MeasureHeading struct {
	ID, Title, Imposing string
	Targets             string // ISO3 codes joined by ", "; "" for every destination
	Effective           time.Time
	End                 time.Time // zero while open-ended
	Status              string    // as of StatusOn, from the dates (see trade_measures)
	StatusOn            time.Time // the day the status was read on
	Codes               int       // HS codes it covers (none for a ban on technologies)
}

// ErrNoMeasure is wrapped by Measure's error for an id trade_measures lacks.
var ErrNoMeasure = errors.New("no such measure in trade_measures")

// Measure returns the heading of the current version of measure id.
func (w *Warehouse) Measure(ctx context.Context, id string) (MeasureHeading, error) {
	m := MeasureHeading{ID: id}
	var targets sql.NullString
	var end sql.NullTime
	err := w.db.QueryRowContext(ctx, `SELECT title, imposing_iso3, effective_date, array_to_string(target_iso3, ', '),
		end_date, status, (SELECT count(*) FROM trade_measure_codes c WHERE c.measure_id = m.measure_id)
		FROM trade_measures m WHERE measure_id = ?`, id).Scan(&m.Title, &m.Imposing, &m.Effective, &targets,
		&end, &m.Status, &m.Codes)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("%w: %q", ErrNoMeasure, id)
	}
	if err != nil {
		return m, fmt.Errorf("read measure %s: %w", id, err)
	}
	m.Targets = targets.String
	m.End = end.Time
	// The day trade_measures reads statuses on (measures_today()): the
	// warehouse clock's, in UTC.
	y, mo, d := w.now().Date()
	m.StatusOn = time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	return m, nil
}

// EventWindowFilter picks rows of event_windows: one measure and event, one
// HS code ("" for the measure's codes of each group together), and
// optionally one side, frequency and source.
type EventWindowFilter struct {
	Measure, Event, Code string
	Side, Freq, Source   string
}

// EventWindowRow is one destination in one period of an event window.
type EventWindowRow struct {
	Source, Freq, Side    string
	Commodity, HSCode     string // "" when null
	EventDate, Period     time.Time
	T                     int
	Destination           string // target, others or world
	ValueUSD, WeightKg    sql.NullFloat64
	UnitValueUSDPerKg     sql.NullFloat64
	ValueIndex, IndexPrev sql.NullFloat64
	TargetShare           sql.NullFloat64
}

// EventWindow returns the rows of event_windows f picks, ordered by source,
// frequency (monthly first), side, commodity and t, with the target before
// the others and the world.
func (w *Warehouse) EventWindow(ctx context.Context, f EventWindowFilter) ([]EventWindowRow, error) {
	cond, args := "hs_code IS NULL", []any{f.Measure, f.Event}
	if f.Code != "" {
		cond = "hs_code = ?"
		args = append(args, f.Code)
	}
	for _, c := range []struct{ col, val string }{{"side", f.Side}, {"freq", f.Freq}, {"source", f.Source}} {
		if c.val != "" {
			cond += " AND " + c.col + " = ?"
			args = append(args, c.val)
		}
	}
	rows, err := w.db.QueryContext(ctx, `SELECT source, freq, side, commodity, hs_code, event_date, t, period, destination,
		value_usd, weight_kg, unit_value_usd_per_kg, value_index, value_index_prev, target_share
		FROM event_windows WHERE measure_id = ? AND event = ? AND `+cond+`
		ORDER BY source, freq DESC, side DESC, commodity, t,
		         CASE destination WHEN 'target' THEN 0 WHEN 'others' THEN 1 ELSE 2 END`, args...)
	if err != nil {
		return nil, fmt.Errorf("read event window of %s: %w", f.Measure, err)
	}
	defer rows.Close()
	var out []EventWindowRow
	for rows.Next() {
		var r EventWindowRow
		var commodity, hs sql.NullString
		if err := rows.Scan(&r.Source, &r.Freq, &r.Side, &commodity, &hs, &r.EventDate, &r.T, &r.Period, &r.Destination,
			&r.ValueUSD, &r.WeightKg, &r.UnitValueUSDPerKg, &r.ValueIndex, &r.IndexPrev, &r.TargetShare); err != nil {
			return nil, fmt.Errorf("read event window of %s: %w", f.Measure, err)
		}
		r.Commodity, r.HSCode = commodity.String, hs.String
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read event window of %s: %w", f.Measure, err)
	}
	return out, nil
}
