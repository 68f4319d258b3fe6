package scheduler

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/tradewh/tradewh/internal/buildinfo"
)

// metrics live in their own registry so nothing else in the process leaks
// into /metrics and tests can build many schedulers.
type metrics struct {
	reg         *prometheus.Registry
	runs        *prometheus.CounterVec
	loaded      *prometheus.CounterVec
	rejected    *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
	duration    *prometheus.HistogramVec
	running     *prometheus.GaugeVec
}

func newMetrics(jobs []string) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradewh_runs_total", Help: "Job runs by final status (ok, failed, skipped, panicked, cancelled).",
		}, []string{"job", "status"}),
		loaded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradewh_rows_loaded_total", Help: "Rows loaded by successful runs.",
		}, []string{"job"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tradewh_rows_rejected_total", Help: "Rows rejected by successful runs, each once: the same bad rows read again are not counted again.",
		}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tradewh_last_success_timestamp_seconds", Help: "Unix time of the job's last successful run.",
		}, []string{"job"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tradewh_run_duration_seconds", Help: "Wall time of a run, all attempts and retry delays included.",
			// 1 s to about 4.5 h: nightly loads range from seconds to hours.
			Buckets: prometheus.ExponentialBuckets(1, 2, 15),
		}, []string{"job"}),
		running: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tradewh_job_running", Help: "1 while the job is running.",
		}, []string{"job"}),
	}
	m.reg.MustRegister(m.runs, m.loaded, m.rejected, m.lastSuccess, m.duration, m.running, buildInfoGauge(),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Series exist from the start so rate() and absent() alerts work before the first run.
	for _, j := range jobs {
		for _, st := range []string{statusOK, statusFailed, statusSkipped, statusPanicked, statusCancelled} {
			m.runs.WithLabelValues(j, st)
		}
		m.loaded.WithLabelValues(j)
		m.rejected.WithLabelValues(j)
		m.running.WithLabelValues(j).Set(0)
	}
	return m
}

// buildInfoGauge is tradewh_build_info{version,revision,goversion} 1.
func buildInfoGauge() prometheus.Collector {
	bi := buildinfo.Get()
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "tradewh_build_info", Help: "Always 1; the labels name the running build.",
	}, []string{"version", "revision", "goversion"})
	g.WithLabelValues(bi.Version, bi.Revision, bi.GoVersion).Set(1)
	return g
}

// Handler serves /healthz and /metrics.
func (s *Scheduler) Handler() http.Handler { return s.handler }

func (s *Scheduler) newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return mux
}

// healthz is 200 "ok" unless Options.Check fails or a job's last run
// failed; then 503 naming the check's error and each failing job with its
// error. It recovers when the check passes and the job next succeeds.
func (s *Scheduler) healthz(w http.ResponseWriter, _ *http.Request) {
	var checkErr error
	if s.opts.Check != nil {
		checkErr = s.opts.Check()
	}
	s.mu.Lock()
	var failing []string
	for _, name := range s.order {
		js := s.jobs[name]
		if js.lastErr != nil {
			failing = append(failing, fmt.Sprintf("%s: failed at %s: %v",
				name, js.lastFailedAt.Format(time.RFC3339), js.lastErr))
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if checkErr != nil || len(failing) > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		if checkErr != nil {
			fmt.Fprintln(w, checkErr)
		}
		if len(failing) > 0 {
			fmt.Fprintf(w, "failing jobs:\n%s\n", strings.Join(failing, "\n"))
		}
		return
	}
	fmt.Fprintln(w, "ok")
}

// serve binds Listen and serves Handler in the background; nil when Listen is "".
func (s *Scheduler) serve() (*http.Server, error) {
	if s.opts.Listen == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("scheduler: listen on %s: %w", s.opts.Listen, err)
	}
	s.mu.Lock()
	s.addr = ln.Addr().String()
	s.mu.Unlock()
	srv := &http.Server{Handler: s.handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("health/metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	return srv, nil
}
