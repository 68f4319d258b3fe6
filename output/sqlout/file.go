package sqlout

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tradewh/tradewh/internal/atomicfile"
)

// FormatOf names the format a file name's extension asks for ("" when it
// names none).
func FormatOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return CSV
	case ".jsonl", ".ndjson":
		return JSONL
	case ".json":
		return JSON
	case ".parquet":
		return Parquet
	case ".txt":
		return Table
	}
	return ""
}

// Parquet is a format for files only: DuckDB writes it.
const Parquet = "parquet"

// WriteFile writes a file whole or not at all: fill writes to a temporary
// file beside it, which replaces path only when fill succeeded.
func WriteFile(path string, fill func(tmp string, w io.Writer) error) error {
	// Made with the umask's permissions, as the file it becomes should be.
	pattern := fmt.Sprintf(".%s.%d-*.tmp", filepath.Base(path), os.Getpid())
	return atomicfile.Write(path, atomicfile.Options{Pattern: pattern, Perm: 0o666}, func(f *os.File) error {
		bw := bufio.NewWriterSize(f, 256<<10)
		if err := fill(f.Name(), bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// RunToFile runs a script into path in format, whole or not at all. A
// Parquet file takes exactly one statement and is written by DuckDB (COPY
// … TO … (FORMAT parquet)) into scratch, a folder the connection may write
// when nothing else (a sealed warehouse's spill folder), then copied.
func RunToFile(ctx context.Context, db *sql.DB, stmts []string, path, format, scratch string) error {
	if format != Parquet {
		return WriteFile(path, func(_ string, w io.Writer) error {
			return Run(ctx, db, stmts, w, format)
		})
	}
	if len(stmts) != 1 {
		return fmt.Errorf("a Parquet file holds one result: give one statement, got %d", len(stmts))
	}
	return WriteFile(path, func(_ string, w io.Writer) error {
		f, err := os.CreateTemp(scratch, "query-*.parquet")
		if err != nil {
			return err
		}
		name := f.Name()
		f.Close()
		defer os.Remove(name)
		q := fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet, COMPRESSION zstd)", stmts[0], strings.ReplaceAll(name, "'", "''"))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return errors.Join(errors.New("writing Parquet"), err)
		}
		f, err = os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	})
}
