package jobs

import (
	"fmt"
	"strings"
	"time"
	// Zone data in the binary: schedules must not depend on the host's tzdata.
	_ "time/tzdata"

	"github.com/robfig/cron/v3"
)

// cronParser accepts five fields, an optional leading seconds field, and
// descriptors such as @daily or @every 6h.
var cronParser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

func loadZone(tz string) (*time.Location, error) {
	if tz == "" {
		return time.UTC, nil
	}
	if tz == "Local" {
		return nil, fmt.Errorf("time zone Local is not allowed: name a zone such as UTC or Europe/Paris")
	}
	return time.LoadLocation(tz)
}

// ParseSchedule parses a cron expression evaluated in zone tz (UTC when
// empty, never the machine's local zone). A CRON_TZ= or TZ= prefix in spec
// overrides tz.
func ParseSchedule(spec, tz string) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "TZ=") {
		// The cron parser slices up to the first space and would panic without one.
		i := strings.IndexByte(spec, ' ')
		if i < 0 {
			return nil, fmt.Errorf("%s must be followed by a schedule", spec)
		}
		name := spec[strings.IndexByte(spec, '=')+1 : i]
		if _, err := loadZone(name); err != nil {
			return nil, fmt.Errorf("unknown time zone %q in %s", name, spec[:i])
		}
		return cronParser.Parse(spec)
	}
	loc, err := loadZone(tz)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", tz)
	}
	if spec == "" {
		return nil, fmt.Errorf("empty schedule")
	}
	return cronParser.Parse("CRON_TZ=" + loc.String() + " " + spec)
}

// NextRuns returns each job's next scheduled time after now, expressed in
// the zone its schedule runs in. Jobs whose schedule does not parse are left
// out (Load refuses them).
func NextRuns(cfg *Config, now time.Time) map[string]time.Time {
	out := make(map[string]time.Time, len(cfg.Jobs))
	for _, j := range cfg.Jobs {
		s, err := ParseSchedule(j.Schedule, j.Timezone)
		if err != nil {
			continue
		}
		next := s.Next(now)
		if ss, ok := s.(*cron.SpecSchedule); ok {
			next = next.In(ss.Location)
		}
		out[j.Name] = next
	}
	return out
}
