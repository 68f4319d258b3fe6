package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/tradewh/tradewh/etl"
)

// progress returns a progress bar on a terminal and a quiet reporter
// otherwise (logs, pipes, cron, containers).
func (g *globals) progress(label string, total int64) etl.Progress {
	f, ok := g.stderr.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || g.logFormat == "json" {
		return etl.QuietProgress{}
	}
	return bar{progressbar.NewOptions64(total,
		progressbar.OptionSetDescription(label),
		progressbar.OptionSetWriter(io.Writer(f)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100_000_000),
	)}
}

type bar struct{ b *progressbar.ProgressBar }

func (b bar) Add(n int64) { _ = b.b.Add64(n) }
func (b bar) Done()       { _ = b.b.Finish() }
