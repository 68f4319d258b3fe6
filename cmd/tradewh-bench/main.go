// Command tradewh-bench compares the BACI load with DuckDB's read_csv on a
// generated file (or one given with --file):
// go run -tags duckdb_arrow ./cmd/tradewh-bench --rows 1000000
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/tradewh/tradewh/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == bench.ChildFlag {
		exit(bench.RunChild(ctx, os.Args[2:], os.Stdout))
		return
	}
	var o bench.Options
	flag.IntVar(&o.Rows, "rows", 1_000_000, "rows in the generated BACI file (e.g. 1000000, 2500000, 10000000)")
	flag.IntVar(&o.Rounds, "rounds", 3, "rounds of A (tradewh load) and B (DuckDB read_csv), alternated")
	flag.StringVar(&o.File, "file", "", "an existing BACI file (t,i,j,k,v,q) to use instead of generating one; --rows is then its size")
	flag.StringVar(&o.Dir, "dir", "", "scratch folder (default: a temporary folder, removed afterwards)")
	flag.Int64Var(&o.Seed, "seed", 1, "generator seed")
	flag.StringVar(&o.Order, "order", "baci", "generated rows: baci (BACI's order) or random (no order, some keys repeated)")
	flag.StringVar(&o.HS, "hs", "all", "all: load every row; critical: only the commodity groups' codes")
	flag.BoolVar(&o.Verbose, "v", false, "show the warehouse's own step timings on stderr")
	flag.Parse()
	exit(bench.Run(ctx, o, os.Stdout))
}

func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "tradewh-bench:", err)
		os.Exit(1)
	}
}
