// Package sqlout runs SQL scripts and writes their results, streaming and
// losslessly: every number is printed exactly (the shortest text that reads
// back as the same value), as a table, CSV, JSON or JSON lines.
package sqlout

import "strings"

// Split cuts a script into its statements at semicolons outside quotes,
// dollar-quoted strings and comments. Statements holding only blanks and
// comments are dropped; the rest are returned trimmed, without the semicolon.
func Split(script string) []string {
	var out []string
	start, code := 0, false // code: the current statement holds more than comments
	flush := func(end int) {
		if code {
			out = append(out, strings.TrimSpace(script[start:end]))
		}
		start, code = end+1, false
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == ';':
			flush(i)
		case c == '-' && i+1 < len(script) && script[i+1] == '-':
			if j := strings.IndexByte(script[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(script)
			}
		case c == '/' && i+1 < len(script) && script[i+1] == '*':
			i = blockCommentEnd(script, i)
		case c == '\'' || c == '"':
			code = true
			escapes := c == '\'' && i > 0 && (script[i-1] == 'E' || script[i-1] == 'e') && (i < 2 || !isIdent(script[i-2]))
			i = quoteEnd(script, i, c, escapes)
		case c == '$':
			code = true
			if tag, ok := dollarTag(script, i); ok {
				if j := strings.Index(script[i+len(tag):], tag); j >= 0 {
					i += len(tag) + j + len(tag) - 1
				} else {
					i = len(script)
				}
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		default:
			code = true
		}
	}
	if start < len(script) {
		flush(len(script))
	}
	return out
}

// blockCommentEnd returns the index of the '/' closing the (nestable)
// comment opened at i.
func blockCommentEnd(s string, i int) int {
	depth := 0
	for ; i+1 < len(s); i++ {
		switch {
		case s[i] == '/' && s[i+1] == '*':
			depth++
			i++
		case s[i] == '*' && s[i+1] == '/':
			depth--
			i++
			if depth == 0 {
				return i
			}
		}
	}
	return len(s)
}

// quoteEnd returns the index of the quote closing the one at i; a doubled
// quote is part of the text, and so is a backslash-escaped one in E'…'.
func quoteEnd(s string, i int, q byte, escapes bool) int {
	for j := i + 1; j < len(s); j++ {
		switch {
		case escapes && s[j] == '\\':
			j++
		case s[j] == q && j+1 < len(s) && s[j+1] == q:
			j++
		case s[j] == q:
			return j
		}
	}
	return len(s)
}

// dollarTag reads a $tag$ opening a dollar-quoted string at i ($1, a
// parameter, is not one).
func dollarTag(s string, i int) (string, bool) {
	if i > 0 && isIdent(s[i-1]) {
		return "", false
	}
	for j := i + 1; j < len(s); j++ {
		switch {
		case s[j] == '$':
			return s[i : j+1], true
		case isIdent(s[j]) && !(j == i+1 && s[j] >= '0' && s[j] <= '9'):
		default:
			return "", false
		}
	}
	return "", false
}

func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
