package postgres

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"unicode"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// seedDefaultCitiesCSV is a copy of data/cities.csv: real city centres and
// their IANA zones.
const seedDefaultCitiesCSV = `# Real city centre coordinates for demo data and tests. China uses one zone (Asia/Shanghai).
# The foreign cities exercise other zones, daylight saving (north and south), and the antimeridian (Suva).
city,country,lat,lng,tz
Beijing,CN,39.9042,116.4074,Asia/Shanghai
Shanghai,CN,31.2304,121.4737,Asia/Shanghai
Guangzhou,CN,23.1291,113.2644,Asia/Shanghai
Shenzhen,CN,22.5431,114.0579,Asia/Shanghai
Chengdu,CN,30.5728,104.0668,Asia/Shanghai
Chongqing,CN,29.5630,106.5516,Asia/Shanghai
Wuhan,CN,30.5928,114.3055,Asia/Shanghai
Hangzhou,CN,30.2741,120.1551,Asia/Shanghai
Nanjing,CN,32.0603,118.7969,Asia/Shanghai
Xi'an,CN,34.3416,108.9398,Asia/Shanghai
Tianjin,CN,39.3434,117.3616,Asia/Shanghai
Shenyang,CN,41.8057,123.4315,Asia/Shanghai
Harbin,CN,45.8038,126.5349,Asia/Shanghai
Changsha,CN,28.2282,112.9388,Asia/Shanghai
Zhengzhou,CN,34.7466,113.6254,Asia/Shanghai
Jinan,CN,36.6512,117.1201,Asia/Shanghai
Qingdao,CN,36.0671,120.3826,Asia/Shanghai
Xiamen,CN,24.4798,118.0894,Asia/Shanghai
Kunming,CN,25.0389,102.7183,Asia/Shanghai
Hefei,CN,31.8206,117.2272,Asia/Shanghai
Fuzhou,CN,26.0745,119.2965,Asia/Shanghai
Nanning,CN,22.8170,108.3665,Asia/Shanghai
Guiyang,CN,26.6470,106.6302,Asia/Shanghai
Lanzhou,CN,36.0611,103.8343,Asia/Shanghai
Taiyuan,CN,37.8706,112.5489,Asia/Shanghai
Dalian,CN,38.9140,121.6147,Asia/Shanghai
Urumqi,CN,43.8256,87.6168,Asia/Shanghai
Lhasa,CN,29.6500,91.1000,Asia/Shanghai
Singapore,SG,1.3521,103.8198,Asia/Singapore
Frankfurt,DE,50.1109,8.6821,Europe/Berlin
Chicago,US,41.8781,-87.6298,America/Chicago
Morrisville,US,35.8235,-78.8256,America/New_York
Sydney,AU,-33.8688,151.2093,Australia/Sydney
Suva,FJ,-18.1416,178.4419,Pacific/Fiji
`

// seedDefaultCities returns the cities of data/cities.csv.
func seedDefaultCities() []SeedCity {
	cities, err := ParseSeedCities(strings.NewReader(seedDefaultCitiesCSV))
	if err != nil {
		panic(err) // the constant above is well-formed
	}
	return cities
}

// ParseSeedCities reads cities in the format of data/cities.csv: lines
// starting with '#' are comments, then a header "city,country,lat,lng,tz"
// and one city per line. It answers EINVALID for anything else.
func ParseSeedCities(r io.Reader) ([]SeedCity, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = 5
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "cities: no header")
	}
	if err != nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "cities: %v", err)
	}
	if got := strings.ToLower(strings.Join(header, ",")); got != "city,country,lat,lng,tz" {
		return nil, aftercare.Errorf(aftercare.EINVALID, "cities: header is %q, want %q", got, "city,country,lat,lng,tz")
	}
	var cities []SeedCity
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return cities, nil
		}
		if err != nil {
			return nil, aftercare.Errorf(aftercare.EINVALID, "cities: %v", err)
		}
		line, _ := cr.FieldPos(0)
		lat, latErr := strconv.ParseFloat(rec[2], 64)
		lng, lngErr := strconv.ParseFloat(rec[3], 64)
		if latErr != nil || lngErr != nil {
			return nil, aftercare.Errorf(aftercare.EINVALID, "cities: line %d: coordinates %q,%q are not numbers", line, rec[2], rec[3])
		}
		cities = append(cities, SeedCity{Name: rec[0], Country: rec[1], Lat: lat, Lng: lng, TimeZone: rec[4]})
	}
}

