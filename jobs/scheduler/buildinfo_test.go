package scheduler

import (
	"testing"

	"github.com/tradewh/tradewh/internal/buildinfo"
)

func TestMetricsHaveBuildInfo(t *testing.T) {
	m := newMetrics([]string{"a"})
	fams, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	bi := buildinfo.Get()
	for _, f := range fams {
		if f.GetName() != "tradewh_build_info" {
			continue
		}
		if len(f.GetMetric()) != 1 {
			t.Fatalf("%d series", len(f.GetMetric()))
		}
		s := f.GetMetric()[0]
		labels := map[string]string{}
		for _, l := range s.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if s.GetGauge().GetValue() != 1 || labels["version"] != bi.Version || labels["revision"] != bi.Revision || labels["goversion"] != bi.GoVersion {
			t.Errorf("tradewh_build_info %v = %v, want %+v = 1", labels, s.GetGauge().GetValue(), bi)
		}
		return
	}
	t.Error("no tradewh_build_info metric")
}
