package baci

import (
	"math"
	"strconv"
)

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseThousands parses a plain non-negative decimal such as 1234.567 and
// returns it both as written and times 1000 (BACI counts thousands of
// dollars and tonnes), each correctly rounded: the digits are read as an
// integer and scaled once by an exact power of ten, so 0.001 thousand is
// exactly 1, not 1.0000000000000002. Other notations (exponents, more
// than 15 digits) go through strconv. ok is false for anything that is
// not a finite, non-negative number.
func parseThousands(b []byte) (v, v1000 float64, ok bool) {
	var m uint64
	digits, frac, dot := 0, 0, false
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
			digits++
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return slowThousands(b)
		}
	}
	if digits == 0 || digits > 15 {
		return slowThousands(b)
	}
	f := float64(m) // exact: m < 10^15 < 2^53
	v = f / pow10[frac]
	// One IEEE operation on exact operands rounds correctly.
	if frac <= 3 {
		v1000 = f * pow10[3-frac]
	} else {
		v1000 = f / pow10[frac-3]
	}
	return v, v1000, true
}

func slowThousands(b []byte) (v, v1000 float64, ok bool) {
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || math.IsInf(v*1000, 0) {
		return 0, 0, false // NaN, Inf and figures that overflow once scaled are no figures
	}
	v += 0 // "-0" is 0, not -0
	return v, v * 1000, true
}

// parseUint parses 1 to 9 ASCII digits.
func parseUint(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// trimSpace trims ASCII spaces and tabs: BACI pads missing quantities
// ("           NA").
func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// isNA reports whether a trimmed cell means "no figure".
func isNA(b []byte) bool {
	return len(b) == 0 || (len(b) == 2 && (b[0] == 'N' || b[0] == 'n') && (b[1] == 'A' || b[1] == 'a'))
}
