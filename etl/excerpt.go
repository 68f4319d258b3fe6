package etl

import "strconv"

// ExcerptRunes is the most of a file's text that a message about a file
// not recognised quotes: enough to tell what the file is, and little of
// it, for the file may be anything the job can read.
const ExcerptRunes = 24

// Excerpt quotes the start of s, at most ExcerptRunes characters of it,
// with … after it when s is longer.
func Excerpt(s string) string {
	n := 0
	for i := range s {
		if n == ExcerptRunes {
			return strconv.Quote(s[:i]) + "…"
		}
		n++
	}
	return strconv.Quote(s)
}
