package runner

import (
	"context"
	"strings"
	"testing"

	"github.com/tradewh/tradewh/etl"
	"github.com/tradewh/tradewh/jobs"
)

// Each layer prefixes only its own operation: a job's error names the job
// once, whichever step failed.
func TestJobErrorsNameTheJobOnce(t *testing.T) {
	ctx := context.Background()
	env := testEnv(t)
	s, err := env.OpenWriter(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		name string
		job  jobs.Job
		want string
	}{
		{"bad config", jobs.Job{Name: "analyst", Source: "comtrade-csv", Raw: map[string]any{"paths": []any{"x.csv"}, "header_row": -3}},
			"job analyst: config: header_row: unknown field"},
		{"missing file", jobs.Job{Name: "gallium", Source: "comtrade-csv", Raw: map[string]any{"paths": []any{"/nonexistent/x.csv"}}},
			"job gallium: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.RunJobs(ctx, []etl.JobSpec{JobSpec(tt.job)})
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to start %q", err, tt.want)
			}
			if n := strings.Count(err.Error(), "job "+tt.job.Name+":"); n != 1 {
				t.Errorf("err = %v: names the job %d times, want once", err, n)
			}
		})
	}
}
