package sqlout

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Formats a result can be written in.
const (
	Table = "table" // aligned columns, NULL shown as NULL, a row count after each result
	CSV   = "csv"   // RFC 4180, a header line per result, NULL as an empty field
	JSON  = "json"  // an indented array of objects per result
	JSONL = "jsonl" // one object per line
)

// Formats lists the formats Write accepts.
var Formats = []string{Table, CSV, JSON, JSONL}

// tableBlock is how many rows a table aligns at once: a longer result is
// printed in blocks of this many rows rather than held whole.
const tableBlock = 1000

// Run checks every statement of a script before the first runs (so a
// mistake in the last prints nothing), then runs them in order on one
// connection and writes each result that has columns to w, row by row.
func Run(ctx context.Context, db *sql.DB, stmts []string, w io.Writer, format string) error {
	if len(stmts) == 0 {
		return errors.New("no SQL statement given")
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	prepared := make([]*sql.Stmt, 0, len(stmts))
	defer func() {
		for _, p := range prepared {
			p.Close()
		}
	}()
	for i, s := range stmts {
		p, err := conn.PrepareContext(ctx, s)
		if err != nil {
			return statementErr(i, len(stmts), err)
		}
		prepared = append(prepared, p)
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	first := true
	for i, p := range prepared {
		if err := func() error {
			rows, err := p.QueryContext(ctx)
			if err != nil {
				return err
			}
			defer rows.Close()
			cols, types, err := columns(rows)
			if err != nil {
				return err
			}
			if len(cols) == 0 {
				return rows.Err()
			}
			more := rows.Next()
			// DuckDB answers SET and the like with an empty "Success" result.
			if !more && len(cols) == 1 && cols[0] == "Success" && types[0] == "BOOLEAN" {
				return rows.Err()
			}
			if !first && format != JSONL {
				bw.WriteByte('\n')
			}
			first = false
			return write(bw, rows, cols, types, format, more)
		}(); err != nil {
			bw.Flush()
			return statementErr(i, len(stmts), err)
		}
	}
	return bw.Flush()
}

func statementErr(i, n int, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("statement %d of %d: %w", i+1, n, err)
}

// Write streams one result to w in format.
func Write(w io.Writer, rows *sql.Rows, format string) error {
	cols, types, err := columns(rows)
	if err != nil {
		return err
	}
	return write(w, rows, cols, types, format, rows.Next())
}

func columns(rows *sql.Rows) (cols, types []string, err error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cts {
		cols = append(cols, c.Name())
		types = append(types, c.DatabaseTypeName())
	}
	return cols, types, nil
}

// write is Write on rows already advanced once; more is what Next said.
func write(w io.Writer, rows *sql.Rows, cols, types []string, format string, more bool) error {
	vals := make([]any, len(cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var rw rowWriter
	switch format {
	case CSV:
		rw = &csvWriter{cw: csv.NewWriter(w)}
	case JSON:
		rw = &jsonWriter{w: w, indent: true}
	case JSONL:
		rw = &jsonWriter{w: w}
	case Table:
		rw = &tableWriter{w: w}
	default:
		return fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats, ", "))
	}
	if err := rw.begin(cols); err != nil {
		return err
	}
	for ; more; more = rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		if err := rw.row(cols, types, vals); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rw.end()
}

type rowWriter interface {
	begin(cols []string) error
	row(cols, types []string, vals []any) error
	end() error
}

type csvWriter struct {
	cw   *csv.Writer
	line []string
}

func (c *csvWriter) begin(cols []string) error {
	c.line = make([]string, len(cols))
	return c.cw.Write(cols)
}

func (c *csvWriter) row(_, types []string, vals []any) error {
	for i, v := range vals {
		c.line[i] = Text(v, types[i])
	}
	return c.cw.Write(c.line)
}

func (c *csvWriter) end() error {
	c.cw.Flush()
	return c.cw.Error()
}

// jsonWriter writes objects whose keys keep the query's column order.
type jsonWriter struct {
	w      io.Writer
	indent bool
	n      int
	buf    []byte
}

func (j *jsonWriter) begin([]string) error {
	if j.indent {
		_, err := io.WriteString(j.w, "[")
		return err
	}
	return nil
}

func (j *jsonWriter) row(cols, types []string, vals []any) error {
	b := j.buf[:0]
	sep, colon, pad := ",", ":", ""
	if j.indent {
		if j.n > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n  {"...)
		sep, colon, pad = ",", ": ", "\n    "
	} else {
		b = append(b, '{')
	}
	for i, c := range cols {
		if i > 0 {
			b = append(b, sep...)
		}
		b = append(b, pad...)
		b = appendString(b, c)
		b = append(b, colon...)
		b = AppendJSON(b, vals[i], types[i])
	}
	if j.indent {
		b = append(b, "\n  }"...)
	} else {
		b = append(b, "}\n"...)
	}
	j.buf = b
	j.n++
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) end() error {
	if !j.indent {
		return nil
	}
	s := "\n]\n"
	if j.n == 0 {
		s = "]\n"
	}
	_, err := io.WriteString(j.w, s)
	return err
}

// cellEscaper keeps a table cell on its line and in its column.
var cellEscaper = strings.NewReplacer("\t", `\t`, "\n", `\n`, "\r", `\r`)

// tableWriter aligns columns a block of rows at a time.
type tableWriter struct {
	w    io.Writer
	tw   *tabwriter.Writer
	n    int
	line []string
}

func (t *tableWriter) begin(cols []string) error {
	t.tw = tabwriter.NewWriter(t.w, 0, 0, 2, ' ', 0)
	t.line = make([]string, len(cols))
	_, err := fmt.Fprintln(t.tw, strings.Join(cols, "\t"))
	return err
}

func (t *tableWriter) row(_, types []string, vals []any) error {
	for i, v := range vals {
		if v == nil {
			t.line[i] = "NULL"
		} else {
			t.line[i] = cellEscaper.Replace(Text(v, types[i]))
		}
	}
	if _, err := fmt.Fprintln(t.tw, strings.Join(t.line, "\t")); err != nil {
		return err
	}
	t.n++
	if t.n%tableBlock == 0 {
		return t.tw.Flush()
	}
	return nil
}

func (t *tableWriter) end() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(t.w, "("+strconv.Itoa(t.n)+" rows)\n")
	return err
}
