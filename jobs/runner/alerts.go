package runner

import (
	"fmt"
	"sync"

	"github.com/tradewh/tradewh/jobs"
)

// alertLog keeps the threshold crossings already sent, so a standing
// crossing alerts once per period and value, not after every run. The
// scheduled run seeds it from the warehouse's alerts_sent and records every
// delivery there, so a restart does not send them again.
type alertLog struct {
	mu   sync.Mutex
	sent map[string]bool
}

func newAlertLog() *alertLog { return &alertLog{sent: map[string]bool{}} }

// alertKey names one crossing: its rule, series, period and value.
func alertKey(rule string, row map[string]any) string {
	return fmt.Sprintf("%s|%v|%v|%v|%v|%v|%v", rule, row["source"], row["freq"], row["reporter_iso3"], row["commodity"], row["period"], row["value"])
}

// seed marks keys as sent.
func (a *alertLog) seed(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range keys {
		a.sent[k] = true
	}
}

// claim returns the rows of c not sent before, their keys and a line per
// series for the log, and marks them sent.
func (a *alertLog) claim(c jobs.Crossing) (rows []map[string]any, keys, series []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, row := range c.Rows {
		k := alertKey(c.Rule, row)
		if a.sent[k] {
			continue
		}
		a.sent[k] = true
		keys = append(keys, k)
		rows = append(rows, row)
		series = append(series, fmt.Sprintf("%v %v %v (%v %v): %v %v", row["reporter_iso3"], row["commodity"],
			row["period"], row["source"], row["freq"], row["metric"], row["value"]))
	}
	return rows, keys, series
}

// forget unmarks keys whose delivery failed, so the next run sends them.
func (a *alertLog) forget(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, k := range keys {
		delete(a.sent, k)
	}
}
