package etl

import (
	"fmt"
	"strings"
)

// FileProblem is one thing wrong with a file a person wrote (a job config,
// a measures file), at the line and column of the key or value at fault.
type FileProblem struct {
	File      string
	Line, Col int
	Path      string // e.g. jobs[2].config.freq
	Message   string
}

func (p FileProblem) Error() string {
	s := fmt.Sprintf("%s:%d:%d: ", p.File, p.Line, p.Col)
	if p.Path != "" {
		s += p.Path + ": "
	}
	return s + p.Message
}

// FileProblems is every problem found in a file: validation does not stop
// at the first so that one edit can fix them all.
type FileProblems []FileProblem

func (ps FileProblems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}
