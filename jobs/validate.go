package jobs

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tradewh/tradewh/etl"
)

var (
	topKeys = envelopeSpec.Names()
	// Job names appear on the command line, in metric labels and in file names.
	jobNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

func (c *checker) config(root any) *Config {
	cfg := &Config{Timezone: "UTC", Concern: defaultConcern, Defaults: builtinDefaults, HTTP: HTTPConfig{Listen: defaultListen}}
	if root == nil {
		c.key("", "the config is empty: expected keys %s", strings.Join(topKeys, ", "))
		return cfg
	}
	m, ok := root.(map[string]any)
	if !ok {
		c.val("", "the config must be a mapping with keys %s, got %s", strings.Join(topKeys, ", "), describe(root))
		return cfg
	}
	top := section{m, "", envelopeSpec}
	c.unknownKeys(top)
	if tz, ok := c.str(top, "timezone"); ok && c.zone("timezone", tz) {
		cfg.Timezone = tz
	}
	if iso, ok := c.str(top, "concern_iso3"); ok {
		if etl.KnownISO3(iso) {
			cfg.Concern = iso
		} else {
			c.val("concern_iso3", "unknown ISO 3166 alpha-3 country code %q", iso)
		}
	}
	if m, ok := c.mapping(top.get("defaults", etl.TypeMap), "defaults"); ok {
		d := section{m, "defaults", defaultsSpec}
		c.unknownKeys(d)
		cfg.Defaults = c.jobSettings(d, cfg.Defaults)
	}
	if m, ok := c.mapping(top.get("http", etl.TypeMap), "http"); ok {
		h := section{m, "http", httpSpec}
		c.unknownKeys(h)
		if l, ok := c.str(h, "listen"); ok {
			if c.listen("http.listen", l) {
				cfg.HTTP.Listen = l
			}
		}
	}
	if m, ok := c.mapping(top.get("alerts", etl.TypeMap), "alerts"); ok {
		cfg.Alerts = c.alerts(section{m, "alerts", alertsSpec})
	}
	if _, ok := top.m["report"]; ok {
		cfg.Report = c.report(top.m["report"]) // true, or a mapping
	}
	if v := top.get("jobs", etl.TypeList); v != nil {
		l, ok := v.([]any)
		if !ok {
			c.val("jobs", "must be a list of jobs, got %s", describe(v))
		}
		seen := map[string]string{}
		for i, e := range l {
			if j, ok := c.job(e, fmt.Sprintf("jobs[%d]", i), cfg, seen); ok {
				cfg.Jobs = append(cfg.Jobs, j)
			}
		}
	}
	return cfg
}

// jobSettings reads the settings a job shares with the defaults section.
func (c *checker) jobSettings(m section, d JobDefaults) JobDefaults {
	path := m.path
	if n, ok := c.integer(m, "retries"); ok {
		if n < 0 {
			c.val(join(path, "retries"), "must not be negative, got %d", n)
		} else {
			d.Retries = n
		}
	}
	if b, ok := c.duration(m, "retry_backoff"); ok {
		d.RetryBackoff = b
	}
	if b, ok := c.boolean(m, "catch_up"); ok {
		d.CatchUp = b
	}
	if n, ok := c.integer(m, "revision_window"); ok {
		if n < 0 {
			c.val(join(path, "revision_window"), "must not be negative, got %d", n)
		} else {
			d.RevisionWindow = n
		}
	}
	return d
}

func (c *checker) job(v any, path string, cfg *Config, seen map[string]string) (Job, bool) {
	jm, ok := c.mapping(v, path)
	if !ok {
		if v == nil {
			c.val(path, "empty job")
		}
		return Job{}, false
	}
	m := section{jm, path, jobSpec}
	c.unknownKeys(m)
	l, _ := c.locate(path, true)
	j := Job{Line: l, Timezone: cfg.Timezone}

	name, ok := c.str(m, "name")
	switch {
	case !ok && !m.has("name"):
		c.key(join(path, "name"), "a job needs a name")
	case !ok:
	case !jobNameRE.MatchString(name):
		c.val(join(path, "name"), "job name %q must start with a letter or digit and use only letters, digits, '.', '_' and '-'", name)
	case seen[name] != "":
		other, _ := c.locate(seen[name], true)
		c.val(join(path, "name"), "duplicate job name %q (first used on line %d)", name, other)
	default:
		seen[name] = path
	}
	j.Name = name

	if tz, ok := c.str(m, "timezone"); ok && c.zone(join(path, "timezone"), tz) {
		j.Timezone = tz
	}
	if s, ok := c.str(m, "schedule"); ok {
		if _, err := ParseSchedule(s, j.Timezone); err != nil {
			c.val(join(path, "schedule"), "bad cron expression %q: %v", s, err)
		}
		j.Schedule = s
	} else if !m.has("schedule") {
		c.key(join(path, "schedule"), "a job needs a schedule (cron expression such as \"0 3 * * *\")")
	}

	d := c.jobSettings(m, cfg.Defaults)
	j.Retries, j.RetryBackoff, j.CatchUp, j.RevisionWindow = d.Retries, d.RetryBackoff, d.CatchUp, d.RevisionWindow

	raw, rawOK := map[string]any{}, true
	if r, ok := c.mapping(m.get("config", etl.TypeMap), join(path, "config")); ok {
		raw = r
	} else if m.has("config") {
		rawOK = false // already reported; the spec would only add noise
	}
	j.Raw = raw
	src, ok := c.str(m, "source")
	switch {
	case !ok && !m.has("source"):
		c.key(join(path, "source"), "a job needs a source (registered: %s)", kindNames())
	case !ok:
	default:
		j.Source = src
		kind, found := etl.LookupKind(src)
		if !found {
			c.val(join(path, "source"), "unknown source %q (registered: %s)", src, kindNames())
			break
		}
		if !rawOK {
			break
		}
		cfgPath := join(path, "config")
		// The same check as building the source at run time, which sees
		// relative periods ("latest", "-60m") resolved.
		conf, probs := kind.Configure(etl.PeriodRange(raw, etl.Cursor{}, 0, time.Now()))
		for _, p := range probs {
			if p.AtKey() {
				c.key(join(cfgPath, p.Field), "%s", p.Message)
			} else {
				c.val(join(cfgPath, p.Field), "%s", p.Message)
			}
		}
		j.Config = conf
	}
	return j, true
}

func kindNames() string {
	var names []string
	for _, k := range etl.Kinds() {
		names = append(names, k.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// zone checks a time zone name. "Local" is refused: schedules must not
// depend on the zone of whichever machine runs them.
func (c *checker) zone(path, tz string) bool {
	if tz == "" || tz == "Local" {
		c.val(path, "name a time zone such as UTC or Europe/Paris, got %q", tz)
		return false
	}
	if _, err := loadZone(tz); err != nil {
		c.val(path, "unknown time zone %q", tz)
		return false
	}
	return true
}

func (c *checker) listen(path, addr string) bool {
	if addr == "" {
		return true // disabled
	}
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		if n, perr := strconv.Atoi(port); perr != nil || n < 0 || n > 65535 {
			err = fmt.Errorf("bad port %q", port)
		}
	}
	if err != nil {
		c.val(path, "must be host:port such as 127.0.0.1:9464, got %q", addr)
		return false
	}
	return true
}

func (c *checker) alerts(m section) AlertsConfig {
	var a AlertsConfig
	c.unknownKeys(m)
	if w, ok := c.str(m, "webhook"); ok {
		u, err := url.Parse(w)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			c.val("alerts.webhook", "must be an http or https URL, got %q", w)
		} else {
			a.Webhook = w
		}
	}
	if cmd, ok := c.strings(m, "command"); ok {
		if len(cmd) == 0 || cmd[0] == "" {
			c.val("alerts.command", "must name a program to run")
		} else {
			a.Command = cmd
		}
	}
	if m.has("webhook") && m.has("command") {
		c.key("alerts.command", "give either webhook or command, not both")
	}
	v := m.get("rules", etl.TypeList)
	if v == nil {
		return a
	}
	l, ok := v.([]any)
	if !ok {
		c.val("alerts.rules", "must be a list of rules, got %s", describe(v))
		return a
	}
	seen := map[string]bool{}
	for i, e := range l {
		path := fmt.Sprintf("alerts.rules[%d]", i)
		if r, ok := c.rule(e, path, seen); ok {
			a.Rules = append(a.Rules, r)
		}
	}
	return a
}

func (c *checker) rule(v any, path string, seen map[string]bool) (AlertRule, bool) {
	rm, ok := c.mapping(v, path)
	if !ok {
		return AlertRule{}, false
	}
	m := section{rm, path, ruleSpec}
	c.unknownKeys(m)
	l, _ := c.locate(path, true)
	r := AlertRule{Line: l}
	if name, ok := c.str(m, "name"); ok && name != "" {
		if seen[name] {
			c.val(join(path, "name"), "duplicate alert rule name %q", name)
		}
		seen[name] = true
		r.Name = name
	} else if !m.has("name") || ok {
		c.key(join(path, "name"), "an alert rule needs a name")
	}
	if metric, ok := c.str(m, "metric"); ok {
		if _, known := etl.TrendMetrics[metric]; !known {
			c.val(join(path, "metric"), "unknown metric %q (known: %s)", metric, strings.Join(etl.TrendMetricNames(), ", "))
		}
		r.Metric = metric
	} else if !m.has("metric") {
		c.key(join(path, "metric"), "an alert rule needs a metric (known: %s)", strings.Join(etl.TrendMetricNames(), ", "))
	}
	if s, ok := c.str(m, "commodity"); ok {
		if !slices.Contains(etl.GroupSlugs(), s) {
			c.val(join(path, "commodity"), "unknown commodity group %q (known: %s)", s, strings.Join(etl.GroupSlugs(), ", "))
		}
		r.Commodity = s
	}
	if s, ok := c.str(m, "reporter"); ok {
		if !etl.KnownISO3(s) {
			c.val(join(path, "reporter"), "unknown ISO 3166 alpha-3 country code %q", s)
		}
		r.Reporter = s
	}
	threshold := func(key string) *float64 {
		if f, ok := c.float(m, key); ok {
			return &f
		}
		return nil
	}
	r.Above, r.Below, r.AbsAbove = threshold("above"), threshold("below"), threshold("abs_above")
	if r.AbsAbove != nil && *r.AbsAbove < 0 {
		c.val(join(path, "abs_above"), "must not be negative, got %v", *r.AbsAbove)
	}
	if !m.has("above") && !m.has("below") && !m.has("abs_above") {
		c.key(path, "an alert rule needs a threshold: above, below or abs_above")
	}
	return r, true
}

// report reads the report section: true, false, empty, or a mapping of
// output (relative to the warehouse folder), reporter and commodity.
func (c *checker) report(v any) *ReportConfig {
	if v == nil { // "report:" alone
		return &ReportConfig{}
	}
	if b, ok := v.(bool); ok {
		if b {
			return &ReportConfig{}
		}
		return nil
	}
	rm, ok := c.mapping(v, "report")
	if !ok {
		return nil
	}
	m := section{rm, "report", reportSpec}
	c.unknownKeys(m)
	r := &ReportConfig{}
	if s, ok := c.str(m, "output"); ok {
		r.Output = s
	}
	if s, ok := c.str(m, "reporter"); ok {
		if !etl.KnownISO3(s) {
			c.val("report.reporter", "unknown ISO 3166 alpha-3 country code %q", s)
		}
		r.Reporter = s
	}
	if s, ok := c.str(m, "commodity"); ok {
		if !slices.Contains(etl.GroupSlugs(), s) {
			c.val("report.commodity", "unknown commodity group %q (known: %s)", s, strings.Join(etl.GroupSlugs(), ", "))
		}
		r.Commodity = s
	}
	return r
}
