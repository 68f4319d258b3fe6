package jobs

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrNoConfig marks a config name that is neither a file nor a config
// shipped with the program.
var ErrNoConfig = errors.New("no such job config")

// Open reads a job config file, or the config shipped with the program
// under that name ("live", "example") when no such file exists. An invalid
// config is an etl.FileProblems listing every problem.
func Open(path string) (*Config, error) {
	if path == "" {
		return nil, fmt.Errorf("%w: name a job config file, or one shipped with the program: %s",
			ErrNoConfig, strings.Join(EmbeddedNames(), ", "))
	}
	fi, statErr := os.Stat(path)
	isFile := statErr == nil && !fi.IsDir()
	// A bare name that is not a file (./demo is a folder) may be a shipped config.
	if !isFile && !strings.ContainsAny(path, `/\`) {
		if data, err := Embedded(path); err == nil {
			return Parse("built-in:"+path, data)
		}
		if statErr != nil {
			return nil, fmt.Errorf("%w: %s: %v; built-in configs: %s", ErrNoConfig, path, statErr,
				strings.Join(EmbeddedNames(), ", "))
		}
	}
	return Load(path)
}
