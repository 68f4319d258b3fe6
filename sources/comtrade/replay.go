package comtrade

import (
	"context"
	"fmt"
	"strings"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/sources/fetch"
)

// replayLanding loads every stored response of this frequency from the
// landing zone, newest first, with no network and no request plan: the
// plan of an incremental run differs from a full one, but what was
// retrieved is all there. A record retrieved again later (inside the
// revision window) supersedes its older copies, which are skipped.
func (s *apiSource) replayLanding(ctx context.Context, sink etl.Sink) error {
	stored, err := fetch.List(s.rt.RawDir, KindAPI)
	if err != nil {
		return err
	}
	m := newMapper(KindAPI, sink)
	m.seen = map[flowKey]bool{}
	marker := "/C/" + s.cfg.Freq + "/"
	n := 0
	for i := len(stored) - 1; i >= 0; i-- {
		st := stored[i]
		if st.Status < 200 || st.Status > 299 || !strings.Contains(st.URL, marker) {
			continue
		}
		f, err := st.Open()
		if err != nil {
			return err
		}
		err = emitV1(ctx, f, st.URL, m)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: replaying %s: %w", KindAPI, st.BodyPath, err)
		}
		n++
	}
	s.log.Info("replayed the landing zone", "responses", n, "superseded_rows", m.superseded)
	if n == 0 {
		return fmt.Errorf("%s: nothing to replay: no stored %s responses under %s", KindAPI, s.cfg.Freq, fetch.SourceDir(s.rt.RawDir, KindAPI))
	}
	return m.close(ctx)
}

// flowKey is a trade flow's natural key within one source.
type flowKey struct {
	freq, reporter, partner, flow, hs string
	period                            int64
}
