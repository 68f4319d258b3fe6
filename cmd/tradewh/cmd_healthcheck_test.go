package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	healthy := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		if !healthy {
			http.Error(w, "failing: comtrade-annual: 502", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	cfg := filepath.Join(t.TempDir(), "jobs.yaml")
	listen := strings.TrimPrefix(srv.URL, "http://")
	if err := os.WriteFile(cfg, []byte("http: { listen: \""+listen+"\" }\njobs: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	if out := mustCLI(t, "healthcheck", "--url", srv.URL+"/healthz"); out != "ok\n" {
		t.Errorf("healthy: %q", out)
	}
	mustCLI(t, "healthcheck", "--config", cfg)
	healthy = false
	code, _, errs := cli(t, "healthcheck", "--config", cfg)
	if code != 1 || !strings.Contains(errs, "503") || !strings.Contains(errs, "comtrade-annual") {
		t.Errorf("unhealthy: exit %d, %q", code, errs)
	}
	srv.Close()
	if code, _, errs := cli(t, "healthcheck", "--url", srv.URL+"/healthz"); code != 1 || !strings.Contains(errs, "no answer") {
		t.Errorf("no scheduler: exit %d, %q", code, errs)
	}
	if got := healthURL("0.0.0.0:9464"); got != "http://127.0.0.1:9464/healthz" {
		t.Errorf("healthURL wildcard: %s", got)
	}
}

func TestVersion(t *testing.T) {
	out := mustCLI(t, "--version")
	if !strings.HasPrefix(out, "tradewh ") || !strings.Contains(out, "revision ") || !strings.Contains(out, "go1.") {
		t.Errorf("--version: %q", out)
	}
}
