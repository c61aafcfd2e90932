package data

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/aftercare/aftercare"
)

//go:embed cities.csv
var citiesCSV []byte

// City is a city centre.
type City struct {
	Name string
	// Country is the ISO 3166-1 alpha-2 code.
	Country string
	// Lat and Lng are the centre's coordinates in degrees.
	Lat, Lng float64
	// TimeZone is the IANA zone of the city.
	TimeZone string
	// Region is the code of the service region that serves the city, ""
	// in a list without regions.
	Region string
}

// Cities returns the cities of cities.csv: the Chinese cities Aftercare's
// demo customers and engineers are in, and foreign ones that exercise other
// zones, daylight saving north and south, and the antimeridian (Suva); each
// with the service region that serves it, by which package territory
// places new sites and depots.
func Cities() []City {
	cities, err := ParseCities(bytes.NewReader(citiesCSV))
	if err != nil {
		panic(err) // cities.csv is embedded and its test parses it
	}
	return cities
}

// The header lines of a city list, with and without the regions.
const (
	citiesHeader        = "city,country,lat,lng,tz"
	citiesRegionsHeader = citiesHeader + ",region"
)

// ParseCities reads cities in the layout of cities.csv: lines starting with
// '#' are comments, then the header "city,country,lat,lng,tz,region" (or
// the same without region, for a list that places nothing) and one city
// per line, with its coordinates in degrees and, where the header has it,
// the code of its region. It answers EINVALID, naming the line, for
// anything else.
func ParseCities(r io.Reader) ([]City, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "cities: no header")
	}
	if err != nil {
		return nil, aftercare.Errorf(aftercare.EINVALID, "cities: %v", err)
	}
	got := strings.ToLower(strings.Join(header, ","))
	if got != citiesHeader && got != citiesRegionsHeader {
		return nil, aftercare.Errorf(aftercare.EINVALID, "cities: header is %q, want %q", got, citiesRegionsHeader)
	}
	cr.FieldsPerRecord = len(header)
	var cities []City
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
		if !(lat >= -90 && lat <= 90) || !(lng >= -180 && lng <= 180) {
			return nil, aftercare.Errorf(aftercare.EINVALID, "cities: line %d: coordinates %v,%v are off the globe", line, lat, lng)
		}
		c := City{Name: rec[0], Country: rec[1], Lat: lat, Lng: lng, TimeZone: rec[4]}
		if len(rec) > 5 {
			if err := aftercare.CheckRegionCode("region", rec[5]); err != nil {
				return nil, aftercare.Errorf(aftercare.EINVALID, "cities: line %d: %s", line, aftercare.ErrorMessage(err))
			}
			c.Region = rec[5]
		}
		cities = append(cities, c)
	}
}
