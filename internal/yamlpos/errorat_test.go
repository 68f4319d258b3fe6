package yamlpos

import (
	"errors"
	"testing"

	"github.com/goccy/go-yaml/parser"
)

func TestErrorAt(t *testing.T) {
	_, err := parser.ParseBytes([]byte("a: 1\nb: [1, 2\n"), 0)
	if err == nil {
		t.Fatal("an unclosed list parsed")
	}
	line, col, msg, ok := ErrorAt(err)
	if !ok || line != 2 || col != 4 || msg == "" {
		t.Errorf("ErrorAt = %d:%d %q %v, want 2:4, a message, true", line, col, msg, ok)
	}
	if _, _, _, ok := ErrorAt(errors.New("[3:4] not from the parser")); ok {
		t.Error("ErrorAt found a position in an error without a token")
	}
}
