package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tradewh/tradewh/jobs/runner"
	"github.com/tradewh/tradewh/output/warehouse"
)

// env is what the commands' work shares, from the global flags.
func (g *globals) env() *runner.Env {
	return &runner.Env{Dir: g.warehouse, Logger: g.logger, RawDir: g.rawDir, Replay: g.replay,
		Progress: g.progress, Clock: g.clock, ParquetGrace: g.parquetGrace}
}

// openWriter takes the writer lock and opens the warehouse for command.
func (g *globals) openWriter(ctx context.Context, command string) (*runner.Session, error) {
	return g.env().OpenWriter(ctx, command)
}

// openReader opens the warehouse read-only as o says; when there is none
// yet, it says how to build one.
func (g *globals) openReader(ctx context.Context, o runner.ReadOptions) (*warehouse.Warehouse, error) {
	if _, err := os.Stat(filepath.Join(g.warehouse, warehouse.FileName)); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no warehouse at %s: build the demo one with %s", g.warehouse, g.commandLine("run"))
	}
	return g.env().OpenReader(ctx, o)
}
