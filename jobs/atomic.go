package jobs

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/tradewh/tradewh/internal/atomicfile"
)

// WriteJSONFile replaces dir/name with v as indented JSON, atomically (a
// temporary file renamed over it), so a reader sees the old content or the
// new, never half of it. perm 0 keeps the temporary file's 0600.
func WriteJSONFile(dir, name string, v any, perm os.FileMode) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, name), atomicfile.Options{}, func(f *os.File) error {
		if _, err := f.Write(append(data, '\n')); err != nil || perm == 0 {
			return err
		}
		return f.Chmod(perm)
	})
}
