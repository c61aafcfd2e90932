package aftercare

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// EngineerInput brings a field engineer into service. The engineer starts
// at the home depot (reportLocation moves them); Region and TimeZone left
// empty are the home depot's, ProviderID left empty is the maker's own
// field service.
type EngineerInput struct {
	Code          string
	Name          string
	HomeDepotID   string
	Region        string
	TierClearance Tier
	Capacity      int
	TimeZone      string
	Shifts        []ShiftWindow
	Skills        []Skill
	ProviderID    string
	// UserID, when set, links the engineer's login: a user with the
	// engineer role, who then acts in the engineer's own domain.
	UserID string
}

// MaxEngineerCapacity is the most jobs an engineer may hold at once.
const MaxEngineerCapacity = 20

// Normalize trims the input and returns EINVALID naming the first field at
// fault.
func (in *EngineerInput) Normalize() error {
	var err error
	if in.Code, err = MasterCode("code", in.Code); err != nil {
		return err
	}
	if in.Name, err = CheckText("name", in.Name, 200); err != nil {
		return err
	}
	if strings.TrimSpace(in.HomeDepotID) == "" {
		return InvalidField("homeDepotId", "is missing")
	}
	return checkEngineerTerms(in.Region, in.TierClearance, in.Capacity, in.TimeZone, in.Shifts, in.Skills)
}

// checkEngineerTerms checks what an engineer's creation and update share.
func checkEngineerTerms(region string, clearance Tier, capacity int, zone string, shifts []ShiftWindow, skills []Skill) error {
	if region != "" {
		if err := CheckRegionCode("region", region); err != nil {
			return err
		}
	}
	if !clearance.Valid() {
		return InvalidField("tierClearance", "%q is not one of platinum, premium, standard", clearance)
	}
	if capacity < 1 || capacity > MaxEngineerCapacity {
		return InvalidField("capacity", "%d is not 1 to %d jobs", capacity, MaxEngineerCapacity)
	}
	if zone != "" {
		if err := CheckTimeZone("timeZone", zone); err != nil {
			return err
		}
	}
	if err := CheckShifts(shifts); err != nil {
		return err
	}
	return CheckSkills(skills)
}

// EngineerUpdate changes an engineer; a nil field stays as it is. Shifts
// and Skills, when set, replace the whole calendar and the whole set of
// certifications.
type EngineerUpdate struct {
	Name          *string
	HomeDepotID   *string
	Region        *string
	TierClearance *Tier
	Capacity      *int
	TimeZone      *string
	Shifts        *[]ShiftWindow
	Skills        *[]Skill
	ProviderID    *string
	// UserID, when set, makes a user with the engineer role the engineer's
	// login in place of any other.
	UserID *string
}

// Apply returns the engineer with the update applied, or EINVALID naming
// the first field at fault.
func (u *EngineerUpdate) Apply(e Engineer) (Engineer, error) {
	if u.Name != nil {
		name, err := CheckText("name", *u.Name, 200)
		if err != nil {
			return e, err
		}
		e.Name = name
	}
	if u.HomeDepotID != nil {
		if strings.TrimSpace(*u.HomeDepotID) == "" {
			return e, InvalidField("homeDepotId", "is empty")
		}
		e.HomeDepotID = *u.HomeDepotID
	}
	if u.Region != nil && *u.Region == "" {
		return e, InvalidField("region", "is empty")
	}
	applyEngineerTerms(u, &e)
	if e.Region == "" {
		return e, InvalidField("region", "is empty")
	}
	return e, checkEngineerTerms(e.Region, e.TierClearance, e.Capacity, e.TimeZone, e.Shifts, e.Skills)
}

// applyEngineerTerms copies the terms an update sets onto e.
func applyEngineerTerms(u *EngineerUpdate, e *Engineer) {
	if u.Region != nil {
		e.Region = *u.Region
	}
	if u.TierClearance != nil {
		e.TierClearance = *u.TierClearance
	}
	if u.Capacity != nil {
		e.Capacity = *u.Capacity
	}
	if u.TimeZone != nil {
		e.TimeZone = *u.TimeZone
	}
	if u.Shifts != nil {
		e.Shifts = *u.Shifts
	}
	if u.Skills != nil {
		e.Skills = *u.Skills
	}
	if u.ProviderID != nil {
		e.ProviderID = *u.ProviderID
	}
}

