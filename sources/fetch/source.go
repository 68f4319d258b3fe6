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
func ForSource(source string, cfg etl.Config, rt etl.Runtime, defaultKeyEnv string, defaultRate float64) Setup {
	keyEnv := cfg.String("api_key_env")
	if keyEnv == "" {
		keyEnv = defaultKeyEnv
	}
	log := rt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	rps := cfg.Float("rate_per_second")
	if _, set := cfg["rate_per_second"]; !set {
		rps = defaultRate
	}
	client := New(Config{Source: source, RawDir: rt.RawDir, HTTP: rt.HTTP, Logger: log,
		Timeout: cfg.Duration("timeout"), MaxAttempts: cfg.Int("max_attempts"), InitialWait: cfg.Duration("retry_wait"),
		RatePerSecond: rps, KeyEnv: keyEnv, Replay: rt.Replay})
	return Setup{Client: client, KeyEnv: keyEnv, Key: os.Getenv(keyEnv), Log: log}
}
