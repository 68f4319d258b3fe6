// Package measures holds trade measures as data: export controls, bans,
// quotas, export taxes and their suspensions, with the HS codes each
// covers. It reads and validates measure files (CSV or YAML), reporting
// every problem with its line and column, and carries the project's
// curated default list (default.csv), written from the public
// announcements it cites.
package measures

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"time"
)

// Measure types.
const (
	Licensing  = "licensing"
	Ban        = "ban"
	Quota      = "quota"
	ExportTax  = "export_tax"
	Suspension = "suspension"
	Lifting    = "lifting"
)

// Types lists the measure types.
var Types = []string{Licensing, Ban, Quota, ExportTax, Suspension, Lifting}

// Statuses lists what a measure's status may be.
var Statuses = []string{"announced", "in_force", "suspended", "ended"}

// DefaultOrigin is the origin of the project's own measures.
const DefaultOrigin = "default"

// Code is one HS code a measure covers, in the HS revision of the
// measure's text ("" when not said).
type Code struct {
	HS       string
	Revision string
}

// Measure is one trade measure.
type Measure struct {
	ID        string
	Imposing  string   // ISO3 of the imposing country
	Targets   []string // ISO3 of the target countries; nil: every destination
	Type      string
	Commodity string // group slug(s), comma-separated; "" when none
	Title     string
	Announced time.Time // zero when unknown
	Effective time.Time
	End       time.Time // zero when open-ended
	Status    string
	Suspends  string // id of the measure this one suspends or lifts
	Citation  string
	Unsourced string // fields no public source gave, with a word on why
	Codes     []Code
	Origin    string // "default" or the file it was read from
	Line      int    // line of the measure in Origin
}

// Hash fingerprints what the measure says (not where it was read), so an
// unchanged measure read again is recognised.
func (m Measure) Hash() string {
	codes := make([]string, len(m.Codes))
	for i, c := range m.Codes {
		codes[i] = c.HS + "@" + c.Revision
	}
	sort.Strings(codes)
	parts := []string{m.ID, m.Imposing, strings.Join(m.Targets, ";"), m.Type, m.Commodity, m.Title,
		day(m.Announced), day(m.Effective), day(m.End), m.Status, m.Suspends, m.Citation, m.Unsourced,
		strings.Join(codes, ";"), m.Origin}
	h := sha256.Sum256([]byte(strings.Join(parts, "\x1f")))
	return hex.EncodeToString(h[:16])
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}
