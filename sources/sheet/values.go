package sheet

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/tradewh/tradewh/etl"
)

// cellCtx is what reading a cell needs to know about its file.
type cellCtx struct {
	xlsx     bool // numbers may be Excel date serials
	date1904 bool // the workbook counts days from 1904
	// decimalComma reads 1.234,5 as 1234.5 (text files only: workbook
	// numbers are stored with a point whatever the locale).
	decimalComma bool
}

// period is a parsed period cell; its frequency is settled against the
// freq column later (a date can start a year or a month).
type period struct {
	start time.Time
	kind  byte // 'A' a year, 'M' a month, 'D' a date
}

var (
	reYear     = regexp.MustCompile(`^\d{4}$`)
	reYearMon  = regexp.MustCompile(`^(\d{4})(?:(\d{2})|-(\d{1,2}))$`)
	reISODate  = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})([T ].*)?$`)
	reNumberly = regexp.MustCompile(`^\d+(\.\d+)?$`)
	reNumeric  = regexp.MustCompile(`^[<>]?=?\s*[-+]?[\d.,\s]+[eE]?$`)
)

// parseValue reads one cell (or constant) as its column's kind. A blank
// cell is nil with no error: the row decides whether it may be blank.
func parseValue(k valueKind, s string, cx cellCtx) (any, error) {
	s = cleanCell(s)
	if s == "" {
		return nil, nil
	}
	switch k {
	case kText:
		return s, nil
	case kSlug:
		if v := etl.Slug(s); v != "" {
			return v, nil
		}
		return nil, fmt.Errorf("%q has no letters or digits", s)
	case kNumber:
		n, err := cx.number(s)
		if err != nil {
			return nil, err
		}
		v, err := etl.ParseNumber(n)
		if err != nil {
			return nil, err
		}
		return v, nil
	case kQualified:
		n, err := cx.number(s)
		if err != nil {
			return nil, err
		}
		return etl.ParseQualified(n)
	case kQualifier:
		return parseQualifier(s)
	case kCountry:
		return parseCountry(s)
	case kPeriod:
		return parsePeriod(s, cx)
	case kYear:
		p, err := parsePeriod(s, cx)
		if err != nil || p.kind == 'M' {
			return nil, fmt.Errorf("year %q is not YYYY", s)
		}
		return p.start.Year(), nil
	case kHSCode:
		c := etl.NormalizeHSCode(strings.ReplaceAll(s, " ", ""))
		if !etl.ValidHSCode(c) {
			return nil, fmt.Errorf("HS code %q is not 2 to 10 digits", s)
		}
		return c, nil
	case kFlow:
		return parseFlow(s)
	case kFreq:
		switch strings.ToLower(s) {
		case "a", "annual", "year", "yearly":
			return "A", nil
		case "m", "monthly", "month":
			return "M", nil
		}
		return nil, fmt.Errorf("frequency %q is neither A (annual) nor M (monthly)", s)
	case kBool:
		switch strings.ToLower(s) {
		case "true", "yes", "y", "1", "x":
			return true, nil
		case "false", "no", "n", "0":
			return false, nil
		}
		return nil, fmt.Errorf("%q is not yes/no or true/false", s)
	}
	return nil, fmt.Errorf("unsupported column kind %d", k)
}

// number prepares a numeric cell for etl.ParseNumber, which drops commas
// as thousands separators. A comma that cannot be one (1,5 or 1.234,5) is
// an error unless the config declares decimal commas: read as a separator
// it would silently scale the figure.
func (cx cellCtx) number(s string) (string, error) {
	if cx.decimalComma {
		t := strings.NewReplacer(".", "", " ", "", "\u00a0", "").Replace(s)
		if t == "" {
			return s, nil // nothing but separators ("."): ParseNumber says it is no number, not blank
		}
		return strings.Replace(t, ",", ".", 1), nil
	}
	if !strings.Contains(s, ",") || !reNumeric.MatchString(s) {
		return s, nil // not a number at all: ParseNumber says so
	}
	t := strings.TrimLeft(strings.TrimRight(s, "eE "), "<>= ")
	if !etl.ThousandsCommas(strings.Join(strings.Fields(t), "")) {
		return "", fmt.Errorf("%q has a comma that is not a thousands separator (set decimal: \",\" for decimal commas)", s)
	}
	return s, nil
}

// cleanCell trims spaces, byte-order marks and non-breaking spaces.
func cleanCell(s string) string {
	s = strings.NewReplacer("\ufeff", "", "\u00a0", " ", "\u202f", " ", "\u2007", " ").Replace(s)
	return strings.TrimSpace(s)
}

// parseCountry resolves ISO3, ISO2 or a name to an ISO3 code.
func parseCountry(s string) (string, error) {
	switch len(s) {
	case 3:
		if c, ok := etl.CountryByISO3(s); ok {
			return c.ISO3, nil
		}
	case 2:
		if c, ok := etl.CountryByISO2(s); ok {
			return c.ISO3, nil
		}
	}
	if c, ok := etl.CountryByName(s); ok {
		return c.ISO3, nil
	}
	return "", fmt.Errorf("unknown country %q (give an ISO3 or ISO2 code or a country name)", s)
}

// parsePeriod reads YYYY, YYYYMM, YYYY-MM, an ISO date, or (in a workbook)
// an Excel date serial. Years and YYYYMM are told from serials by size: a
// four-digit number is a year, six digits YYYYMM, other numbers (five
// digits, or with a time fraction) are days since 1900 (or 1904).
func parsePeriod(s string, cx cellCtx) (period, error) {
	t := strings.TrimSuffix(s, ".0")
	if reYear.MatchString(t) {
		_, start, err := etl.PeriodStart(t)
		return period{start, 'A'}, err
	}
	if m := reYearMon.FindStringSubmatch(t); m != nil {
		y, _ := strconv.Atoi(m[1])
		mon, _ := strconv.Atoi(m[2] + m[3])
		if mon >= 1 && mon <= 12 {
			return period{time.Date(y, time.Month(mon), 1, 0, 0, 0, 0, time.UTC), 'M'}, nil
		}
	}
	if m := reISODate.FindStringSubmatch(t); m != nil {
		if d, err := time.Parse("2006-01-02", m[1]+"-"+m[2]+"-"+m[3]); err == nil {
			return period{d, 'D'}, nil
		}
	}
	if cx.xlsx && reNumberly.MatchString(t) && !reYearMon.MatchString(t) {
		f, _ := strconv.ParseFloat(t, 64)
		if f >= 1 && f < 2958466 { // Excel's last date is 9999-12-31
			if d, err := excelize.ExcelDateToTime(math.Floor(f), cx.date1904); err == nil {
				return period{time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC), 'D'}, nil
			}
		}
	}
	return period{}, fmt.Errorf("period %q is not YYYY, YYYYMM, YYYY-MM or a date", s)
}

// resolvePeriod settles the frequency and first day of a period.
// freq is the row's A/M or ” (then the period's own form decides).
func resolvePeriod(p period, freq string) (string, time.Time, error) {
	switch {
	case freq == "":
		if p.kind == 'A' {
			return "A", p.start, nil
		}
		return "M", monthStart(p.start), nil
	case freq == "A" && p.kind == 'M':
		return "", time.Time{}, fmt.Errorf("period %s is a month but freq is A", p.start.Format("2006-01"))
	case freq == "M" && p.kind == 'A':
		return "", time.Time{}, fmt.Errorf("period %d is a year but freq is M", p.start.Year())
	case freq == "A":
		return "A", time.Date(p.start.Year(), 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return "M", monthStart(p.start), nil
}

func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func parseFlow(s string) (string, error) {
	k := strings.NewReplacer(" ", "", "-", "", "_", "").Replace(strings.ToLower(s))
	switch k {
	case "import", "imports", "m":
		return etl.FlowImport, nil
	case "export", "exports", "x":
		return etl.FlowExport, nil
	case "reimport", "reimports", "rm":
		return etl.FlowReImport, nil
	case "reexport", "reexports", "rx":
		return etl.FlowReExport, nil
	}
	return "", fmt.Errorf("flow %q is not import, export, re-import or re-export", s)
}

func parseQualifier(s string) (string, error) {
	switch q := strings.ToUpper(s); q {
	case "W", "NA", "E", ">", "<":
		return q, nil
	}
	return "", fmt.Errorf("qualifier %q is not W, NA, E, > or <", s)
}
