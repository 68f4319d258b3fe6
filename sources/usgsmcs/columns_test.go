package usgsmcs

import (
	"strings"
	"testing"
)

func TestParseSalientColumn(t *testing.T) {
	for _, c := range []struct {
		name, measure, product, unit string
		exp                          int
		rejected                     bool
	}{
		{"USprod_Primarykg", "production", "primary", "kg", 0, false},
		{"Imports_Metalkg", "imports", "metal", "kg", 0, false},
		{"Imports_GaAskg", "imports", "gaas", "kg", 0, false},
		{"Exports_g", "exports", "", "kg", -3, false},
		{"Price_High-puritydkg", "price", "high-purity", "usd_per_kg", 0, false},
		{"NIR_pct", "net_import_reliance", "", "pct", 0, false},
		{"USprod_Compounds-Metals_t", "production", "compounds-metals", "t", 0, false},
		{"Price_CeO2_dkg", "price", "ceo2", "usd_per_kg", 0, false},
		{"Employment_m", "employment", "", "employees", 0, false},
		{"NIR_Compounds-Metals_t", "net_import_reliance", "compounds-metals", "pct", 0, false},
		{"NIR_ct", "net_import_reliance", "", "pct", 0, false},
		{"Imports_Compounds_kt", "imports", "compounds", "t", 3, false},
		{"Consump_Reportedt", "consumption", "reported", "t", 0, false},
		{"Price_WO3dt", "price", "wo3", "usd_per_t", 0, false},
		{"NIR_Refinedpct", "net_import_reliance", "refined", "pct", 0, false},
		{"Bort_USprod_Manufactured_mct", "production", "bort-manufactured", "carats", 6, false},
		{"Bauxite_Consump_Apprnt_kt", "consumption", "bauxite-apparent", "t", 3, false},
		{"Alumina_Apparent_kt", "consumption", "alumina-apparent", "t", 3, false},
		{"Crystal_Imports, piezoelectric_t", "imports", "crystal-piezoelectric", "t", 0, false},
		{"Price_Ingot_ctslb", "price", "ingot", "usd_per_lb", -2, false},
		{"Price_Cmpds_Oxide_dg", "price", "compounds-oxide", "usd_per_kg", 3, false},
		{"Price_Index_mmt", "price", "index", "index", 0, false},
		{"Employment_Mill_mmt", "employment", "mill", "employees", 0, false},
		{"Extracted_mcm", "extracted", "", "m3", 6, false},
		{"Grade-A-Salesmcm", "grade_a_sales", "", "m3", 6, false},
		{"CASE STATEMENT ERRORkt", "unlabelled", "", "t", 3, false},
		{"CASE STATEMENT ERROROre_dt", "price", "ore", "usd_per_t", 0, false},
		{"Price_Zircon_imported_t", "price", "zircon-imported", "usd_per_t", 0, false}, // a price under a plain quantity unit is USD per that unit
		{"Price_Flake_t", "price", "flake", "usd_per_t", 0, false},
		{"Price_kg", "price", "", "usd_per_kg", 0, false},
		{"Price_Gem_dct", "price", "gem", "usd_per_carat", 0, false},
		{"Bauxite_Price_kt", "price", "bauxite", "t", 3, true}, // $/t or $/kt: not stated
		{"USprod_Value_mdol", "production", "value", "usd", 6, false},
		{"Sales_Sales_kt", "sales", "", "t", 3, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			col, err := parseSalientColumn(0, c.name)
			if err != nil {
				t.Fatal(err)
			}
			if col.measure != c.measure || col.product != c.product || col.unit.unit != c.unit || col.unit.exp != c.exp {
				t.Errorf("got (%q, %q, %q, %d), want (%q, %q, %q, %d)", col.measure, col.product, col.unit.unit, col.unit.exp,
					c.measure, c.product, c.unit, c.exp)
			}
			if (col.rejectAs != "") != c.rejected {
				t.Errorf("rejectAs = %q, want rejected=%v", col.rejectAs, c.rejected)
			}
		})
	}
}

func TestParseSalientColumnErrors(t *testing.T) {
	for _, name := range []string{"Remarks", "Something odd"} {
		if _, err := parseSalientColumn(0, name); err == nil {
			t.Errorf("%q: no error", name)
		}
	}
}

func TestParseWorldColumn(t *testing.T) {
	for _, c := range []struct {
		name, world, product, unit string
		year                       int
		err                        string
	}{
		{"Prod_t_2022", "prod", "", "t", 2022, ""},
		{"Prod_kt_est_2023", "prod", "", "t", 2023, ""},
		{"Prod_Sponge_t_Est_2022", "prod", "sponge", "t", 2022, ""},
		{"Reserves_t", "reserves", "", "t", 0, ""},
		{"Reserves_kt_2023", "reserves", "", "t", 2023, ""},
		{"Reserves_ore_K2O_equiv_kt", "reserves", "ore-k2o-equiv", "t", 0, ""},
		{"Cap_kg_2023", "cap", "", "kg", 2023, ""},
		{"Prod_t", "", "", "", 0, "no year"},
		{"Prod_2023", "", "", "", 0, "no unit"},
		{"Output_t_2023", "", "", "", 0, "not a world-table column"},
	} {
		t.Run(c.name, func(t *testing.T) {
			col, err := parseWorldColumn(0, c.name)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if col.world != c.world || col.product != c.product || col.unit.unit != c.unit || col.year != c.year {
				t.Errorf("got (%q, %q, %q, %d)", col.world, col.product, col.unit.unit, col.year)
			}
		})
	}
}

