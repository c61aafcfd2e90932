package aftercare_test

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
)

// assertField checks that err is EINVALID naming field, or nil when field
// is "".
func assertField(t *testing.T, field string, err error, msgAndArgs ...any) {
	t.Helper()
	if field == "" {
		assert.NoError(t, err, msgAndArgs...)
		return
	}
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), msgAndArgs...)
	assert.Equal(t, field, aftercare.ErrorField(err), msgAndArgs...)
}

func TestSiteInputNormalize(t *testing.T) {
	valid := func() aftercare.SiteInput {
		return aftercare.SiteInput{AccountID: "a", Name: " HQ ", Address: "1 Road", City: "Shanghai", Country: "cn",
			Lat: 31.23, Lng: 121.47, TimeZone: "Asia/Shanghai"}
	}
	for _, tt := range []struct {
		name   string
		change func(*aftercare.SiteInput)
		field  string
	}{
		{"valid", func(*aftercare.SiteInput) {}, ""},
		{"poles and antimeridian", func(s *aftercare.SiteInput) { s.Lat, s.Lng = -90, 180 }, ""},
		{"no name", func(s *aftercare.SiteInput) { s.Name = "  " }, "name"},
		{"NUL in the address", func(s *aftercare.SiteInput) { s.Address = "a\x00b" }, "address"},
		{"latitude beyond the pole", func(s *aftercare.SiteInput) { s.Lat = 90.0001 }, "lat"},
		{"longitude beyond the antimeridian", func(s *aftercare.SiteInput) { s.Lng = -180.5 }, "lng"},
		{"unknown zone", func(s *aftercare.SiteInput) { s.TimeZone = "Asia/Atlantis" }, "timeZone"},
		{"the local zone", func(s *aftercare.SiteInput) { s.TimeZone = "Local" }, "timeZone"},
		{"no zone", func(s *aftercare.SiteInput) { s.TimeZone = "" }, "timeZone"},
		{"country name", func(s *aftercare.SiteInput) { s.Country = "China" }, "country"},
		{"region that is no code", func(s *aftercare.SiteInput) { s.Region = "East China" }, "region"},
	} {
		in := valid()
		tt.change(&in)
		assertField(t, tt.field, in.Normalize(), tt.name)
	}
	in := valid()
	assert.NoError(t, in.Normalize())
	assert.Equal(t, "HQ", in.Name)
	assert.Equal(t, "CN", in.Country)
}

func TestSiteUpdateApply(t *testing.T) {
	site := aftercare.Site{AccountID: "a", Name: "HQ", Address: "1 Road", City: "Shanghai", Country: "CN", Region: "east",
		Lat: 31.23, Lng: 121.47, TimeZone: "Asia/Shanghai"}
	lat, lng, name, region := 39.9, 116.4, "Beijing office", "north"
	in, moved, err := (&aftercare.SiteUpdate{Name: &name}).Apply(site)
	assert.NoError(t, err)
	assert.False(t, moved)
	assert.Equal(t, "east", in.Region, "a site that stays keeps its region")
	in, moved, err = (&aftercare.SiteUpdate{Lat: &lat, Lng: &lng}).Apply(site)
	assert.NoError(t, err)
	assert.True(t, moved)
	assert.Empty(t, in.Region, "a moved site is placed again")
	in, _, err = (&aftercare.SiteUpdate{Lat: &lat, Lng: &lng, Region: &region}).Apply(site)
	assert.NoError(t, err)
	assert.Equal(t, "north", in.Region, "unless the update names its region")
	_, _, err = (&aftercare.SiteUpdate{Lat: &lat}).Apply(site)
	assertField(t, "lat", err)
}

