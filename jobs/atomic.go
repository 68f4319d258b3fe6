package jobs

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// WriteJSONFile replaces dir/name with v as indented JSON, atomically (a
// temporary file renamed over it), so a reader sees the old content or the
// new, never half of it. perm 0 keeps the temporary file's 0600.
func WriteJSONFile(dir, name string, v any, perm os.FileMode) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && perm != 0 {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
