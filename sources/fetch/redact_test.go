package fetch

import (
	"bytes"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://api.example/data?period=2023&subscription-key=abc123&cmdCode=2846",
			"https://api.example/data?period=2023&cmdCode=2846"},
		{"https://api.census.gov/data/timeseries/intltrade/imports/hs?get=X&key=abcd&time=2023",
			"https://api.census.gov/data/timeseries/intltrade/imports/hs?get=X&time=2023"},
		{"https://api.example/data?KEY=abcd", "https://api.example/data"},
		{"https://user:pass@api.example/p?a=1", "https://api.example/p?a=1"},
		{"https://api.example/p?reporterCode=842,156&x=%2C", "https://api.example/p?reporterCode=842,156&x=%2C"},
		{"https://api.example/p?subscription%2Dkey=abcd&a=1", "https://api.example/p?a=1"},
		{"::bad url?key=abcd", "::bad url"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestScrubWriterAcrossWrites(t *testing.T) {
	secret := "0123456789abcdef"
	text := strings.Repeat("x", 37) + secret + "mid" + secret + strings.Repeat("y", 11)
	for chunk := 1; chunk <= len(text); chunk++ {
		var out bytes.Buffer
		w := newScrubWriter(&out, []string{secret})
		for i := 0; i < len(text); i += chunk {
			end := min(i+chunk, len(text))
			w.Write([]byte(text[i:end]))
		}
		w.Close()
		want := strings.Repeat("x", 37) + redactedMark + "mid" + redactedMark + strings.Repeat("y", 11)
		if out.String() != want {
			t.Fatalf("chunk %d: got %q", chunk, out.String())
		}
	}
}

func TestSecretsOf(t *testing.T) {
	got := secretsOf("https://h/p?key=abcd1234&a=1",
		map[string][]string{"Authorization": {"Bearer tok-12345"}, "Accept": {"application/json"}},
		DefaultSecretHeaders)
	joined := strings.Join(got, "|")
	for _, want := range []string{"abcd1234", "Bearer tok-12345", "tok-12345"} {
		if !strings.Contains(joined, want) {
			t.Errorf("secrets %q miss %q", got, want)
		}
	}
	if strings.Contains(joined, "application/json") {
		t.Errorf("a plain header taken for a secret: %q", got)
	}
}
