package usgsmcs

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/etl/etltest"
)

// Files listed by URL are downloaded into the landing zone under their
// published names, read like local files, and replayed with no server.
func TestURLsDownloadAndReplay(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "mcs2025-raree_salient.csv"))
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path != "/catalog/file/mcs2025-raree_salient.csv" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	raw := t.TempDir()
	run := func(replay bool, urls ...string) (*etl.MemorySink, error) {
		return etltest.Extract(t, etltest.Build(t, Kind, map[string]any{"urls": urls}, etl.Runtime{RawDir: raw, Replay: replay}))
	}
	url := srv.URL + "/catalog/file/mcs2025-raree_salient.csv"
	sink, err := run(false, url)
	if err != nil {
		t.Fatal(err)
	}
	want := sink.Rows(etl.MineralStatistics)
	if want == 0 || hits != 1 {
		t.Fatalf("%d rows from %d requests", want, hits)
	}
	if _, err := os.Stat(filepath.Join(raw, Kind, "files", "mcs2025-raree_salient.csv")); err != nil {
		t.Errorf("no landed copy: %v", err)
	}
	srv.Close()
	replayed, err := run(true, url)
	if err != nil {
		t.Fatal(err)
	}
	if got := replayed.Rows(etl.MineralStatistics); got != want {
		t.Errorf("replay gave %d rows, want %d", got, want)
	}
	if _, err := run(false, "ftp://example.org/x.csv"); err == nil || !strings.Contains(err.Error(), "not an http(s) URL") {
		t.Errorf("an ftp URL: %v", err)
	}
}
