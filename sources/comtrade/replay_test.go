package comtrade

import (
	"net/http/httptest"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// An incremental run asks for fewer periods than a full one, so a replay
// cannot look its requests up by URL; it reads the whole landing zone, and
// the newest copy of a record wins.
func TestReplayReadsTheWholeLandingZone(t *testing.T) {
	t.Setenv(testKeyEnv, "k-123")
	api := &fakeAPI{t: t}
	srv := httptest.NewServer(api)
	raw := t.TempDir()
	for _, extra := range []map[string]any{{"from": "2022", "to": "2023"}, {"from": "2023"}} {
		if _, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, extra), etl.Runtime{RawDir: raw})); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()
	sink, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, map[string]any{"from": "2000", "to": "2024"}),
		etl.Runtime{RawDir: raw, Replay: true}))
	if err != nil {
		t.Fatal(err)
	}
	if got := sink.Rows(etl.TradeFlows); got != 32 {
		t.Errorf("replay gave %d rows, want 32 (16 per year, the 2023 copies once)", got)
	}
	if len(sink.Rejections) != 0 {
		t.Errorf("rejections: %v", sink.Rejections)
	}
	// Monthly jobs replay only monthly responses.
	if _, err := etltest.Extract(t, etltest.Build(t, KindAPI, apiConfig(srv.URL, map[string]any{"freq": "M", "from": "202301"}),
		etl.Runtime{RawDir: raw, Replay: true})); err == nil {
		t.Error("a monthly replay over annual responses should say there is nothing to replay")
	}
}