func TestEngineerInputNormalize(t *testing.T) {
	expiry := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	valid := func() aftercare.EngineerInput {
		return aftercare.EngineerInput{Code: "eng-1", Name: "Li Wei", HomeDepotID: "d", TierClearance: aftercare.TierPremium,
			Capacity: 3, TimeZone: "Asia/Shanghai",
			Shifts: []aftercare.ShiftWindow{{Day: time.Monday, Start: 8 * time.Hour, End: 12 * time.Hour},
				{Day: time.Monday, Start: 13 * time.Hour, End: 24 * time.Hour}},
			Skills: []aftercare.Skill{{ProductLine: "thinksystem_sr", Level: 3, ExpiresOn: &expiry}, {ProductLine: "thinkpad_t", Level: 1}}}
	}
	for _, tt := range []struct {
		name   string
		change func(*aftercare.EngineerInput)
		field  string
	}{
		{"valid", func(*aftercare.EngineerInput) {}, ""},
		{"code with a space", func(e *aftercare.EngineerInput) { e.Code = "ENG 1" }, "code"},
		{"no home depot", func(e *aftercare.EngineerInput) { e.HomeDepotID = "" }, "homeDepotId"},
		{"unknown clearance", func(e *aftercare.EngineerInput) { e.TierClearance = "gold" }, "tierClearance"},
		{"no capacity", func(e *aftercare.EngineerInput) { e.Capacity = 0 }, "capacity"},
		{"too much capacity", func(e *aftercare.EngineerInput) { e.Capacity = 21 }, "capacity"},
		{"unknown zone", func(e *aftercare.EngineerInput) { e.TimeZone = "Mars/Olympus" }, "timeZone"},
		{"level 4", func(e *aftercare.EngineerInput) { e.Skills[1].Level = 4 }, "skills[1].level"},
		{"line twice", func(e *aftercare.EngineerInput) { e.Skills[1].ProductLine = "thinksystem_sr" }, "skills[1].productLine"},
		{"line that is no code", func(e *aftercare.EngineerInput) { e.Skills[0].ProductLine = "SR650" }, "skills[0].productLine"},
		{"overlapping shifts", func(e *aftercare.EngineerInput) { e.Shifts[1].Start = 11 * time.Hour }, "shifts[1]"},
		{"shift ending before it starts", func(e *aftercare.EngineerInput) { e.Shifts[0].End = 7 * time.Hour }, "shifts[0].end"},
		{"shift past midnight", func(e *aftercare.EngineerInput) { e.Shifts[1].End = 25 * time.Hour }, "shifts[1].end"},
		{"shift on day 7", func(e *aftercare.EngineerInput) { e.Shifts[0].Day = 7 }, "shifts[0].day"},
		{"shift at a second", func(e *aftercare.EngineerInput) { e.Shifts[0].Start = 8*time.Hour + time.Second }, "shifts[0].start"},
	} {
		in := valid()
		tt.change(&in)
		assertField(t, tt.field, in.Normalize(), tt.name)
	}
}

func TestTimeOfDay(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"00:00", 0, true}, {"08:30", 8*time.Hour + 30*time.Minute, true}, {"24:00", 24 * time.Hour, true},
		{"24:01", 0, false}, {"8:30", 0, false}, {"08:60", 0, false}, {"08:30x", 0, false}, {"-1:00", 0, false}, {"", 0, false},
		{"23:59", 23*time.Hour + 59*time.Minute, true}, {"25:00", 0, false}, {" 8:30", 0, false}, {"+8:30", 0, false},
		{"08-30", 0, false}, {"0a:30", 0, false}, {"08:3a", 0, false}, {"99:99", 0, false},
	} {
		got, err := aftercare.ParseTimeOfDay("start", tt.in)
		if !tt.ok {
			assertField(t, "start", err, "ParseTimeOfDay(%q)", tt.in)
			continue
		}
		if assert.NoError(t, err, "ParseTimeOfDay(%q)", tt.in) {
			assert.Equal(t, tt.want, got, "ParseTimeOfDay(%q)", tt.in)
			assert.Equal(t, tt.in, aftercare.FormatTimeOfDay(got))
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1280", 128000, true}, {"1280.5", 128050, true}, {"1280.05", 128005, true}, {"0", 0, true},
		{"9999999999.99", 999999999999, true},
		{"10000000000", 0, false}, {"-1", 0, false}, {"1.234", 0, false}, {"1.", 0, false}, {".5", 0, false},
		{"1,280", 0, false}, {"", 0, false}, {"1e3", 0, false},
	} {
		got, err := aftercare.ParseAmount("amount", tt.in)
		if !tt.ok {
			assertField(t, "amount", err, "ParseAmount(%q)", tt.in)
			continue
		}
		assert.NoError(t, err, "ParseAmount(%q)", tt.in)
		assert.Equal(t, tt.want, got, "ParseAmount(%q)", tt.in)
	}
}

