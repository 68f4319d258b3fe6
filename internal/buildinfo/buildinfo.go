// Package buildinfo says which build of tradewh is running: the module
// version and VCS revision Go records in the binary, unless the build set
// them with -ldflags:
//
//	go build -tags duckdb_arrow -ldflags "-X github.com/tradewh/tradewh/internal/buildinfo.version=v1.2.0 \
//	    -X github.com/tradewh/tradewh/internal/buildinfo.revision=$(git rev-parse HEAD)" .
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Set by -ldflags -X; empty means "read from the binary's build info".
var version, revision string

// Info describes the running build.
type Info struct {
	Version   string // module version, e.g. v1.2.0, or (devel)
	Revision  string // VCS revision, with "-dirty" when built from a modified tree; "unknown" without VCS
	GoVersion string
}

// Get returns the running build's info.
func Get() Info {
	bi, ok := debug.ReadBuildInfo()
	return fromBuildInfo(bi, ok, version, revision)
}

func fromBuildInfo(bi *debug.BuildInfo, ok bool, ldVersion, ldRevision string) Info {
	in := Info{Version: "(devel)", Revision: "unknown", GoVersion: runtime.Version()}
	if ok && bi != nil {
		if v := bi.Main.Version; v != "" {
			in.Version = v
		}
		if bi.GoVersion != "" {
			in.GoVersion = bi.GoVersion
		}
		var dirty bool
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				in.Revision = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if dirty && in.Revision != "unknown" {
			in.Revision += "-dirty"
		}
	}
	if ldVersion != "" {
		in.Version = ldVersion
	}
	if ldRevision != "" {
		in.Revision = ldRevision
	}
	return in
}

// String is the --version line.
func (in Info) String() string {
	return in.Version + " (revision " + in.Revision + ", " + in.GoVersion + ")"
}
