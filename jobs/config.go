// Package jobs reads and validates the job config of the scheduler, and
// guards the warehouse with a single-writer lock.
package jobs

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/internal/yamlpos"
)

// Config is a validated job config file.
type Config struct {
	Timezone string // default zone of schedules: UTC unless set, never the machine's zone
	Concern  string // ISO3 partner of concern in dependency_trends (concern_iso3)
	Defaults JobDefaults
	HTTP     HTTPConfig
	Alerts   AlertsConfig
	Report   *ReportConfig // nil: runs build no report
	Jobs     []Job
}

// ReportConfig asks every run to rebuild the dependency report (tradewh
// report) once its jobs are done. Empty fields take the command's defaults.
type ReportConfig struct {
	Output    string // file, relative to the warehouse folder; default report/index.html
	Reporter  string // ISO3; default USA
	Commodity string // group slug; default every group
}

// JobDefaults apply to every job that does not set its own value.
type JobDefaults struct {
	Retries        int
	RetryBackoff   time.Duration
	CatchUp        bool // run once at start when a scheduled run was missed
	RevisionWindow int  // most recent periods re-fetched on each run, as publishers revise them
}

// HTTPConfig is the scheduler's metrics and health listener.
type HTTPConfig struct {
	Listen string // host:port; empty disables the listener
}

// AlertsConfig says where alerts go and what raises them. With neither a
// webhook nor a command, alerts are only logged.
type AlertsConfig struct {
	Webhook string   // URL that receives a JSON POST per alert
	Command []string // program and arguments run per alert
	Rules   []AlertRule
}

// AlertRule raises an alert when a dependency_trends metric crosses a
// threshold. Empty Commodity or Reporter matches all.
type AlertRule struct {
	Name      string
	Commodity string
	Reporter  string
	Metric    string
	Above     *float64
	Below     *float64
	AbsAbove  *float64 // |value| above, for changes either way
	Line      int
}

// Job is one scheduled extraction.
type Job struct {
	Name           string
	Source         string // registered etl.Kind name
	Schedule       string // cron expression as written
	Timezone       string // effective zone: the job's, else the file's
	Retries        int
	RetryBackoff   time.Duration
	CatchUp        bool
	RevisionWindow int
	Raw            map[string]any // the source config as written
	Config         etl.Config     // the source config validated against the kind's spec, defaults filled
	Line           int            // line of the job in the file
}

// Built-in defaults, used where the file's defaults section is silent.
var builtinDefaults = JobDefaults{Retries: 2, RetryBackoff: time.Minute, CatchUp: true, RevisionWindow: 24}

const (
	defaultListen  = "127.0.0.1:9464"
	defaultConcern = etl.DefaultConcernISO3
)

// Load reads and validates a config file.
func Load(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return Parse(file, data)
}

// Parse validates config text; name is the file name used in problems. On
// failure the error is an etl.FileProblems listing everything wrong.
func Parse(name string, data []byte) (*Config, error) {
	c := &checker{file: name, idx: map[string]pos{}}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, etl.FileProblems{syntaxProblem(name, err)}
	}
	if len(f.Docs) > 1 {
		l, col := yamlpos.Start(f.Docs[1])
		if st := f.Docs[1].Start; st != nil {
			l, col = st.Position.Line, st.Position.Column
		}
		return nil, etl.FileProblems{{File: name, Line: l, Col: col, Message: "a config file holds one YAML document, found a second"}}
	}
	var root any
	if len(f.Docs) == 1 && f.Docs[0].Body != nil {
		body := f.Docs[0].Body
		var se *yamlpos.SizeError
		if errors.As(yamlpos.CheckSize(body), &se) {
			return nil, etl.FileProblems{{File: name, Line: se.Line, Col: se.Col, Message: "YAML: " + se.Message}}
		}
		indexPositions(body, "", c.idx)
		if err := yaml.NodeToValue(body, &root); err != nil {
			return nil, etl.FileProblems{syntaxProblem(name, err)}
		}
	}
	cfg := c.config(root)
	if len(c.probs) > 0 {
		return nil, c.sorted()
	}
	return cfg, nil
}

// syntaxProblem turns a YAML error into a positioned problem.
func syntaxProblem(file string, err error) etl.FileProblem {
	if line, col, msg, ok := yamlpos.ErrorAt(err); ok {
		return etl.FileProblem{File: file, Line: line, Col: col, Message: "YAML: " + msg}
	}
	return etl.FileProblem{File: file, Line: 1, Col: 1, Message: "YAML: " + err.Error()}
}

// Job returns the named job.
func (c *Config) Job(name string) (Job, bool) {
	for _, j := range c.Jobs {
		if j.Name == name {
			return j, true
		}
	}
	return Job{}, false
}

//go:embed configs/*.yaml
var embedded embed.FS

// Embedded returns a config shipped with the program: "live" (the real
// services); the .yaml suffix is optional.
func Embedded(name string) ([]byte, error) {
	name = strings.TrimSuffix(name, ".yaml")
	data, err := embedded.ReadFile(path.Join("configs", name+".yaml"))
	if err != nil {
		return nil, fmt.Errorf("no embedded config %q (have: %s)", name, strings.Join(EmbeddedNames(), ", "))
	}
	return data, nil
}

// EmbeddedNames lists the configs shipped with the program.
func EmbeddedNames() []string {
	ents, _ := embedded.ReadDir("configs")
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}
