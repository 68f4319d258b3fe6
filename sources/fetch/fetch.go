// Package fetch is the one HTTP client of tradewh's network sources: per
// request timeouts, retries with backoff that honour Retry-After, a rate
// limit per source, credentials kept out of logs, errors and files, and a
// raw landing zone that stores every response body for audit and replay.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"
)

// Config configures a Client. Zero values take the defaults noted.
type Config struct {
	Source        string        // source kind: names the landing folder and log lines
	RawDir        string        // landing zone root; '' keeps bodies in temporary files only
	HTTP          *http.Client  // nil means http.DefaultClient
	Logger        *slog.Logger  // nil means a discarding logger
	Timeout       time.Duration // per attempt, headers and body; default 60s
	MaxAttempts   int           // tries per request; default 5
	RatePerSecond float64       // request rate limit; <= 0 means none
	InitialWait   time.Duration // first backoff wait; default 1s
	MaxWait       time.Duration // cap of one backoff wait; default 60s
	MaxRetryAfter time.Duration // longest Retry-After honoured; default 5m
	MaxElapsed    time.Duration // give up on a request after this long; default 15m
	// KeyEnv names the environment variable holding the credentials, for
	// the 401/403 error to tell the user what to set.
	KeyEnv string
	// SecretHeaders lists headers whose values are secrets; default
	// DefaultSecretHeaders.
	SecretHeaders []string
	// Ext is the body file extension in the landing zone; default "json".
	Ext string
	// Replay serves every request from the landing zone, never the network.
	Replay bool
	// Now is the clock of retrieval times; default time.Now.
	Now func() time.Time
}

// Client fetches over HTTP for one source.
type Client struct {
	cfg     Config
	limiter *rate.Limiter
	log     *slog.Logger
}

// New returns a client with cfg's defaults filled.
func New(cfg Config) *Client {
	if cfg.HTTP == nil {
		cfg.HTTP = http.DefaultClient
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Timeout, 60*time.Second)
	def(&cfg.InitialWait, time.Second)
	def(&cfg.MaxWait, 60*time.Second)
	def(&cfg.MaxRetryAfter, 5*time.Minute)
	def(&cfg.MaxElapsed, 15*time.Minute)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if cfg.SecretHeaders == nil {
		cfg.SecretHeaders = DefaultSecretHeaders
	}
	if cfg.Ext == "" {
		cfg.Ext = "json"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if cfg.RatePerSecond > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.RatePerSecond), 1)
	}
	return &Client{cfg: cfg, limiter: lim, log: cfg.Logger.With("source", cfg.Source)}
}

// Response is a successful (2xx) response whose body is on disk.
type Response struct {
	URL       string // redacted request URL: safe for provenance and logs
	Status    int
	Header    http.Header // nil for a replayed response
	Retrieved time.Time
	Attempts  int
	BodyPath  string // in the landing zone, or a temporary file
	Replayed  bool
	temp      bool
}

// Open opens the body.
func (r *Response) Open() (io.ReadCloser, error) { return os.Open(r.BodyPath) }

// Close removes a temporary body; a landed body stays.
func (r *Response) Close() error {
	if r.temp {
		return os.Remove(r.BodyPath)
	}
	return nil
}

// StatusError is a response the client gave up on: a non-2xx status that
// is not retried, or one that kept failing.
type StatusError struct {
	Source  string
	URL     string // redacted
	Status  int
	Snippet string // start of the body, secrets scrubbed
	KeyEnv  string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s: GET %s: HTTP %d %s", e.Source, e.URL, e.Status, http.StatusText(e.Status))
	if e.Unauthorized() || e.KeyRejected() {
		if e.KeyEnv != "" {
			msg += fmt.Sprintf(": the service refused the credentials; set environment variable %s to a valid key", e.KeyEnv)
		} else {
			msg += ": the service refused the credentials"
		}
	}
	if e.Snippet != "" {
		msg += ": " + e.Snippet
	}
	return msg
}