func TestParseCell(t *testing.T) {
	kt, mct, pct := units["kt"], units["mct"], units["pct"]
	for _, c := range []struct {
		raw   string
		u     unitDef
		value any // float64, nil or "empty"
		qual  string
		bad   bool
	}{
		{`7,900`, units["t"], 7900.0, "", false},
		{"7,900", kt, 7900000.0, "", false},
		{">95", pct, 95.0, ">", false},
		{"<1", pct, 1.0, "<", false},
		{"E", pct, nil, "E", false},
		{"W", kt, nil, "W", false},
		{"NA", kt, nil, "NA", false},
		{"XX", kt, nil, "NA", false},
		{"", kt, "empty", "", false},
		{"   ", kt, "empty", "", false},
		{"e150", kt, 150000.0, "", false},
		{" e24,000", kt, 24000000.0, "", false},
		{"\u221284", units["t"], -84.0, "", false},
		{"0.14", mct, 140000.0, "", false},
		{"Less than ½ unit.", kt, 500.0, "<", false},
		{"Less than 1/2 unit.", pct, 0.5, "<", false},
		{"Less than a half unit", units["kg"], 0.5, "<", false},
		{"Less than 500\u00a0carats.", mct, 500.0, "<", false},
		{"500–14,000", units["dt"], nil, "range 500-14000", false},
		{"50-300", units["kt"], nil, "range 50000-300000", false},
		{">50%", pct, 50.0, ">", false},
		{"Less than 50,000 tons", kt, 50000.0, "<", false},
		{"Less than 50 kilograms", kt, nil, "", true},
		{"More than 90 percent", pct, 90.0, ">", false},
		{"Less than 5", kt, 5000.0, "<", false},
		{"50%", units["t"], nil, "", true},
		{"300–50", units["dt"], nil, "", true},
		{"Small", units["num"], nil, "", true},
		{"Included in World total.", units["t"], nil, "", true},
	} {
		t.Run(c.raw, func(t *testing.T) {
			v, q, ok, err := parseCell(c.raw, c.u)
			if c.bad {
				if err == nil {
					t.Fatalf("no error for %q", c.raw)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.value == "empty" {
				if ok {
					t.Fatalf("empty cell gave a figure")
				}
				return
			}
			if !ok || q != c.qual {
				t.Fatalf("ok=%v qualifier %q, want %q", ok, q, c.qual)
			}
			if c.value == nil {
				if v != nil {
					t.Fatalf("value %v, want null", *v)
				}
				return
			}
			if v == nil || *v != c.value.(float64) {
				t.Fatalf("value %v, want %v", show(v), c.value)
			}
		})
	}
}

func TestScaleIsExact(t *testing.T) {
	for _, c := range []struct {
		v    float64
		exp  int
		want float64
	}{{0.14, 6, 140000}, {43, -2, 0.43}, {0.1, 3, 100}, {1.07, 6, 1070000}, {2051, 0, 2051}} {
		if got := scale(c.v, c.exp); got != c.want {
			t.Errorf("scale(%v, %d) = %v, want %v", c.v, c.exp, got, c.want)
		}
	}
}

func TestCountries(t *testing.T) {
	for _, c := range []struct{ raw, iso, errPart string }{
		{"World total (rounded)", "WLD", ""},
		{"World total (rounded)10", "WLD", ""},
		{"World total, natural", "WLD", ""},
		{"Other countries4", "OTH", ""},
		{"Atlantis", "", `unknown country "Atlantis"`},
		{"Atlantis6", "", `unknown country "Atlantis"`},
	} {
		iso, err := resolveCountry(c.raw)
		if c.errPart != "" {
			if err == nil || !strings.Contains(err.Error(), c.errPart) {
				t.Errorf("%q: error %v, want %q", c.raw, err, c.errPart)
			}
			continue
		}
		if err != nil || iso != c.iso {
			t.Errorf("%q: %q, %v; want %q", c.raw, iso, err, c.iso)
		}
	}
	for _, c := range []struct{ typ, measure, product string }{
		{"Mine production, contained antimony", "mine_production", "contained-antimony"},
		{"Mne production, grosss weight, marketable chromite ore", "mine_production", "grosss-weight-marketable-chromite-ore"},
		{"Kyanite and Related Minerals", "unspecified_production", "kyanite-and-related-minerals"},
		{"Iron ore - mine production - usable ore -thousand metric tons", "mine_production", "iron-ore-usable-ore"},
		{"Clinker capacity, estimated", "capacity", "clinker"},
		{" World mine production: Palladium", "mine_production", "palladium"},
		{"Refinery production, copper", "refinery_production", "copper"},
		{"Primary production", "primary_production", "primary"}, // gallium
		{"Primary and secondary refinery production", "refinery_production", "primary-and-secondary"},
		{"Pig iron, million metric tons", "unspecified_production", "pig-iron"},
	} {
		if m, p := stageMeasure(c.typ), typeProduct(c.typ); m != c.measure || p != c.product {
			t.Errorf("%q: (%q, %q), want (%q, %q)", c.typ, m, p, c.measure, c.product)
		}
	}
}