func TestProviderStatusTransitions(t *testing.T) {
	statuses := []aftercare.ProviderStatus{aftercare.ProviderActive, aftercare.ProviderSuspended, aftercare.ProviderTerminated}
	allowed := map[[2]aftercare.ProviderStatus]bool{
		{aftercare.ProviderActive, aftercare.ProviderSuspended}:     true,
		{aftercare.ProviderSuspended, aftercare.ProviderActive}:     true,
		{aftercare.ProviderActive, aftercare.ProviderTerminated}:    true,
		{aftercare.ProviderSuspended, aftercare.ProviderTerminated}: true,
	}
	for _, from := range statuses {
		for _, to := range statuses {
			err := from.CheckTransition(to)
			if allowed[[2]aftercare.ProviderStatus{from, to}] {
				assert.NoError(t, err, "%s → %s", from, to)
			} else {
				assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "%s → %s", from, to)
			}
		}
	}
	assertField(t, "status", aftercare.ProviderActive.CheckTransition("revoked"))
	// Every status reaches the end, and the end reaches nothing.
	for _, from := range statuses[:2] {
		assert.NoError(t, from.CheckTransition(aftercare.ProviderTerminated), "%s can end", from)
	}
}

func TestUserInputNormalize(t *testing.T) {
	valid := func() aftercare.UserInput {
		return aftercare.UserInput{Username: " Wang.Fang ", DisplayName: "Wang Fang", Email: "wang.fang@example.com",
			Role: aftercare.RoleDispatcher, Domains: []string{"region:east"}}
	}
	for _, tt := range []struct {
		name   string
		change func(*aftercare.UserInput)
		field  string
	}{
		{"valid", func(*aftercare.UserInput) {}, ""},
		{"username with a space", func(u *aftercare.UserInput) { u.Username = "wang fang" }, "username"},
		{"email without a domain", func(u *aftercare.UserInput) { u.Email = "wang.fang" }, "email"},
		{"email with a name", func(u *aftercare.UserInput) { u.Email = "Wang <wang@example.com>" }, "email"},
		{"unknown role", func(u *aftercare.UserInput) { u.Role = "root" }, "role"},
		{"corporate IT without an account", func(u *aftercare.UserInput) { u.Role = aftercare.RoleCustomerIT }, "accountId"},
		{"staff with an account", func(u *aftercare.UserInput) { u.AccountID = "a" }, "accountId"},
		{"malformed domain", func(u *aftercare.UserInput) { u.Domains = []string{"east"} }, "domains[0]"},
		{"domain twice", func(u *aftercare.UserInput) { u.Domains = []string{"region:east", "region:east"} }, "domains[1]"},
		{"corporate IT in another account", func(u *aftercare.UserInput) {
			u.Role, u.AccountID, u.Domains = aftercare.RoleCustomerIT, "a", []string{"account:b"}
		}, "domains[0]"},
	} {
		in := valid()
		tt.change(&in)
		assertField(t, tt.field, in.Normalize(), tt.name)
	}
	in := aftercare.UserInput{Username: "it.acme", DisplayName: "Acme IT", Email: "it@acme.example", Role: aftercare.RoleCustomerIT, AccountID: "a"}
	assert.NoError(t, in.Normalize())
	assert.Equal(t, []string{"account:a"}, in.Domains, "corporate IT acts in its account")
	in = aftercare.UserInput{Username: "boss", DisplayName: "Boss", Email: "boss@example.com", Role: aftercare.RoleServiceDirector}
	assert.NoError(t, in.Normalize())
	assert.Equal(t, []string{"*"}, in.Domains)
}

func TestPartInputNormalize(t *testing.T) {
	valid := func() aftercare.PartInput {
		return aftercare.PartInput{FRU: "03aa123", Description: "900W power supply", UnitPrice: 128000, Currency: "cny",
			ProductLines: []string{"thinksystem_sr"},
			Prices:       []aftercare.PartPrice{{Tier: aftercare.TierStandard, Region: "east", UnitPrice: 130000}}}
	}
	for _, tt := range []struct {
		name   string
		change func(*aftercare.PartInput)
		field  string
	}{
		{"valid", func(*aftercare.PartInput) {}, ""},
		{"short FRU", func(p *aftercare.PartInput) { p.FRU = "A1" }, "fru"},
		{"no lines", func(p *aftercare.PartInput) { p.ProductLines = nil }, "productLines"},
		{"line twice", func(p *aftercare.PartInput) { p.ProductLines = []string{"x", "x"} }, "productLines[1]"},
		{"currency name", func(p *aftercare.PartInput) { p.Currency = "yuan" }, "unitPrice.currency"},
		{"negative price", func(p *aftercare.PartInput) { p.UnitPrice = -1 }, "unitPrice.amount"},
		{"price twice", func(p *aftercare.PartInput) { p.Prices = append(p.Prices, p.Prices[0]) }, "prices[1]"},
		{"price of no tier", func(p *aftercare.PartInput) { p.Prices[0].Tier = "gold" }, "prices[0].tier"},
	} {
		in := valid()
		tt.change(&in)
		assertField(t, tt.field, in.Normalize(), tt.name)
	}
}