// KeyRejected reports a response whose body says the key is invalid,
// whatever its status: the Census API answers a bad key with HTTP 400.
func (e *StatusError) KeyRejected() bool {
	s := strings.ToLower(e.Snippet)
	return strings.Contains(s, "invalid key") || strings.Contains(s, "invalid api key") ||
		strings.Contains(s, "key is invalid") || strings.Contains(s, "invalid subscription key")
}

// Unauthorized reports a 401 or 403.
func (e *StatusError) Unauthorized() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// retryable is an error worth another attempt; it carries the server's
// Retry-After, which backoff.Retry honours in place of its own wait.
type retryable struct {
	err   error
	after *backoff.RetryAfterError
}

func (r *retryable) Error() string { return r.err.Error() }
func (r *retryable) Unwrap() []error {
	if r.after != nil {
		return []error{r.err, r.after}
	}
	return []error{r.err}
}

// Get fetches rawURL with header, retrying transient failures, and lands
// the body. Only a 2xx response is returned; anything else is an error
// that names the request without its secrets.
func (c *Client) Get(ctx context.Context, rawURL string, header http.Header) (*Response, error) {
	red := Redact(rawURL)
	if c.cfg.Replay {
		return c.replay(rawURL)
	}
	secrets := secretsOf(rawURL, header, c.cfg.SecretHeaders)
	bo := &backoff.ExponentialBackOff{InitialInterval: c.cfg.InitialWait, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: c.cfg.MaxWait}
	attempt := 0
	resp, err := backoff.Retry(ctx, func() (*Response, error) {
		attempt++
		return c.attempt(ctx, rawURL, red, header, secrets, attempt)
	}, backoff.WithBackOff(bo), backoff.WithMaxTries(uint(c.cfg.MaxAttempts)),
		backoff.WithMaxElapsedTime(c.cfg.MaxElapsed),
		backoff.WithNotify(func(err error, wait time.Duration) {
			c.log.Warn("retrying request", "url", red, "attempt", attempt, "wait", wait, "error", err.Error())
		}))
	if err != nil {
		var r *retryable
		if errors.As(err, &r) {
			err = r.err
		}
		if ctx.Err() != nil && !strings.Contains(err.Error(), red) {
			err = fmt.Errorf("%s: GET %s: %w", c.cfg.Source, red, err)
		}
		if attempt > 1 {
			err = fmt.Errorf("%w (after %d attempts)", err, attempt)
		}
		return nil, err
	}
	return resp, nil
}

