package census

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/fetch"
)

type source struct {
	cfg    Config
	key    string
	keyEnv string
	client *fetch.Client
	rt     etl.Runtime
	log    *slog.Logger
}

func newSource(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
	c, err := ParseConfig(cfg, time.Now().UTC())
	if err != nil {
		return nil, err
	}
	f, err := fetch.ForSource(KindName, cfg, rt, DefaultKeyEnv, 2)
	if err != nil {
		return nil, err
	}
	if f.Key == "" && !rt.Replay {
		f.Log.Info("no Census API key: the API allows 500 requests a day without one", "env", f.KeyEnv)
	}
	return &source{cfg: c, key: f.Key, keyEnv: f.KeyEnv, client: f.Client, rt: rt, log: f.Log}, nil
}

// Extract runs the plan, one request after the other, through one writer.
func (s *source) Extract(ctx context.Context, sink etl.Sink) error {
	plan := Plan(s.cfg)
	w := etl.NewTradeFlowWriter(sink, 0)
	prog := s.rt.StartProgress("census requests", int64(len(plan)))
	defer prog.Done()
	var total counts
	for _, r := range plan {
		c, err := s.fetchOne(ctx, r, sink, w)
		if err != nil {
			return err // rows still buffered are dropped with the failed run
		}
		total.groupings += c.groupings
		total.rejected += c.rejected
		prog.Add(1)
	}
	if err := w.Close(ctx); err != nil {
		return err
	}
	s.log.Info("census extract done", "requests", len(plan), "rows", w.Written,
		"rejected", total.rejected+w.Rejected, "country_groupings_skipped", total.groupings)
	return nil
}

// counts are the rows of a response that were not written, by reason.
type counts struct {
	groupings int64 // country groupings, skipped on purpose
	rejected  int64 // rows that did not map
}

// fetchOne fetches r and writes its rows. Grouping rows are skipped on
// purpose and counted; rows that do not map are rejected to the sink.
func (s *source) fetchOne(ctx context.Context, r Request, sink etl.Sink, w *etl.TradeFlowWriter) (c counts, err error) {
	resp, err := s.client.Get(ctx, s.cfg.URL(r, s.key), nil)
	if err != nil {
		return c, err
	}
	defer resp.Close()
	if resp.Status == http.StatusNoContent {
		s.log.Debug("no data", "url", resp.URL)
		return c, nil
	}
	f, err := resp.Open()
	if err != nil {
		return c, fmt.Errorf("%s: %s: %w", KindName, resp.URL, err)
	}
	defer f.Close()
	v := s.cfg.vars(r.Flow)
	required := append(s.cfg.getVars(r.Flow), "time")
	var rows int64
	err = readTable(f, required, func(n int64, t table, row []string) error {
		rows++
		m := rowMapper{flow: r.Flow, v: v, t: t, lvl: s.cfg.Digits()}
		tf, skip, col, why := m.toFlow(row)
		switch {
		case skip:
			c.groupings++
			return nil
		case why != "":
			c.rejected++
			return sink.Reject(ctx, etl.Rejection{Table: etl.TradeFlows, Source: KindName, Ref: resp.URL, Row: n,
				Column: col, Reason: why, Raw: fmt.Sprintf("%q", row)})
		}
		tf.Source, tf.Ref, tf.Row = KindName, resp.URL, n
		return w.Add(ctx, tf)
	})
	if errors.Is(err, errInvalidKey) {
		return c, fmt.Errorf("%s: %s: %w; set environment variable %s to a valid key (or unset it to go without)",
			KindName, resp.URL, err, s.keyEnv)
	}
	if err != nil {
		return c, fmt.Errorf("%s: %s: %w", KindName, resp.URL, err)
	}
	s.log.Debug("response read", "url", resp.URL, "rows", rows, "country_groupings_skipped", c.groupings, "rejected", c.rejected)
	return c, nil
}
