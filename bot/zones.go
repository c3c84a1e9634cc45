package bot

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// zoneIndex is zoneTable parsed once: every zone, and lookups by city and
// by country name.
type zoneIndex struct {
	zones     []string            // every zone of zone.tab
	byLower   map[string]string   // "europe/london" -> "Europe/London"
	byCity    map[string]string   // "london", "new york" -> zone
	byCountry map[string][]string // "germany", "de", "uk" -> zones
	countries []string            // country names, lower case, for suggestions
	cities    []string            // city names, lower case, for suggestions
}

var zonesOnce = sync.OnceValue(func() *zoneIndex {
	ix := &zoneIndex{byLower: map[string]string{}, byCity: map[string]string{}, byCountry: map[string][]string{}}
	for line := range strings.SplitSeq(zoneTable, "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		zones := strings.Split(f[2], ",")
		ix.zones = append(ix.zones, zones...)
		for _, z := range zones {
			ix.byLower[strings.ToLower(z)] = z
			city := cityOf(z)
			if _, taken := ix.byCity[city]; !taken {
				ix.byCity[city] = z
				ix.cities = append(ix.cities, city)
			}
		}
		name := strings.ToLower(f[1])
		// "Britain (UK)" is found as "britain" and as "uk".
		base, paren, _ := strings.Cut(name, " (")
		for _, n := range []string{name, base, strings.TrimSuffix(paren, ")"), strings.ToLower(f[0])} {
			if n != "" && ix.byCountry[n] == nil {
				ix.byCountry[n] = zones
			}
		}
		ix.countries = append(ix.countries, base)
	}
	// Names people use that the table words otherwise.
	for alias, cc := range map[string]string{
		"united kingdom": "gb", "england": "gb", "scotland": "gb", "wales": "gb", "northern ireland": "gb", "great britain": "gb",
		"usa": "us", "america": "us", "united states of america": "us", "holland": "nl", "the netherlands": "nl",
		"south korea": "kr", "north korea": "kp", "czechia": "cz", "czech republic": "cz", "uae": "ae",
	} {
		ix.byCountry[alias] = ix.byCountry[cc]
	}
	// Zones that are not the first city of their name in zone.tab but
	// that people mean.
	for city, z := range map[string]string{"washington": "America/New_York", "san francisco": "America/Los_Angeles",
		"seattle": "America/Los_Angeles", "boston": "America/New_York", "miami": "America/New_York", "dallas": "America/Chicago",
		"houston": "America/Chicago", "atlanta": "America/New_York", "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata",
		"mumbai": "Asia/Kolkata", "bangalore": "Asia/Kolkata", "beijing": "Asia/Shanghai", "munich": "Europe/Berlin",
		"manchester": "Europe/London", "edinburgh": "Europe/London", "glasgow": "Europe/London", "birmingham": "Europe/London",
		"barcelona": "Europe/Madrid", "milan": "Europe/Rome", "geneva": "Europe/Zurich", "hamburg": "Europe/Berlin",
		"frankfurt": "Europe/Berlin", "cologne": "Europe/Berlin", "lyon": "Europe/Paris", "montreal": "America/Toronto",
		"ottawa": "America/Toronto", "calgary": "America/Edmonton", "melbourne": "Australia/Melbourne", "canberra": "Australia/Sydney",
		"utc": "UTC", "gmt": "Europe/London", "zulu": "UTC"} {
		ix.byCity[city] = z
	}
	return ix
})

// cityOf is the city part of a zone in lower case with spaces:
// America/Argentina/Buenos_Aires -> "buenos aires".
func cityOf(zone string) string {
	city := zone[strings.LastIndex(zone, "/")+1:]
	return strings.ToLower(strings.ReplaceAll(city, "_", " "))
}

// fixedZones are the abbreviations Go loads as zones of a fixed offset:
// they never change for daylight saving, which surprises people who type
// "EST" in New York. Each names the zone most people mean.
var fixedZones = map[string]string{
	"EST": "America/New_York", "MST": "America/Denver", "HST": "Pacific/Honolulu",
	"EST5EDT": "America/New_York", "CST6CDT": "America/Chicago", "MST7MDT": "America/Denver", "PST8PDT": "America/Los_Angeles",
	"CET": "Europe/Paris", "EET": "Europe/Athens", "WET": "Europe/Lisbon", "MET": "Europe/Paris",
	"GMT": "Europe/London", "GMT0": "Europe/London", "Greenwich": "Europe/London",
}

