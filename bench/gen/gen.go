// Package gen writes synthetic files in CEPII BACI's exact format, with
// BACI's cardinalities and skew, for benchmarks and large-volume tests:
// about 230 countries with their real codes, about 5,400 HS6 products
// (the commodity groups' codes among them), one row per exporter,
// importer and product, sorted as BACI sorts them.
package gen

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/tradewh/tradewh/etl"
)

// Sizes of the synthetic universe, as in a BACI HS17 release.
const (
	NumCountries = 230
	NumProducts  = 5400
	Version      = "202401"
)

// Header is the header line of a BACI data file.
const Header = "t,i,j,k,v,q"

// missingQty is how BACI writes a missing quantity: NA padded to width.
const missingQty = "           NA"

// FileName is the BACI name of an HS 2017 file for year.
func FileName(year int) string { return fmt.Sprintf("BACI_HS17_Y%d_V%s.csv", year, Version) }

// CountryCodesFileName is the name of the country table that goes with it.
const CountryCodesFileName = "country_codes_V" + Version + ".csv"

// Countries returns the countries the generator uses: the first
// NumCountries countries (not areas) of the reference table that have a
// numeric code.
func Countries() []etl.Country {
	var out []etl.Country
	seen := map[int]bool{}
	for _, c := range etl.Countries() {
		if c.IsArea || c.M49 <= 0 || c.M49 >= 1000 || seen[c.M49] {
			continue
		}
		seen[c.M49] = true
		out = append(out, c)
		if len(out) == NumCountries {
			break
		}
	}
	return out
}

// Products returns NumProducts distinct HS6 codes as numbers (so 10121 is
// 010121), sorted: every 6-digit code of the commodity groups plus
// synthetic codes spread over the HS chapters, chapters 01-09 included.
func Products(seed int64) []int {
	r := rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15))
	seen := map[int]bool{}
	var out []int
	for _, c := range etl.AllGroupCodes() {
		if len(c) == 6 {
			n, _ := strconv.Atoi(c)
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	subs := []int{10, 11, 19, 20, 21, 29, 30, 40, 50, 60, 80, 90, 91, 99}
	for len(out) < NumProducts {
		ch := 1 + r.IntN(97)
		if ch == 77 { // reserved chapter
			continue
		}
		code := ch*10000 + (1+r.IntN(30))*100 + subs[r.IntN(len(subs))]
		if !seen[code] {
			seen[code] = true
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// WriteCountryCodes writes BACI's country_codes file for Countries().
func WriteCountryCodes(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"country_code", "country_name", "country_iso2", "country_iso3"}); err != nil {
		return err
	}
	for _, c := range Countries() {
		if err := cw.Write([]string{strconv.Itoa(c.M49), c.Name, c.ISO2, c.ISO3}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Generate writes a BACI data file of exactly rows rows for year,
// deterministic for a seed. Trade is skewed as in BACI: a few large
// exporters, importers and products carry most rows (Zipf-like weights),
// values are log-normal (thousands of USD, three decimals) and about 5%
// of quantities are missing.
func Generate(w io.Writer, rows int, seed int64, year int) error {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(year)))
	countries := Countries()
	products := Products(seed)
	nc, np := len(countries), len(products)
	if rows < 0 || float64(rows) > 0.9*float64(nc*(nc-1)*np) {
		return fmt.Errorf("rows must be from 0 to %d, got %d", int(0.9*float64(nc*(nc-1)*np)), rows)
	}
	// Country weights by a seeded rank; rows are ordered by code as BACI's are.
	weight := zipf(r, nc, 0.9)
	slices.SortFunc(countries, func(a, b etl.Country) int { return a.M49 - b.M49 })
	// Product popularity: rank r has weight ~ r^-2/3 (see pickProducts).
	rank := r.Perm(np)
	counts := pairCounts(weight, rows, np)

	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(Header + "\n")
	yearB := strconv.AppendInt(nil, int64(year), 10)
	taken := make([]int32, np)
	picked := make([]int, 0, np)
	var line []byte
	pair := int32(0)
	for i := range countries {
		for j := range countries {
			if i == j {
				continue
			}
			pair++
			n := counts[(i*nc)+j]
			if n == 0 {
				continue
			}
			picked = pickProducts(r, picked[:0], n, np, taken, pair)
			for k := range picked {
				picked[k] = products[rank[picked[k]]]
			}
			slices.Sort(picked)
			for _, code := range picked {
				line = appendRow(line[:0], r, yearB, countries[i].M49, countries[j].M49, code)
				if _, err := bw.Write(line); err != nil {
					return err
				}
			}
		}
	}
	return bw.Flush()
}

// GenerateRandom writes a BACI data file of exactly rows rows for year
// whose rows are drawn independently and uniformly from every (exporter,
// importer, product): in no order, and with repeated keys as chance
// makes them (about rows²/(2·230·229·5,400): 175,000 in 10M rows). It
// returns how many rows repeat the key of an earlier row, which a load
// must reject.
func GenerateRandom(w io.Writer, rows int, seed int64, year int) (repeats int, err error) {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(year)))
	countries := Countries()
	products := Products(seed)
	nc, np := len(countries), len(products)
	if rows < 0 {
		return 0, fmt.Errorf("rows must be at least 0, got %d", rows)
	}
	seen := make([]uint64, (nc*nc*np+63)/64) // a bit per key
	bw := bufio.NewWriterSize(w, 1<<20)
	bw.WriteString(Header + "\n")
	yearB := strconv.AppendInt(nil, int64(year), 10)
	var line []byte
	for range rows {
		i := r.IntN(nc)
		j := r.IntN(nc - 1)
		if j >= i {
			j++ // never the exporter itself
		}
		k := r.IntN(np)
		if key := (i*nc+j)*np + k; seen[key/64]&(1<<(key%64)) != 0 {
			repeats++
		} else {
			seen[key/64] |= 1 << (key % 64)
		}
		line = appendRow(line[:0], r, yearB, countries[i].M49, countries[j].M49, products[k])
		if _, err := bw.Write(line); err != nil {
			return repeats, err
		}
	}
	return repeats, bw.Flush()
}

// appendRow appends one data line: year, exporter, importer, product,
// a log-normal value (thousands of USD, three decimals) and its quantity,
// missing in about 5% of rows.
func appendRow(line []byte, r *rand.Rand, year []byte, exporter, importer, code int) []byte {
	line = append(line, year...)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(exporter), 10)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(importer), 10)
	line = append(line, ',')
	line = strconv.AppendInt(line, int64(code), 10) // 10121: BACI drops the zero
	line = append(line, ',')
	v := math.Max(0.001, math.Exp(math.Log(20)+2.6*r.NormFloat64()))
	line = strconv.AppendFloat(line, v, 'f', 3, 64)
	line = append(line, ',')
	if r.Float64() < 0.05 {
		line = append(line, missingQty...)
	} else {
		// tonnes at a log-normal price around 2 thousand USD a tonne
		q := v / math.Exp(math.Log(2)+1.8*r.NormFloat64())
		line = strconv.AppendFloat(line, q, 'f', 3, 64)
	}
	return append(line, '\n')
}

