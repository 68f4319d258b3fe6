package runner

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tradewh/tradewh/jobs"
	"github.com/tradewh/tradewh/output/warehouse"
)

// /healthz is 503 naming the warehouse while its folder cannot be written,
// before any job's slot, and 200 as soon as it can be. Tests run as root,
// which chmod does not stop: a file stands where a folder must be, then
// is replaced by a folder.
func TestHealthUnhealthyWhileTheWarehouseCannotBeWritten(t *testing.T) {
	tests := []struct {
		name    string
		blocker string // path, relative to the warehouse folder, that is a file
	}{
		{"the folder's parent is a file", ".."},
		{"the folder is a file", "."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv(t)
			env.Dir = filepath.Join(t.TempDir(), "mnt", "warehouse")
			blocker := filepath.Clean(filepath.Join(env.Dir, tc.blocker))
			if err := os.MkdirAll(filepath.Dir(blocker), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(blocker, []byte("not a folder"), 0o644); err != nil {
				t.Fatal(err)
			}
			j := galliumJob(t)
			j.Schedule = "0 2 * * *"
			r := startSchedule(t, env, &jobs.Config{Jobs: []jobs.Job{j}}, time.Date(2026, 3, 2, 3, 0, 0, 0, time.UTC))
			h := r.sch.Handler()
			waitFor(t, "the scheduler to start", func() bool { return r.clock.Waiters() > 0 })

			code, body := get(h, "/healthz")
			if code != http.StatusServiceUnavailable || !strings.Contains(body, env.Dir) || !strings.Contains(body, "cannot be opened for writing") {
				t.Errorf("/healthz on an unwritable warehouse: %d %q, want 503 naming %s", code, body, env.Dir)
			}

			if err := os.Remove(blocker); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(blocker, 0o755); err != nil {
				t.Fatal(err)
			}
			if code, body := get(h, "/healthz"); code != http.StatusOK {
				t.Errorf("/healthz once the warehouse can be written: %d %q, want 200", code, body)
			}
			if _, err := os.Stat(filepath.Join(env.Dir, warehouse.FileName)); err == nil {
				t.Error("the health check created the warehouse")
			}
		})
	}
}
