package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// record has the field set and order of a UN Comtrade v1 `get` record.
type record struct {
	TypeCode                 string   `json:"typeCode"`
	FreqCode                 string   `json:"freqCode"`
	RefPeriodID              int      `json:"refPeriodId"`
	RefYear                  int      `json:"refYear"`
	RefMonth                 int      `json:"refMonth"`
	Period                   string   `json:"period"`
	ReporterCode             int      `json:"reporterCode"`
	ReporterISO              string   `json:"reporterISO"`
	ReporterDesc             string   `json:"reporterDesc"`
	FlowCode                 string   `json:"flowCode"`
	FlowDesc                 string   `json:"flowDesc"`
	PartnerCode              int      `json:"partnerCode"`
	PartnerISO               string   `json:"partnerISO"`
	PartnerDesc              string   `json:"partnerDesc"`
	Partner2Code             int      `json:"partner2Code"`
	Partner2ISO              string   `json:"partner2ISO"`
	Partner2Desc             string   `json:"partner2Desc"`
	ClassificationCode       string   `json:"classificationCode"`
	ClassificationSearchCode string   `json:"classificationSearchCode"`
	IsOriginalClassification bool     `json:"isOriginalClassification"`
	CmdCode                  string   `json:"cmdCode"`
	CmdDesc                  string   `json:"cmdDesc"`
	AggrLevel                int      `json:"aggrLevel"`
	IsLeaf                   bool     `json:"isLeaf"`
	CustomsCode              string   `json:"customsCode"`
	CustomsDesc              string   `json:"customsDesc"`
	MosCode                  string   `json:"mosCode"`
	MotCode                  int      `json:"motCode"`
	MotDesc                  string   `json:"motDesc"`
	QtyUnitCode              int      `json:"qtyUnitCode"`
	QtyUnitAbbr              string   `json:"qtyUnitAbbr"`
	Qty                      *float64 `json:"qty"`
	IsQtyEstimated           bool     `json:"isQtyEstimated"`
	AltQtyUnitCode           int      `json:"altQtyUnitCode"`
	AltQtyUnitAbbr           string   `json:"altQtyUnitAbbr"`
	AltQty                   *float64 `json:"altQty"`
	IsAltQtyEstimated        bool     `json:"isAltQtyEstimated"`
	NetWgt                   *float64 `json:"netWgt"`
	IsNetWgtEstimated        bool     `json:"isNetWgtEstimated"`
	GrossWgt                 *float64 `json:"grossWgt"`
	IsGrossWgtEstimated      bool     `json:"isGrossWgtEstimated"`
	Cifvalue                 *float64 `json:"cifvalue"`
	Fobvalue                 *float64 `json:"fobvalue"`
	PrimaryValue             float64  `json:"primaryValue"`
	LegacyEstimationFlag     int      `json:"legacyEstimationFlag"`
	IsReported               bool     `json:"isReported"`
	IsAggregate              bool     `json:"isAggregate"`
}

type response struct {
	ElapsedTime string   `json:"elapsedTime"`
	Count       int      `json:"count"`
	Data        []record `json:"data"`
	Error       string   `json:"error"`
}

type party struct {
	code int
	iso  string
	desc string
}

var parties = map[string]party{
	"WLD": {0, "W00", "World"}, "USA": {842, "USA", "USA"}, "CHN": {156, "CHN", "China"},
	"JPN": {392, "JPN", "Japan"}, "EST": {233, "EST", "Estonia"}, "MYS": {458, "MYS", "Malaysia"},
	"FRA": {251, "FRA", "France"}, "DEU": {276, "DEU", "Germany"}, "CAN": {124, "CAN", "Canada"},
	"GBR": {826, "GBR", "United Kingdom"}, "BEL": {56, "BEL", "Belgium"}, "IND": {699, "IND", "India"},
	"MEX": {484, "MEX", "Mexico"}, "MDG": {450, "MDG", "Madagascar"}, "BRA": {76, "BRA", "Brazil"},
	"KOR": {410, "KOR", "Rep. of Korea"}, "AUT": {40, "AUT", "Austria"}, "VNM": {704, "VNM", "Viet Nam"},
	"BOL": {68, "BOL", "Bolivia (Plurinational State of)"}, "TJK": {762, "TJK", "Tajikistan"},
}

// flowSeries is a reporter's trade in one code: a world total per period and
// the listed partners' shares of it (the rest is unlisted partners).
type flowSeries struct {
	reporter, flow, cmd string
	qtyUnit             string // "kg" or "N/A"
	unitValue           float64
	totals              []float64            // per period, USD
	shares              map[string][]float64 // partner -> share per period
}

func classification(year int) string {
	if year >= 2022 {
		return "H6"
	}
	return "H5"
}

// records expands a series into Comtrade records: one per partner plus World.
func (s flowSeries) records(freq string, periods []string) []record {
	var out []record
	rep := parties[s.reporter]
	for i, p := range periods {
		year, _ := strconv.Atoi(p[:4])
		month := 52 // Comtrade's refMonth for annual data
		refID := year*10000 + 101
		if freq == "M" {
			month, _ = strconv.Atoi(p[4:])
			refID = year*10000 + month*100 + 1
		}
		add := func(partner string, value float64) {
			pt := parties[partner]
			value = math.Round(value)
			r := record{TypeCode: "C", FreqCode: freq, RefPeriodID: refID, RefYear: year, RefMonth: month,
				Period: p, ReporterCode: rep.code, ReporterISO: rep.iso, ReporterDesc: rep.desc,
				FlowCode: s.flow, FlowDesc: map[string]string{"M": "Import", "X": "Export"}[s.flow],
				PartnerCode: pt.code, PartnerISO: pt.iso, PartnerDesc: pt.desc,
				Partner2Code: 0, Partner2ISO: "W00", Partner2Desc: "World",
				ClassificationCode: classification(year), ClassificationSearchCode: "HS",
				IsOriginalClassification: true, CmdCode: s.cmd, AggrLevel: len(s.cmd), IsLeaf: len(s.cmd) == 6,
				CustomsCode: "C00", CustomsDesc: "TOTAL CPC", MosCode: "0", MotCode: 0, MotDesc: "TOTAL MOT",
				QtyUnitCode: -1, QtyUnitAbbr: "N/A", AltQtyUnitCode: -1, AltQtyUnitAbbr: "N/A",
				PrimaryValue: value, IsReported: true, IsAggregate: partner == "WLD"}
			if s.qtyUnit == "kg" {
				kg := math.Round(value / s.unitValue)
				r.QtyUnitCode, r.QtyUnitAbbr, r.Qty, r.NetWgt = 8, "kg", &kg, &kg
				r.AltQtyUnitCode, r.AltQtyUnitAbbr, r.AltQty = 8, "kg", &kg
			}
			if s.flow == "M" {
				r.Cifvalue = &value
				zero := 0.0
				r.Fobvalue = &zero
			} else {
				r.Fobvalue = &value
				zero := 0.0
				r.Cifvalue = &zero
			}
			out = append(out, r)
		}
		add("WLD", s.totals[i])
		for _, partner := range sortedKeys(s.shares) {
			if sh := s.shares[partner][i]; sh > 0 {
				add(partner, s.totals[i]*sh)
			}
		}
	}
	return out
}

func encodeResponse(recs []record) ([]byte, error) {
	b, err := json.MarshalIndent(response{ElapsedTime: fmt.Sprintf("%.2f secs", 0.05+float64(len(recs))/4000),
		Count: len(recs), Data: recs, Error: ""}, "", "    ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