// abbreviations Go cannot load, and the zone people usually mean by them.
var zoneAbbreviations = map[string]string{
	"edt": "America/New_York", "cst": "America/Chicago", "cdt": "America/Chicago", "mdt": "America/Denver",
	"pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "akst": "America/Anchorage", "bst": "Europe/London",
	"cest": "Europe/Paris", "eest": "Europe/Athens", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo", "kst": "Asia/Seoul",
	"aest": "Australia/Sydney", "aedt": "Australia/Sydney", "acst": "Australia/Adelaide", "awst": "Australia/Perth",
	"nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland", "sgt": "Asia/Singapore", "hkt": "Asia/Hong_Kong",
}

// FixedZoneAdvice returns, for a zone that keeps one offset all year
// (EST, CET, Etc/GMT+5), the zone with daylight saving most people mean
// by it; ok is false for an ordinary zone.
func FixedZoneAdvice(name string) (suggest string, ok bool) {
	if z, found := fixedZones[name]; found {
		return z, true
	}
	if strings.HasPrefix(name, "Etc/GMT") && name != "Etc/GMT" {
		return "", true
	}
	return "", false
}

// FindZone resolves what someone typed as their time zone: an IANA name
// in any case ("europe/berlin"), a city ("London", "New York"), a country
// with one zone ("Germany", "UK") or UTC. A misspelling or a country with
// several zones is an error that names the likely zones.
func FindZone(s string) (*time.Location, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" || len(s) > 64 {
		return nil, Errorf(EINVALID, "Give a time zone, a city or a country, for example `London`, `New York` or `Europe/Berlin`.")
	}
	if loc, err := LoadZone(s); err == nil {
		return loc, nil
	}
	ix := zonesOnce()
	key := strings.ToLower(s)
	if z, ok := ix.byLower[key]; ok {
		return time.LoadLocation(z)
	}
	if z, ok := ix.byCity[strings.ReplaceAll(key, "_", " ")]; ok {
		return LoadZone(z)
	}
	if zones, ok := ix.byCountry[key]; ok {
		if len(zones) == 1 || sameClocks(zones) {
			return LoadZone(zones[0])
		}
		shown := zones[:min(len(zones), 5)]
		return nil, Errorf(EINVALID, "%s has %s. Which one is yours? For example %s, or type your city.",
			displayCountry(s), Plural(len(zones), "time zone"), codeList(shown))
	}
	if z, ok := zoneAbbreviations[key]; ok {
		return nil, Errorf(EINVALID, "Abbreviations like %s change with daylight saving, so I use the zone itself. Did you mean `%s`?", strings.ToUpper(s), z)
	}
	if near := zoneSuggestions(key); len(near) > 0 {
		return nil, Errorf(EINVALID, "%q is not a time zone I know. Did you mean %s?", clip(s, 40), JoinOr(codeWrap(near)))
	}
	return nil, Errorf(EINVALID, "%q is not a time zone I know. Type your city (`London`, `New York`), your country, or an IANA zone like `Europe/Berlin`.", clip(s, 40))
}

// zoneSuggestions returns up to three zones close to a misspelled name,
// city or country.
func zoneSuggestions(key string) []string {
	ix := zonesOnce()
	var out []string
	add := func(z string) {
		if z != "" && !slices.Contains(out, z) && len(out) < 3 {
			out = append(out, z)
		}
	}
	if strings.Contains(key, "/") {
		lower := make([]string, 0, len(ix.zones))
		for _, z := range ix.zones {
			lower = append(lower, strings.ToLower(z))
		}
		for _, z := range closeMatches(key, lower, 3) {
			add(ix.byLower[z])
		}
		// "Europe/Londn": the city part alone may be closer.
		key = cityOf(key)
	}
	for _, c := range closeMatches(key, ix.cities, 2) {
		add(ix.byCity[c])
	}
	for _, c := range closeMatches(key, ix.countries, 2) {
		if zones := ix.byCountry[c]; len(zones) > 0 {
			add(zones[0])
		}
	}
	return out
}

func displayCountry(s string) string {
	if len(s) <= 3 {
		return strings.ToUpper(s)
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func codeWrap(items []string) []string {
	out := make([]string, len(items))
	for i, s := range items {
		out[i] = "`" + s + "`"
	}
	return out
}

func codeList(items []string) string { return JoinOr(codeWrap(items)) }

// sameClocks reports whether zones keep the same time in winter and in
// summer, as Germany's two do: then the first, most populous, is as good
// as asking.
func sameClocks(zones []string) bool {
	probes := []time.Time{time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC), time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)}
	first, err := time.LoadLocation(zones[0])
	if err != nil {
		return false
	}
	for _, z := range zones[1:] {
		loc, err := time.LoadLocation(z)
		if err != nil {
			return false
		}
		for _, p := range probes {
			_, a := p.In(first).Zone()
			_, b := p.In(loc).Zone()
			if a != b {
				return false
			}
		}
	}
	return true
}