func (c *Client) attempt(ctx context.Context, rawURL, red string, header http.Header, secrets []string, n int) (*Response, error) {
	if err := c.limiter.Wait(ctx); err != nil {
		return nil, backoff.Permanent(fmt.Errorf("%s: GET %s: waiting for the rate limit: %w", c.cfg.Source, red, contextErr(ctx, err)))
	}
	actx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, backoff.Permanent(fmt.Errorf("%s: GET %s: %s", c.cfg.Source, red, scrub(err.Error(), secrets)))
	}
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "tradewh")
	}
	c.log.Debug("request", "url", red, "attempt", n)
	start := c.cfg.Now()
	hresp, err := c.cfg.HTTP.Do(req)
	if err != nil {
		return nil, c.transportErr(ctx, red, secrets, err)
	}
	defer hresp.Body.Close()

	id := RequestID(http.MethodGet, red)
	dir, final := os.TempDir(), ""
	if c.cfg.RawDir != "" {
		dir = filepath.Join(SourceDir(c.cfg.RawDir, c.cfg.Source), start.UTC().Format("2006-01-02"))
		final = filepath.Join(dir, id+"."+c.cfg.Ext)
	}
	sp, err := newSpool(dir, final, secrets)
	if err != nil {
		return nil, backoff.Permanent(fmt.Errorf("%s: landing response of %s: %w", c.cfg.Source, red, err))
	}
	ok := hresp.StatusCode >= 200 && hresp.StatusCode < 300
	body := io.Reader(hresp.Body)
	if !ok {
		body = io.LimitReader(hresp.Body, 1<<20) // an error page need not be kept whole
	}
	if _, err := io.Copy(sp, body); err != nil {
		sp.abort()
		return nil, c.transportErr(ctx, red, secrets, err)
	}
	meta := Meta{Source: c.cfg.Source, Method: http.MethodGet, URL: red, Status: hresp.StatusCode,
		ContentType: hresp.Header.Get("Content-Type"), RetrievedAt: start.UTC(), Attempt: n}
	path, err := sp.commit(meta)
	if err != nil {
		return nil, backoff.Permanent(fmt.Errorf("%s: landing response of %s: %w", c.cfg.Source, red, err))
	}
	c.log.Debug("response", "url", red, "status", hresp.StatusCode, "elapsed", c.cfg.Now().Sub(start))
	if ok {
		return &Response{URL: red, Status: hresp.StatusCode, Header: hresp.Header, Retrieved: start.UTC(),
			Attempts: n, BodyPath: path, temp: final == ""}, nil
	}
	snippet := readSnippet(path, secrets)
	if final == "" {
		os.Remove(path)
	}
	serr := &StatusError{Source: c.cfg.Source, URL: red, Status: hresp.StatusCode, Snippet: snippet, KeyEnv: c.cfg.KeyEnv}
	code := hresp.StatusCode
	if code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500 {
		r := &retryable{err: serr}
		if wait, has := retryAfter(hresp.Header.Get("Retry-After"), c.cfg.Now()); has {
			if wait > c.cfg.MaxRetryAfter {
				return nil, backoff.Permanent(fmt.Errorf("%w: the server asks to wait %s (Retry-After), more than the %s allowed",
					serr, wait.Round(time.Second), c.cfg.MaxRetryAfter))
			}
			r.after = &backoff.RetryAfterError{Duration: wait}
		}
		return nil, r
	}
	return nil, backoff.Permanent(serr)
}

// transportErr classifies a failure before a full response arrived: the
// caller's cancellation is final, a timeout or network error is retried.
// The url.Error wrapper is dropped because it prints the unredacted URL.
func (c *Client) transportErr(ctx context.Context, red string, secrets []string, err error) error {
	if ctx.Err() != nil {
		return backoff.Permanent(fmt.Errorf("%s: GET %s: %w", c.cfg.Source, red, contextErr(ctx, err)))
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	msg := scrub(err.Error(), secrets)
	if errors.Is(err, context.DeadlineExceeded) {
		msg = fmt.Sprintf("no complete response within %s", c.cfg.Timeout)
	}
	return &retryable{err: fmt.Errorf("%s: GET %s: %s", c.cfg.Source, red, msg)}
}

func contextErr(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		if s < 0 {
			s = 0
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// readSnippet returns the start of an error body, on one line.
func readSnippet(path string, secrets []string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 300))
	s := strings.Join(strings.Fields(string(b)), " ")
	return scrub(s, secrets)
}

// replay serves a request from the landing zone.
func (c *Client) replay(rawURL string) (*Response, error) {
	if c.cfg.RawDir == "" {
		return nil, fmt.Errorf("%s: replay needs a landing zone (raw dir)", c.cfg.Source)
	}
	s, err := Lookup(c.cfg.RawDir, c.cfg.Source, http.MethodGet, rawURL)
	if err != nil {
		return nil, err
	}
	if s.Status < 200 || s.Status > 299 {
		return nil, &StatusError{Source: c.cfg.Source, URL: s.URL, Status: s.Status,
			Snippet: readSnippet(s.BodyPath, nil), KeyEnv: c.cfg.KeyEnv}
	}
	return &Response{URL: s.URL, Status: s.Status, Retrieved: s.RetrievedAt, Attempts: s.Attempt,
		BodyPath: s.BodyPath, Replayed: true}, nil
}
