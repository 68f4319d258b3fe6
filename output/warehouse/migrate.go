package warehouse

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tradewh/tradewh/etl"
	whsql "github.com/tradewh/tradewh/sql"
)

const createMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
    name       VARCHAR PRIMARY KEY,
    applied_at TIMESTAMP NOT NULL
)`

// migrate applies each embedded migration not yet recorded, one
// transaction per migration so a failing one leaves the earlier ones.
func (w *Warehouse) migrate(ctx context.Context) error {
	if _, err := w.db.ExecContext(ctx, createMigrations); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	pending, err := w.pendingMigrations(ctx)
	if err != nil {
		return err
	}
	byName := map[string]string{}
	for _, m := range whsql.Migrations() {
		byName[m.Name] = m.SQL
	}
	for _, name := range pending {
		err := inTx(ctx, w.db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, byName[name]); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, ?)`, name, w.now())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
		w.log.Info("applied migration", "name", name)
	}
	return nil
}

// pendingMigrations lists the embedded migrations not yet applied, in order.
func (w *Warehouse) pendingMigrations(ctx context.Context) ([]string, error) {
	applied := map[string]bool{}
	var exists bool
	err := w.db.QueryRowContext(ctx, `SELECT count(*) > 0 FROM duckdb_tables()
		WHERE table_name = 'schema_migrations' AND schema_name = 'main' AND NOT temporary`).Scan(&exists)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	if exists {
		rows, err := w.db.QueryContext(ctx, `SELECT name FROM schema_migrations`)
		if err != nil {
			return nil, fmt.Errorf("read schema_migrations: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return nil, err
			}
			applied[n] = true
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	var out []string
	for _, m := range whsql.Migrations() {
		if !applied[m.Name] {
			out = append(out, m.Name)
		}
	}
	return out, nil
}

// refreshReference rewrites the reference tables from the program's own
// lists, so a new release's countries or HS codes apply at once.
func (w *Warehouse) refreshReference(ctx context.Context) error {
	var countries, groups, codes, usgs [][]any
	for _, c := range etl.Countries() {
		countries = append(countries, []any{c.ISO3, nullStr(c.ISO2), c.M49, nullStr(c.Census), c.Name, c.IsArea})
	}
	for _, g := range etl.CommodityGroups {
		groups = append(groups, []any{g.Slug, g.Name})
		for _, c := range g.Codes {
			codes = append(codes, []any{g.Slug, c.HSCode, c.Description, c.Revisions, nullStr(c.Note)})
		}
		for _, u := range g.USGS {
			usgs = append(usgs, []any{g.Slug, u})
		}
	}
	err := inTx(ctx, w.db, func(tx *sql.Tx) error {
		for _, t := range []struct {
			name string
			rows [][]any
		}{{"countries", countries}, {"commodity_groups", groups}, {"commodity_codes", codes}, {"commodity_usgs", usgs}} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.name); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
			if err := insertRows(ctx, tx, t.name, t.rows); err != nil {
				return fmt.Errorf("%s: %w", t.name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("refresh reference tables: %w", err)
	}
	return nil
}

// insertRows inserts rows with one multi-row INSERT.
func insertRows(ctx context.Context, tx *sql.Tx, table string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(rows[0])), ", ") + ")"
	var b strings.Builder
	args := make([]any, 0, len(rows)*len(rows[0]))
	b.WriteString("INSERT INTO " + table + " VALUES ")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ph)
		args = append(args, r...)
	}
	_, err := tx.ExecContext(ctx, b.String(), args...)
	return err
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// inTx runs f in a transaction on db, committing when f succeeds.
func inTx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}
