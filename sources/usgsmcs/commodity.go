package usgsmcs

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/tradewh/tradewh/etl"
)

// commodityAlias maps the slug of a salient Commodity name to the slug the
// project uses when they differ (etl.CommodityGroups lists "graphite").
var commodityAlias = map[string]string{
	"graphite_natural": "graphite",
}

// commoditySlug is the commodity of a salient Commodity cell.
func commoditySlug(name string) string {
	s := etl.Slug(cleanText(name))
	if a, ok := commodityAlias[s]; ok {
		return a
	}
	return s
}

// abbrCommodity names the commodity of each MCS file abbreviation. World
// tables have no Commodity column, so their commodity comes from here; the
// names are the salient tables' Commodity names, so that both tables of a
// commodity share one slug (a test checks this against the real files).
var abbrCommodity = map[string]string{
	"abras": "Abrasives (Manufactured)", "alum": "Aluminum", "alumi": "Aluminum", "antim": "Antimony",
	"arsen": "Arsenic", "asbes": "Asbestos", "barit": "Barite", "bauxi": "Bauxite and Alumina",
	"beryl": "Beryllium", "bismu": "Bismuth", "boron": "Boron", "bromi": "Bromine", "cadmi": "Cadmium",
	"cemen": "Cement", "chrom": "Chromium", "clays": "Clays", "cobal": "Cobalt", "coppe": "Copper",
	"diamo": "Diamond (Industrial)", "diato": "Diatomite", "felds": "Feldspar and Nepheline Syenite",
	"feore": "Iron Ore", "fepig": "Iron Oxide Pigments", "fescr": "Iron and Steel Scrap",
	"fesla": "Iron and Steel Slag", "feste": "Iron and Steel", "fluor": "Fluorspar", "galli": "Gallium",
	"garne": "Garnet (Industrial)", "gemst": "Gemstones", "germa": "Germanium", "gold": "Gold",
	"graph": "Graphite (Natural)", "gypsu": "Gypsum", "heliu": "Helium", "indiu": "Indium", "iodin": "Iodine",
	"kyani": "Kyanite and Related Minerals", "lead": "Lead", "lime": "Lime", "lithi": "Lithium",
	"manga": "Manganese", "mercu": "Mercury", "mgcomp": "Magnesium Compounds", "mgmet": "Magnesium Metal",
	"mica": "Mica", "molyb": "Molybdenum", "nicke": "Nickel", "niobi": "Niobium (Columbium)",
	"nitro": "Nitrogen (Fixed)--Ammonia", "peat": "Peat", "perli": "Perlite", "phosp": "Phosphate Rock",
	"plati": "Platinum-Group Metals", "potas": "Potash", "pumic": "Pumice and Pumicite",
	"quartz": "Quartz Crystal (Industrial)", "raree": "Rare Earths", "rheni": "Rhenium", "salt": "Salt",
	"sandc": "Sand and Gravel (Construction)", "sandi": "Sand and Gravel (Industrial)", "scand": "Scandium",
	"selen": "Selenium", "silve": "Silver", "simet": "Silicon", "sodaa": "Soda Ash",
	"stond": "Stone (Dimension)", "stonec": "Stone (Crushed)", "stron": "Strontium", "sulfu": "Sulfur",
	"talc": "Talc and Pyrophyllite", "tanta": "Tantalum", "tellu": "Tellurium", "thall": "Thallium",
	"thori": "Thorium", "timin": "Titanium Mineral Concentrates", "tin": "Tin",
	"titan": "Titanium and Titanium Dioxide", "tungs": "Tungsten", "vanad": "Vanadium",
	"vermi": "Vermiculite", "wolla": "Wollastonite", "yttri": "Yttrium", "zeoli": "Zeolites (Natural)",
	"zinc": "Zinc", "zirco": "Zirconium and Hafnium",
}

// fileName finds the edition and abbreviation wherever they stand in a
// file name, in either case: mcs2024-raree_world.csv,
// MCS2024-bismu_salient.csv, and names as people save them:
// rare_earths_mcs2022-raree_world.csv, germanium_mcs2022-germa_salient (1).csv,
// mcs2023-zirco-hafni_world.csv (an abbreviation with a hyphen).
var fileName = regexp.MustCompile(`(?i)(?:^|[^a-z0-9])mcs(\d{4})[-_]([a-z]+(?:-[a-z]+)*)_(?:salient|world)`)

// abbrAlias maps hyphenated abbreviations to the list's own.
var abbrAlias = map[string]string{"zirco-hafni": "zirco"}

// commodityOfAbbr names the commodity of a file abbreviation: the list's,
// an alias's, or that of the abbreviation's first part ("zirco-hafni").
func commodityOfAbbr(abbr string) (string, bool) {
	if a, ok := abbrAlias[abbr]; ok {
		abbr = a
	}
	if n, ok := abbrCommodity[abbr]; ok {
		return n, true
	}
	if first, _, cut := strings.Cut(abbr, "-"); cut {
		n, ok := abbrCommodity[first]
		return n, ok
	}
	return "", false
}

// fileEdition is the edition a file name gives (MCS2024), or "".
func fileEdition(path string) string {
	if m := fileName.FindStringSubmatch(filepath.Base(path)); m != nil {
		return "MCS" + m[1]
	}
	return ""
}

// fileAbbr is the commodity abbreviation of a file name (raree), or "".
func fileAbbr(path string) string {
	if m := fileName.FindStringSubmatch(filepath.Base(path)); m != nil {
		return strings.ToLower(m[2])
	}
	return ""
}

var editionRe = regexp.MustCompile(`^MCS(\d{4})$`)

// normEdition returns an edition as MCSyyyy and its year, or ok=false.
func normEdition(s string) (string, int, bool) {
	s = strings.ToUpper(strings.ReplaceAll(cleanText(s), " ", ""))
	m := editionRe.FindStringSubmatch(s)
	if m == nil {
		return "", 0, false
	}
	y, _ := strconv.Atoi(m[1])
	return s, y, true
}
