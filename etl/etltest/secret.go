package etltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NoSecret fails the test when secret appears in any of texts (logs,
// errors, rejection fields) or in the name or body of any file under dir
// (a landing zone), which users may share or publish.
func NoSecret(t testing.TB, secret, dir string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Errorf("the key leaks: %s", s)
		}
	}
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(p, secret) || strings.Contains(string(b), secret) {
			t.Errorf("the key leaks into %s", p)
		}
		return nil
	})
}
