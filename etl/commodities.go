package etl

// CommodityGroup is a critical-mineral group and the HS codes that carry it.
type CommodityGroup struct {
	Slug  string
	Name  string
	Codes []CommodityCode
	// USGS lists the mineral_statistics commodity slugs whose US net import
	// reliance describes this group.
	USGS []string
}

// CommodityCode is one HS code of a group.
type CommodityCode struct {
	HSCode      string
	Description string
	Revisions   string // HS revisions in which the code has this meaning
	Note        string // where the meaning changed between revisions
}

// CommodityGroups is the project's reference list of critical-mineral groups.
var CommodityGroups = []CommodityGroup{
	{Slug: "rare_earths", Name: "Rare earths", USGS: []string{"rare_earths"}, Codes: []CommodityCode{
		{"280530", "Rare-earth metals, scandium and yttrium, whether or not intermixed or interalloyed", "HS2017,HS2022", ""},
		{"2846", "Compounds of rare-earth metals, of yttrium or of scandium", "HS2017,HS2022", ""},
		{"284610", "Cerium compounds", "HS2017,HS2022", ""},
		{"284690", "Compounds of rare-earth metals, yttrium or scandium, other than cerium", "HS2017,HS2022", ""},
	}},
	{Slug: "gallium_germanium", Name: "Gallium and germanium", USGS: []string{"gallium", "germanium"}, Codes: []CommodityCode{
		{"811292", "Gallium, germanium and other metals n.e.s.: unwrought; waste and scrap; powders", "HS2017,HS2022",
			"HS 2022 gave hafnium (8112.31), rhenium (8112.41), cadmium, thallium and other metals subheadings of their own, so from HS 2022 on 811292 covers fewer metals (chiefly gallium, germanium, indium, vanadium) than in HS 2017; series across the change are not like for like"},
		{"811299", "Gallium, germanium and other metals n.e.s.: articles other than unwrought", "HS2017,HS2022",
			"narrowed in HS 2022 like 811292"},
		{"282560", "Germanium oxides and zirconium dioxide", "HS2017,HS2022", "shared with zirconium dioxide"},
		{"282590", "Other inorganic bases; other metal oxides, hydroxides and peroxides (incl. gallium oxide)", "HS2017,HS2022", "a basket code: gallium is a small part"},
	}},
	{Slug: "antimony", Name: "Antimony", USGS: []string{"antimony"}, Codes: []CommodityCode{
		{"2617", "Other ores and concentrates", "HS2017,HS2022", "heading also covers ores other than antimony (261790)"},
		{"261710", "Antimony ores and concentrates", "HS2017,HS2022", ""},
		{"282580", "Antimony oxides", "HS2017,HS2022", ""},
		{"8110", "Antimony and articles thereof, including waste and scrap", "HS2017,HS2022", ""},
		{"811010", "Antimony: unwrought; powders", "HS2017,HS2022", ""},
		{"811020", "Antimony: waste and scrap", "HS2017,HS2022", ""},
		{"811090", "Antimony: articles other than unwrought, powders, waste and scrap", "HS2017,HS2022", ""},
	}},
	{Slug: "graphite", Name: "Graphite", USGS: []string{"graphite"}, Codes: []CommodityCode{
		{"2504", "Natural graphite", "HS2017,HS2022", ""},
		{"250410", "Natural graphite, in powder or in flakes", "HS2017,HS2022", ""},
		{"250490", "Natural graphite, other than in powder or flakes", "HS2017,HS2022", ""},
		{"380110", "Artificial graphite", "HS2017,HS2022", ""},
	}},
	{Slug: "tungsten", Name: "Tungsten", USGS: []string{"tungsten"}, Codes: []CommodityCode{
		{"2611", "Tungsten ores and concentrates", "HS2017,HS2022", ""},
		{"284180", "Tungstates (wolframates)", "HS2017,HS2022", ""},
		{"8101", "Tungsten (wolfram) and articles thereof, including waste and scrap", "HS2017,HS2022", ""},
		{"810110", "Tungsten: powders", "HS2017,HS2022", ""},
		{"810194", "Tungsten: unwrought, including bars and rods obtained simply by sintering", "HS2017,HS2022", ""},
		{"810196", "Tungsten: wire", "HS2017,HS2022", ""},
		{"810197", "Tungsten: waste and scrap", "HS2017,HS2022", ""},
		{"810199", "Tungsten: other articles", "HS2017,HS2022", ""},
	}},
}

var groupByCode = func() map[string]string {
	m := map[string]string{}
	for _, g := range CommodityGroups {
		for _, c := range g.Codes {
			m[c.HSCode] = g.Slug
		}
	}
	return m
}()

// CommodityOf returns the group of an HS code: the group of the longest
// listed code that is a prefix of it (so a 10-digit national line such as
// 8112920000 falls in its 6-digit group), or "" when it is in no group.
func CommodityOf(hs string) string {
	for n := len(hs); n >= 2; n-- {
		if g, ok := groupByCode[hs[:n]]; ok {
			return g
		}
	}
	return ""
}

// GroupCodes returns the HS codes of a group, or nil.
func GroupCodes(slug string) []string {
	for _, g := range CommodityGroups {
		if g.Slug == slug {
			out := make([]string, len(g.Codes))
			for i, c := range g.Codes {
				out[i] = c.HSCode
			}
			return out
		}
	}
	return nil
}

// AllGroupCodes returns every listed HS code, most aggregate first within a group.
func AllGroupCodes() []string {
	var out []string
	for _, g := range CommodityGroups {
		for _, c := range g.Codes {
			out = append(out, c.HSCode)
		}
	}
	return out
}

// GroupSlugs returns the group slugs.
func GroupSlugs() []string {
	out := make([]string, len(CommodityGroups))
	for i, g := range CommodityGroups {
		out[i] = g.Slug
	}
	return out
}

// CodesOfGroups returns the HS codes of the named groups, in order, and
// the names that are not groups.
func CodesOfGroups(groups []string) (codes, unknown []string) {
	for _, g := range groups {
		gc := GroupCodes(g)
		if gc == nil {
			unknown = append(unknown, g)
		}
		codes = append(codes, gc...)
	}
	return codes, unknown
}
