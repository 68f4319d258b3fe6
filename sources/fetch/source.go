package fetch

import (
	"log/slog"
	"os"

	"github.com/tradewh/tradewh/etl"
)

// Setup is what an API source needs from its config: a client, the
// environment variable naming its key, the key itself (never logged) and a
// logger.
type Setup struct {
	Client *Client
	KeyEnv string
	Key    string
	Log    *slog.Logger
}

// ForSource builds the client of an API source from the settings every API
// kind shares (api_key_env, rate_per_second, timeout, max_attempts,
// retry_wait) and the runtime (landing zone, HTTP client, logger, replay).
func ForSource(source string, cfg etl.Config, rt etl.Runtime, defaultKeyEnv string, defaultRate float64) (Setup, error) {
	r := cfg.Reads()
	keyEnv, rps := r.String("api_key_env"), r.Float("rate_per_second")
	timeout, attempts, wait := r.Duration("timeout"), r.Int("max_attempts"), r.Duration("retry_wait")
	if err := r.Err(); err != nil {
		return Setup{}, err
	}
	if keyEnv == "" {
		keyEnv = defaultKeyEnv
	}
	log := rt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if !cfg.Has("rate_per_second") {
		rps = defaultRate
	}
	client := New(Config{Source: source, RawDir: rt.RawDir, HTTP: rt.HTTP, Logger: log,
		Timeout: timeout, MaxAttempts: attempts, InitialWait: wait,
		RatePerSecond: rps, KeyEnv: keyEnv, Replay: rt.Replay})
	return Setup{Client: client, KeyEnv: keyEnv, Key: os.Getenv(keyEnv), Log: log}, nil
}
