package aftercare

import (
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Codes of master data: account, engineer and depot codes are upper-case
// letters, digits, '-' and '_', 2 to 32 long (CATHAYBANK, ENG-00001,
// DEP-BJ1); region and product line codes are lower-case identifiers (east,
// thinksystem_sr), as the database checks them.
var (
	masterCodePattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9_-]{1,31}$`)
	lowerCodePattern  = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	countryPattern    = regexp.MustCompile(`^[A-Z]{2}$`)
)

// CheckText returns s trimmed, or an EINVALID error naming field unless it
// is 1 to max characters of storable text.
func CheckText(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case TextProblem(s) != "":
		return "", InvalidField(field, "%s", TextProblem(s))
	case s == "":
		return "", InvalidField(field, "is empty")
	case utf8.RuneCountInString(s) > max:
		return "", InvalidField(field, "is longer than %d characters", max)
	}
	return s, nil
}

// checkCode returns an EINVALID error naming field unless code matches
// pattern; what says what the pattern allows.
func checkCode(field, code string, pattern *regexp.Regexp, what string) error {
	if !pattern.MatchString(code) {
		return InvalidField(field, "%q is not %s", code, what)
	}
	return nil
}

// MasterCode normalises an account, engineer or depot code to upper case and
// returns EINVALID naming field unless it is 2 to 32 upper-case letters,
// digits, '-' and '_', starting with a letter or digit.
func MasterCode(field, code string) (string, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	return code, checkCode(field, code, masterCodePattern, "2 to 32 letters, digits, '-' and '_'")
}

// CheckRegionCode returns EINVALID naming field unless code could be a
// region's: a lower-case identifier such as "east".
func CheckRegionCode(field, code string) error {
	return checkCode(field, code, lowerCodePattern, "a region code such as \"east\"")
}

// CheckProductLineCode returns EINVALID naming field unless code could be a
// product line's: a lower-case identifier such as "thinksystem_sr".
func CheckProductLineCode(field, code string) error {
	return checkCode(field, code, lowerCodePattern, "a product line code such as \"thinksystem_sr\"")
}

// CheckLocation returns EINVALID naming the field at fault unless lat and
// lng are on the globe.
func CheckLocation(lat, lng float64) error {
	switch {
	case math.IsNaN(lat) || lat < -90 || lat > 90:
		return InvalidField("lat", "%v is not a latitude from -90 to 90", lat)
	case math.IsNaN(lng) || lng < -180 || lng > 180:
		return InvalidField("lng", "%v is not a longitude from -180 to 180", lng)
	}
	return nil
}

// CheckTimeZone returns EINVALID naming field unless zone is an IANA time
// zone name that time.LoadLocation knows, such as "Asia/Shanghai" ("UTC"
// included; "" and "Local", which name no place, are not).
func CheckTimeZone(field, zone string) error {
	if zone == "" || zone == "Local" || TextProblem(zone) != "" {
		return InvalidField(field, "%q is not an IANA time zone such as \"Asia/Shanghai\"", zone)
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return InvalidField(field, "%q is not an IANA time zone such as \"Asia/Shanghai\"", zone)
	}
	return nil
}

// CheckCountry returns EINVALID naming field unless country is an ISO
// 3166-1 alpha-2 code in upper case.
func CheckCountry(field, country string) error {
	return checkCode(field, country, countryPattern, "an ISO 3166-1 alpha-2 country code such as \"CN\"")
}

// RegionLocator places a location in a service region.
type RegionLocator interface {
	// RegionAt returns the code of the region that serves a place in a
	// country, or EINVALID naming "region" when it cannot tell (the caller
	// must then name the region).
	RegionAt(country string, lat, lng float64) (string, error)
}
