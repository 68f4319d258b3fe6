package buildinfo

import (
	"runtime/debug"
	"testing"
)

func TestFromBuildInfo(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}
	for _, tc := range []struct {
		name     string
		bi       *debug.BuildInfo
		ok       bool
		ldV, ldR string
		want     Info
	}{
		{"from the binary", bi, true, "", "", Info{"v1.2.0", "abc123-dirty", "go1.26.8"}},
		{"ldflags win", bi, true, "v9", "def", Info{"v9", "def", "go1.26.8"}},
		{"no vcs", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, "", "",
			Info{"(devel)", "unknown", "go1.26.8"}},
	} {
		if got := fromBuildInfo(tc.bi, tc.ok, tc.ldV, tc.ldR); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if Get().GoVersion == "" {
		t.Error("Get: no Go version")
	}
}