// seedRegions are the service regions: China's seven customary regions and
// one for everything abroad.
var seedRegions = []struct{ code, name string }{
	{"north", "North China"},
	{"northeast", "Northeast China"},
	{"east", "East China"},
	{"south", "South China"},
	{"central", "Central China"},
	{"southwest", "Southwest China"},
	{"northwest", "Northwest China"},
	{"intl", "International"},
}

// seedIntlRegion is the region of every site and depot outside China.
const seedIntlRegion = "intl"

// seedCityRegions puts each Chinese city of data/cities.csv in its region.
var seedCityRegions = map[string]string{
	"Beijing": "north", "Tianjin": "north", "Taiyuan": "north",
	"Shenyang": "northeast", "Harbin": "northeast", "Dalian": "northeast",
	"Shanghai": "east", "Hangzhou": "east", "Nanjing": "east", "Jinan": "east", "Qingdao": "east",
	"Xiamen": "east", "Hefei": "east", "Fuzhou": "east",
	"Guangzhou": "south", "Shenzhen": "south", "Nanning": "south",
	"Wuhan": "central", "Changsha": "central", "Zhengzhou": "central",
	"Chengdu": "southwest", "Chongqing": "southwest", "Kunming": "southwest", "Guiyang": "southwest", "Lhasa": "southwest",
	"Xi'an": "northwest", "Lanzhou": "northwest", "Urumqi": "northwest",
}

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
	SeedCity
	region string
	code   string
}

// seedRegionOf returns the region of a city: its known one, the region of
// the nearest known Chinese city for other Chinese cities, intl abroad.
func seedRegionOf(c SeedCity) string {
	if c.Country != "CN" {
		return seedIntlRegion
	}
	if r, ok := seedCityRegions[c.Name]; ok {
		return r
	}
	region, best := "", math.Inf(1)
	for _, known := range seedDefaultCities() {
		if r, ok := seedCityRegions[known.Name]; ok {
			if d := seedDistanceKm(c.Lat, c.Lng, known.Lat, known.Lng); d < best {
				region, best = r, d
			}
		}
	}
	return region
}

// seedCodeOf returns a city's short code: its customary one, or the first
// three letters of its name.
func seedCodeOf(c SeedCity) string {
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
func seedSpread(cities []SeedCity) []seedPlace {
	byRegion := map[string][]seedPlace{}
	for _, c := range cities {
		p := seedPlace{SeedCity: c, region: seedRegionOf(c), code: seedCodeOf(c)}
		byRegion[p.region] = append(byRegion[p.region], p)
	}
	var places []seedPlace
	for round := 0; len(places) < len(cities); round++ {
		for _, r := range seedRegions {
			if round < len(byRegion[r.code]) {
				places = append(places, byRegion[r.code][round])
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
func seedNear(r *rand.Rand, c SeedCity, sigmaKm float64) (lat, lng float64) {
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

// seedDistanceKm is the great-circle distance between two points.
func seedDistanceKm(lat1, lng1, lat2, lng2 float64) float64 {
	const earthRadiusKm = 6371.0
	rad := math.Pi / 180
	dLat, dLng := (lat2-lat1)*rad, (lng2-lng1)*rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(a)))
}

func (s *seeder) copyRegions(ctx context.Context, tx pgx.Tx) error {
	return s.copyRows(ctx, tx, "regions", []string{"code", "name"}, len(seedRegions), func(i int) []any {
		return []any{seedRegions[i].code, seedRegions[i].name}
	})
}
