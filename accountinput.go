package aftercare

import (
	"fmt"
	"strings"
)

// AccountInput brings a new enterprise customer into service.
type AccountInput struct {
	Code string
	Name string
	// AccountManagerIDs are the users (account managers) who manage the
	// account: each gets the account_manager role in the account's domain.
	AccountManagerIDs []string
}

// Normalize trims the input and upper-cases the code, and returns EINVALID
// naming the first field at fault.
func (in *AccountInput) Normalize() error {
	var err error
	if in.Code, err = MasterCode("code", in.Code); err != nil {
		return err
	}
	if in.Name, err = CheckText("name", in.Name, 200); err != nil {
		return err
	}
	return checkIDList("accountManagerIds", in.AccountManagerIDs)
}

// AccountUpdate changes an account; a nil field stays as it is.
type AccountUpdate struct {
	Name *string
	// AccountManagerIDs, when set, replaces the account's managers.
	AccountManagerIDs *[]string
}

// Normalize trims the update and returns EINVALID naming the first field
// at fault.
func (u *AccountUpdate) Normalize() error {
	if u.Name != nil {
		name, err := CheckText("name", *u.Name, 200)
		if err != nil {
			return err
		}
		u.Name = &name
	}
	if u.AccountManagerIDs != nil {
		return checkIDList("accountManagerIds", *u.AccountManagerIDs)
	}
	return nil
}

// checkIDList returns EINVALID naming the entry of field that is empty or
// repeats an earlier one.
func checkIDList(field string, ids []string) error {
	for i, id := range ids {
		if strings.TrimSpace(id) == "" {
			return InvalidField(fmt.Sprintf("%s[%d]", field, i), "is empty")
		}
		for _, earlier := range ids[:i] {
			if earlier == id {
				return InvalidField(fmt.Sprintf("%s[%d]", field, i), "repeats %s", id)
			}
		}
	}
	return nil
}

// SiteInput adds a place where an account's devices stand. Region may be
// left empty: the store derives it from the location (RegionLocator).
type SiteInput struct {
	AccountID string
	Name      string
	Address   string
	City      string
	Country   string
	Region    string
	Lat, Lng  float64
	TimeZone  string
}

// Normalize trims the input and returns EINVALID naming the first field at
// fault: text too long or empty, a location off the globe, a country that
// is not ISO 3166-1 alpha-2, a time zone time.LoadLocation does not know.
func (in *SiteInput) Normalize() error {
	var err error
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"name", &in.Name, 200}, {"address", &in.Address, 500}, {"city", &in.City, 100}} {
		if *f.v, err = CheckText(f.name, *f.v, f.max); err != nil {
			return err
		}
	}
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	if err := CheckCountry("country", in.Country); err != nil {
		return err
	}
	if in.Region != "" {
		if err := CheckRegionCode("region", in.Region); err != nil {
			return err
		}
	}
	if err := CheckLocation(in.Lat, in.Lng); err != nil {
		return err
	}
	return CheckTimeZone("timeZone", in.TimeZone)
}

// SiteUpdate changes a site; a nil field stays as it is. Lat and Lng change
// together. A moved site whose update names no region is placed in the
// region of its new location.
type SiteUpdate struct {
	Name, Address, City *string
	Country             *string
	Region              *string
	Lat, Lng            *float64
	TimeZone            *string
}

// Apply returns the site with the update applied and normalised, and
// whether its location changed, or EINVALID naming the first field at
// fault.
func (u *SiteUpdate) Apply(s Site) (SiteInput, bool, error) {
	in := SiteInput{AccountID: s.AccountID, Name: s.Name, Address: s.Address, City: s.City, Country: s.Country,
		Region: s.Region, Lat: s.Lat, Lng: s.Lng, TimeZone: s.TimeZone}
	if (u.Lat == nil) != (u.Lng == nil) {
		return in, false, InvalidField("lat", "lat and lng change together")
	}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Name, u.Name)
	set(&in.Address, u.Address)
	set(&in.City, u.City)
	set(&in.Country, u.Country)
	set(&in.Region, u.Region)
	set(&in.TimeZone, u.TimeZone)
	moved := false
	if u.Lat != nil {
		moved = *u.Lat != s.Lat || *u.Lng != s.Lng
		in.Lat, in.Lng = *u.Lat, *u.Lng
	}
	if u.Country != nil && strings.ToUpper(strings.TrimSpace(*u.Country)) != s.Country {
		moved = true
	}
	if moved && u.Region == nil {
		in.Region = "" // derived again from the new location
	}
	return in, moved, in.Normalize()
}
