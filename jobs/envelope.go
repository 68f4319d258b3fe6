package jobs

import (
	"fmt"

	"github.com/tradewh/tradewh/etl"
)

// The job file's envelope, described by the same kind of spec as a source
// kind's settings. The checker reads every key through these specs
// (section), so a key it reads is a key the spec knows: a misspelt name in
// the code fails every parse, rather than silently reading nothing.
var (
	envelopeSpec = etl.Spec{
		{Name: "timezone", Type: etl.TypeString, Default: "UTC", Doc: "zone of the schedules that name none (never the machine's)"},
		{Name: "concern_iso3", Type: etl.TypeString, Default: defaultConcern, Doc: "partner of concern in dependency_trends (ISO3)"},
		{Name: "defaults", Type: etl.TypeMap, Doc: "job settings every job gets unless it sets its own"},
		{Name: "http", Type: etl.TypeMap, Doc: "the scheduler's /healthz and /metrics listener"},
		{Name: "alerts", Type: etl.TypeMap, Doc: "where alerts go and the rules that raise them"},
		{Name: "report", Type: etl.TypeMap, Doc: "the report written after runs (true, or its settings)"},
		{Name: "jobs", Type: etl.TypeList, Doc: "the jobs"},
	}
	jobSettingsSpec = etl.Spec{
		{Name: "retries", Type: etl.TypeInt, Default: builtinDefaults.Retries, Doc: "tries after a failed run"},
		{Name: "retry_backoff", Type: etl.TypeDuration, Default: builtinDefaults.RetryBackoff, Doc: "first wait before a retry, doubled each time"},
		{Name: "catch_up", Type: etl.TypeBool, Default: builtinDefaults.CatchUp, Doc: "run once at start when a scheduled run was missed"},
		{Name: "revision_window", Type: etl.TypeInt, Default: builtinDefaults.RevisionWindow, Doc: "months re-fetched before the cursor on each run"},
	}
	defaultsSpec = jobSettingsSpec
	httpSpec     = etl.Spec{
		{Name: "listen", Type: etl.TypeString, Default: defaultListen, Doc: "host:port of /healthz and /metrics; empty disables them"},
	}
	alertsSpec = etl.Spec{
		{Name: "webhook", Type: etl.TypeString, Doc: "http(s) URL that receives a JSON POST per alert"},
		{Name: "command", Type: etl.TypeStrings, Doc: "program and arguments run per alert"},
		{Name: "rules", Type: etl.TypeList, Doc: "alert rules"},
	}
	reportSpec = etl.Spec{
		{Name: "output", Type: etl.TypeString},
		{Name: "reporter", Type: etl.TypeString, Doc: "reporter ISO3"},
		{Name: "commodity", Type: etl.TypeString, Doc: "commodity group"},
	}
	ruleSpec = etl.Spec{
		{Name: "name", Type: etl.TypeString, Required: true},
		{Name: "commodity", Type: etl.TypeString, Doc: "commodity group; empty matches all"},
		{Name: "reporter", Type: etl.TypeString, Doc: "reporter ISO3; empty matches all"},
		{Name: "metric", Type: etl.TypeString, Required: true, Doc: "a dependency_trends column"},
		{Name: "above", Type: etl.TypeFloat},
		{Name: "below", Type: etl.TypeFloat},
		{Name: "abs_above", Type: etl.TypeFloat, Doc: "|value| above, for changes either way"},
	}
	jobSpec = append(etl.Spec{
		{Name: "name", Type: etl.TypeString, Required: true, Doc: "letters, digits, '.', '_' and '-'"},
		{Name: "source", Type: etl.TypeString, Required: true, Doc: "a registered source kind"},
		{Name: "schedule", Type: etl.TypeString, Required: true, Doc: "cron expression"},
		{Name: "timezone", Type: etl.TypeString, Doc: "zone of this job's schedule"},
		{Name: "config", Type: etl.TypeMap, Doc: "the source kind's settings"},
	}, jobSettingsSpec...)
)

// section is one mapping of the file with the spec that describes it.
type section struct {
	m    map[string]any
	path string
	spec etl.Spec
}

// get returns key's value; key must be a field of the spec of type t.
func (s section) get(key string, t etl.FieldType) any {
	for _, f := range s.spec {
		if f.Name == key {
			if f.Type != t {
				panic(fmt.Sprintf("jobs: %s is a %s in its spec, read as a %s", join(s.path, key), f.Type, t))
			}
			return s.m[key]
		}
	}
	panic(fmt.Sprintf("jobs: %q is not a field of %s's spec", key, s.path))
}

// has tells whether key is set (to something other than null).
func (s section) has(key string) bool {
	for _, f := range s.spec {
		if f.Name == key {
			return s.m[key] != nil
		}
	}
	panic(fmt.Sprintf("jobs: %q is not a field of %s's spec", key, s.path))
}

// EnvelopeDoc describes the job file's own keys, for --help.
func EnvelopeDoc() string {
	return "Top level:\n" + envelopeSpec.Doc() + "defaults (and each job):\n" + jobSettingsSpec.Doc() +
		"http:\n" + httpSpec.Doc() + "alerts:\n" + alertsSpec.Doc() + "alerts.rules[]:\n" + ruleSpec.Doc() +
		"jobs[]:\n" + jobSpec[:5].Doc()
}
