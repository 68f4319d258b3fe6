package comtrade

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/fetch"
)

// keyHeader carries the subscription key of the keyed endpoint.
const keyHeader = "Ocp-Apim-Subscription-Key"

type apiSource struct {
	cfg    APIConfig
	key    string
	client *fetch.Client
	rt     etl.Runtime
	log    *slog.Logger
}

func newAPISource(cfg etl.Config, rt etl.Runtime) (etl.Source, error) {
	// replay: true in the config serves this job's requests from the
	// landing zone (run --replay instead reads all of it: rt.Replay).
	replay, err := cfg.Bool("replay")
	if err != nil {
		return nil, err
	}
	crt := rt
	crt.Replay = rt.Replay || replay
	f, err := fetch.ForSource(KindAPI, cfg, crt, DefaultKeyEnv, 1)
	if err != nil {
		return nil, err
	}
	c, err := ParseAPIConfig(cfg, f.Key != "")
	if err != nil {
		return nil, err
	}
	if f.Key == "" {
		f.Log.Info("no Comtrade API key: using the keyless preview endpoint (500 rows a request)", "env", f.KeyEnv)
	}
	return &apiSource{cfg: c, key: f.Key, client: f.Client, rt: rt, log: f.Log}, nil
}

// Extract runs the plan. A response that comes back with max_rows rows was
// cut short, so its rows are dropped and the request is split and asked
// again; the parts cover the same ground, so nothing is lost or doubled.
func (s *apiSource) Extract(ctx context.Context, sink etl.Sink) error {
	if s.rt.Replay {
		return s.replayLanding(ctx, sink)
	}
	queue := Plan(s.cfg)
	header := http.Header{}
	if s.key != "" {
		header.Set(keyHeader, s.key)
	}
	m := newMapper(KindAPI, sink)
	prog := s.rt.StartProgress("comtrade requests", int64(len(queue)))
	defer prog.Done()
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		parts, err := s.fetchOne(ctx, r, header, m)
		if err != nil {
			return err
		}
		if parts != nil {
			queue = append(parts, queue...)
			continue
		}
		prog.Add(1)
	}
	return m.close(ctx)
}

// fetchOne fetches r and emits its rows, or returns the requests to make
// instead when the response was truncated.
func (s *apiSource) fetchOne(ctx context.Context, r Request, header http.Header, m *mapper) ([]Request, error) {
	resp, err := s.client.Get(ctx, s.cfg.URL(r), header)
	if err != nil {
		return nil, err
	}
	defer resp.Close()
	// First pass: check the body and count its rows before emitting any.
	info, err := scanBody(resp)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", KindAPI, resp.URL, err)
	}
	if info.Rows >= s.cfg.MaxRows {
		parts := r.Split()
		if parts == nil {
			hint := "raise max_rows"
			if !s.cfg.Keyed {
				hint = "set an API key (the preview endpoint stops at 500 rows)"
			}
			return nil, fmt.Errorf("%s: %s: %d rows, the most one request returns, for a single period, commodity, reporter, partner and flow: %s",
				KindAPI, resp.URL, info.Rows, hint)
		}
		s.log.Info("response truncated: splitting the request", "url", resp.URL, "rows", info.Rows, "parts", len(parts))
		return parts, nil
	}
	f, err := resp.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return nil, emitV1(ctx, f, resp.URL, m)
}

func scanBody(resp *fetch.Response) (v1Info, error) {
	f, err := resp.Open()
	if err != nil {
		return v1Info{}, err
	}
	defer f.Close()
	return readV1(io.Reader(f), nil)
}