// zipf returns n weights 1/rank^s, summing to 1, over a seeded ranking.
func zipf(r *rand.Rand, n int, s float64) []float64 {
	w := make([]float64, n)
	sum := 0.0
	for i, p := range r.Perm(n) {
		w[i] = 1 / math.Pow(float64(p+1), s)
		sum += w[i]
	}
	for i := range w {
		w[i] /= sum
	}
	return w
}

// pairCounts spreads rows over ordered country pairs in proportion to the
// product of their weights, no pair above np (one row per product), and
// rounds so the counts add up to rows exactly.
func pairCounts(w []float64, rows, np int) []int {
	n := len(w)
	share := func(lambda float64) float64 {
		t := 0.0
		for i := range n {
			for j := range n {
				if i != j {
					t += math.Min(float64(np), lambda*w[i]*w[j])
				}
			}
		}
		return t
	}
	lo, hi := 0.0, 1.0
	for share(hi) < float64(rows) {
		hi *= 2
	}
	for range 100 {
		mid := (lo + hi) / 2
		if share(mid) < float64(rows) {
			lo = mid
		} else {
			hi = mid
		}
	}
	counts := make([]int, n*n)
	cum, done := 0.0, 0
	for i := range n {
		for j := range n {
			if i == j {
				continue
			}
			cum += math.Min(float64(np), hi*w[i]*w[j])
			next := min(int(math.Floor(cum+1e-9)), rows)
			counts[i*n+j] = min(next-done, np)
			done += counts[i*n+j]
		}
	}
	// Floating error can leave a few rows over: give them to pairs with room.
	for k := 0; done < rows; k = (k + 1) % len(counts) {
		if k/n != k%n && counts[k] < np {
			counts[k]++
			done++
		}
	}
	return counts
}

// pickProducts appends n distinct product ranks. Small picks draw ranks
// with density ~ r^-2/3 (popular products first) and redraw repeats: the
// ranks already taken hold at most half the mass, so that ends quickly.
// Large picks (a big pair trades most products) take an exact uniform
// sample in one pass.
func pickProducts(r *rand.Rand, out []int, n, np int, taken []int32, pair int32) []int {
	if n*8 <= np {
		for len(out) < n {
			u := r.Float64()
			k := int(float64(np) * u * u * u)
			if taken[k] != pair {
				taken[k] = pair
				out = append(out, k)
			}
		}
		return out
	}
	need := n
	for k := range np {
		if r.IntN(np-k) < need {
			out = append(out, k)
			need--
		}
	}
	return out
}
