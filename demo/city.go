package demo

import (
	"math"
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/aftercare/aftercare/data"
	"github.com/aftercare/aftercare/territory"
)

// seedRegions are the service regions in the order seedSpread visits them:
// China's seven customary regions and the one for everything abroad, as
// migration 016 loads them.
var seedRegions = []string{"north", "northeast", "east", "south", "central", "southwest", "northwest", seedIntlRegion}

// seedIntlRegion is the region of every site and depot outside China.
const seedIntlRegion = "intl"

// seedCityCodes are the customary short codes of the cities of
// data/cities.csv, used in depot codes such as DEP-BJ1.
var seedCityCodes = map[string]string{
	"Beijing": "BJ", "Shanghai": "SH", "Guangzhou": "GZ", "Shenzhen": "SZ", "Chengdu": "CD", "Chongqing": "CQ",
	"Wuhan": "WH", "Hangzhou": "HZ", "Nanjing": "NJ", "Xi'an": "XA", "Tianjin": "TJ", "Shenyang": "SY",
	"Harbin": "HRB", "Changsha": "CS", "Zhengzhou": "ZZ", "Jinan": "JN", "Qingdao": "QD", "Xiamen": "XM",
	"Kunming": "KM", "Hefei": "HF", "Fuzhou": "FZ", "Nanning": "NN", "Guiyang": "GY", "Lanzhou": "LZ",
	"Taiyuan": "TY", "Dalian": "DL", "Urumqi": "URC", "Lhasa": "LXA", "Singapore": "SIN", "Frankfurt": "FRA",
	"Chicago": "CHI", "Morrisville": "RDU", "Sydney": "SYD", "Suva": "SUV",
}

// seedPlace is a city with the region that serves it and its short code.
type seedPlace struct {
	data.City
	region string
	code   string
}

// seedRegionOf returns the region of a city: the one its list names, else
// the region the embedded list places it in, else (abroad, where the list
// may hold no city of the country) the international region.
func seedRegionOf(c data.City) string {
	if c.Region != "" {
		return c.Region
	}
	if r, err := territory.Default().RegionAt(c.Country, c.Lat, c.Lng); err == nil {
		return r
	}
	return seedIntlRegion
}

// seedCodeOf returns a city's short code: its customary one, or the first
// three letters of its name.
func seedCodeOf(c data.City) string {
	if code, ok := seedCityCodes[c.Name]; ok {
		return code
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(c.Name) {
		if b.Len() < 3 && r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "XX"
	}
	return b.String()
}

// seedSpread orders cities so that any prefix of the order spreads over the
// regions: the first city of each region, then the second of each, and so
// on, regions in the order of seedRegions and cities in the given order.
func seedSpread(cities []data.City) []seedPlace {
	byRegion := map[string][]seedPlace{}
	for _, c := range cities {
		p := seedPlace{City: c, region: seedRegionOf(c), code: seedCodeOf(c)}
		byRegion[p.region] = append(byRegion[p.region], p)
	}
	var places []seedPlace
	for round := 0; len(places) < len(cities); round++ {
		for _, r := range seedRegions {
			if round < len(byRegion[r]) {
				places = append(places, byRegion[r][round])
			}
		}
	}
	return places
}

// seedKmPerDegree is the length of a degree of latitude, and of longitude
// at the equator.
const seedKmPerDegree = 111.32

// seedNear returns a point about sigmaKm from the centre of a city in a
// random direction (normally distributed north and east, cut at 3σ), rounded
// to six decimals.
func seedNear(r *rand.Rand, c data.City, sigmaKm float64) (lat, lng float64) {
	north := max(-3*sigmaKm, min(3*sigmaKm, r.NormFloat64()*sigmaKm))
	east := max(-3*sigmaKm, min(3*sigmaKm, r.NormFloat64()*sigmaKm))
	lat = c.Lat + north/seedKmPerDegree
	lng = c.Lng + east/(seedKmPerDegree*math.Cos(c.Lat*math.Pi/180))
	lat = max(-90, min(90, lat))
	switch {
	case lng >= 180:
		lng -= 360
	case lng < -180:
		lng += 360
	}
	return math.Round(lat*1e6) / 1e6, math.Round(lng*1e6) / 1e6
}
