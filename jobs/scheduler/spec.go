package scheduler

import (
	"fmt"

	"github.com/robfig/cron/v3"
)

// specParser accepts 5-field (minute first) and 6-field (seconds first)
// expressions plus descriptors such as @daily.
var specParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseSpec parses a cron expression. Without a "CRON_TZ=Zone " prefix the
// schedule is evaluated in UTC (the scheduler only ever hands it UTC times),
// never in the host's local zone.
func ParseSpec(spec string) (cron.Schedule, error) {
	sched, err := specParser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w", spec, err)
	}
	return sched, nil
}