// CheckSkills returns EINVALID naming the skill at fault: a product line
// that is no code, a level outside 1 to MaxSkillLevel, a line listed twice.
// An expiry in the past is allowed: it records a lapsed certification.
func CheckSkills(skills []Skill) error {
	for i, s := range skills {
		field := fmt.Sprintf("skills[%d]", i)
		if err := CheckProductLineCode(field+".productLine", s.ProductLine); err != nil {
			return err
		}
		if s.Level < 1 || s.Level > MaxSkillLevel {
			return InvalidField(field+".level", "%d is not 1 to %d", s.Level, MaxSkillLevel)
		}
		if slices.ContainsFunc(skills[:i], func(o Skill) bool { return o.ProductLine == s.ProductLine }) {
			return InvalidField(field+".productLine", "%s is listed twice", s.ProductLine)
		}
	}
	return nil
}

// MaxSkillLevel is the highest certification level; levels run from 1.
const MaxSkillLevel = 3

// CheckShifts returns EINVALID naming the shift window at fault: a day
// outside Sunday to Saturday, a start or end that is not a whole minute of
// the day (end up to 24:00), an end not after the start, or a window that
// overlaps another on the same day.
func CheckShifts(shifts []ShiftWindow) error {
	for i, w := range shifts {
		field := fmt.Sprintf("shifts[%d]", i)
		switch {
		case w.Day < time.Sunday || w.Day > time.Saturday:
			return InvalidField(field+".day", "%d is not a day of the week", w.Day)
		case w.Start < 0 || w.Start >= 24*time.Hour || w.Start%time.Minute != 0:
			return InvalidField(field+".start", "is not a minute of the day from 00:00 to 23:59")
		case w.End <= w.Start || w.End > 24*time.Hour || w.End%time.Minute != 0:
			return InvalidField(field+".end", "is not a minute after the start, up to 24:00")
		}
		for j, o := range shifts[:i] {
			if o.Day == w.Day && o.Start < w.End && w.Start < o.End {
				return InvalidField(field, "overlaps shifts[%d] on %s", j, w.Day)
			}
		}
	}
	return nil
}

// ParseTimeOfDay reads "HH:MM", from "00:00" to "24:00", as the time since
// local midnight, or returns EINVALID naming field.
func ParseTimeOfDay(field, s string) (time.Duration, error) {
	digit := func(i int) (int, bool) { return int(s[i] - '0'), '0' <= s[i] && s[i] <= '9' }
	if len(s) != 5 || s[2] != ':' {
		return 0, InvalidField(field, "%q is not a time of day HH:MM", s)
	}
	h1, ok1 := digit(0)
	h2, ok2 := digit(1)
	m1, ok3 := digit(3)
	m2, ok4 := digit(4)
	h, m := h1*10+h2, m1*10+m2
	if !ok1 || !ok2 || !ok3 || !ok4 || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, InvalidField(field, "%q is not a time of day HH:MM", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

// FormatTimeOfDay writes a time since local midnight as "HH:MM".
func FormatTimeOfDay(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// DepotInput brings a depot into service. Region left empty is derived
// from the location (RegionLocator).
type DepotInput struct {
	Code     string
	Name     string
	City     string
	Country  string
	Region   string
	Lat, Lng float64
	TimeZone string
}

// Normalize trims the input and returns EINVALID naming the first field at
// fault.
func (in *DepotInput) Normalize() error {
	var err error
	if in.Code, err = MasterCode("code", in.Code); err != nil {
		return err
	}
	if in.Name, err = CheckText("name", in.Name, 200); err != nil {
		return err
	}
	if in.City, err = CheckText("city", in.City, 100); err != nil {
		return err
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

// DepotUpdate changes a depot; a nil field stays as it is. Lat and Lng
// change together; a moved depot whose update names no region is placed in
// the region of its new location.
type DepotUpdate struct {
	Name, City, Country *string
	Region              *string
	Lat, Lng            *float64
	TimeZone            *string
}

// Apply returns the depot with the update applied and normalised, and
// whether it moved, or EINVALID naming the first field at fault.
func (u *DepotUpdate) Apply(d Depot) (DepotInput, bool, error) {
	in := DepotInput{Code: d.Code, Name: d.Name, City: d.City, Country: d.Country, Region: d.Region, Lat: d.Lat,
		Lng: d.Lng, TimeZone: d.TimeZone}
	if (u.Lat == nil) != (u.Lng == nil) {
		return in, false, InvalidField("lat", "lat and lng change together")
	}
	for _, f := range []struct{ dst, v *string }{{&in.Name, u.Name}, {&in.City, u.City}, {&in.Country, u.Country},
		{&in.Region, u.Region}, {&in.TimeZone, u.TimeZone}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	moved := u.Country != nil && strings.ToUpper(strings.TrimSpace(*u.Country)) != d.Country
	if u.Lat != nil {
		moved = moved || *u.Lat != d.Lat || *u.Lng != d.Lng
		in.Lat, in.Lng = *u.Lat, *u.Lng
	}
	if moved && u.Region == nil {
		in.Region = ""
	}
	return in, moved, in.Normalize()
}
