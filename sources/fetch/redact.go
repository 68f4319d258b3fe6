package fetch

import (
	"bytes"
	"io"
	"net/url"
	"strings"
)

// secretParams are query parameters that carry credentials (Comtrade's
// subscription-key, the Census API's key, and the usual generic names).
var secretParams = map[string]bool{
	"subscription-key": true, "subscription_key": true, "key": true, "api_key": true,
	"apikey": true, "api-key": true, "token": true, "access_token": true,
}

// DefaultSecretHeaders are request headers whose values are credentials.
var DefaultSecretHeaders = []string{"Ocp-Apim-Subscription-Key", "Authorization", "X-Api-Key"}

// redactedMark replaces a secret found inside a body or an error text.
const redactedMark = "REDACTED"

func isSecretParam(name string) bool { return secretParams[strings.ToLower(name)] }

// Redact returns rawURL without credentials: secret query parameters are
// removed (the rest keep their order, so the result is stable and can name
// a request in provenance columns) and user info is dropped. A URL that
// does not parse loses its whole query rather than risk leaking a key.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		if i := strings.IndexAny(rawURL, "?#"); i >= 0 {
			return rawURL[:i]
		}
		return rawURL
	}
	u.User = nil
	if u.RawQuery != "" {
		var kept []string
		for _, part := range strings.Split(u.RawQuery, "&") {
			name := part
			if i := strings.IndexByte(part, '='); i >= 0 {
				name = part[:i]
			}
			if n, err := url.QueryUnescape(name); err == nil {
				name = n
			}
			if part == "" || isSecretParam(name) {
				continue
			}
			kept = append(kept, part)
		}
		u.RawQuery = strings.Join(kept, "&")
	}
	return u.String()
}

// secretsOf collects the credential values of a request so they can be
// scrubbed from anything written out (a server may echo a key back).
func secretsOf(rawURL string, header map[string][]string, secretHeaders []string) []string {
	var out []string
	add := func(s string) {
		// Very short values would mangle unrelated text; no real key is that short.
		if len(s) >= 4 {
			out = append(out, s)
		}
	}
	if u, err := url.Parse(rawURL); err == nil {
		for name, vals := range u.Query() {
			if isSecretParam(name) {
				for _, v := range vals {
					add(v)
					add(url.QueryEscape(v))
				}
			}
		}
		if p, ok := u.User.Password(); ok {
			add(p)
		}
	}
	for _, h := range secretHeaders {
		for name, vals := range header {
			if strings.EqualFold(name, h) {
				for _, v := range vals {
					add(v)
					if f := strings.Fields(v); len(f) == 2 { // "Bearer <token>"
						add(f[1])
					}
				}
			}
		}
	}
	return out
}

// scrub replaces every secret in s.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, redactedMark)
	}
	return s
}

// scrubWriter replaces secrets in a stream. It holds back the last
// len(longest secret)-1 bytes so a secret split across writes is caught.
type scrubWriter struct {
	w       io.Writer
	secrets [][]byte
	keep    int
	buf     []byte
}

func newScrubWriter(w io.Writer, secrets []string) *scrubWriter {
	s := &scrubWriter{w: w}
	for _, sec := range secrets {
		s.secrets = append(s.secrets, []byte(sec))
		if len(sec)-1 > s.keep {
			s.keep = len(sec) - 1
		}
	}
	return s
}

func (s *scrubWriter) Write(p []byte) (int, error) {
	if len(s.secrets) == 0 {
		return s.w.Write(p)
	}
	s.buf = append(s.buf, p...)
	for _, sec := range s.secrets {
		if bytes.Contains(s.buf, sec) {
			s.buf = bytes.ReplaceAll(s.buf, sec, []byte(redactedMark))
		}
	}
	if n := len(s.buf) - s.keep; n > 0 {
		if _, err := s.w.Write(s.buf[:n]); err != nil {
			return 0, err
		}
		s.buf = append(s.buf[:0], s.buf[n:]...)
	}
	return len(p), nil
}

// Close flushes what was held back.
func (s *scrubWriter) Close() error {
	if len(s.buf) == 0 {
		return nil
	}
	_, err := s.w.Write(s.buf)
	s.buf = nil
	return err
}
