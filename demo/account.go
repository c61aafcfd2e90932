package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/postgres"
)

// seedAccountProfile is a named demo account: who it is, the tier it buys
// and what kind of estate it runs.
type seedAccountProfile struct {
	code, name string
	tier       aftercare.Tier
	// pcOnly accounts run offices and stores, no data centres.
	pcOnly bool
	// extendedWarranty standard contracts extend the base warranty.
	extendedWarranty bool
}

// seedAccountProfiles are the named demo accounts. The first three, managed
// by am.li, cover the three tiers so that even a small config has each.
var seedAccountProfiles = []seedAccountProfile{
	{code: "CATHAYBANK", name: "Cathay Commercial Bank", tier: aftercare.TierPlatinum},
	{code: "SINOAIR", name: "Sino Air Group", tier: aftercare.TierPremium},
	{code: "WESTLAKEEDU", name: "West Lake University", tier: aftercare.TierStandard, extendedWarranty: true},
	{code: "DRAGONTEL", name: "Dragon Telecom", tier: aftercare.TierPlatinum},
	{code: "YANGTZEAUTO", name: "Yangtze Auto Manufacturing", tier: aftercare.TierPremium},
	{code: "PEARLRETAIL", name: "Pearl River Retail", tier: aftercare.TierStandard, pcOnly: true},
	{code: "SILKROADLOG", name: "Silk Road Logistics", tier: aftercare.TierPremium},
	{code: "HARBOURSHIP", name: "Harbour Shipping Lines", tier: aftercare.TierStandard},
}

// seedAccount is an account to load.
type seedAccount struct {
	id uuid
	seedAccountProfile
	// manager is the index in users of the account manager.
	manager int
}

// seedUserRow is a user to load.
type seedUserRow struct {
	id          uuid
	username    string
	displayName string
	role        aftercare.Role
	// account is the index of a customer_it user's account, -1 otherwise.
	account int
}

// seedStaff are the fixed demo logins of the service organisation.
var seedStaff = []struct {
	username, name string
	role           aftercare.Role
}{
	{"admin", "Aftercare Administrator", aftercare.RoleAdmin},
	{"director", "Wang Jianguo", aftercare.RoleServiceDirector},
	{"am.li", "Li Na", aftercare.RoleAccountManager},
	{"am.chen", "Chen Hao", aftercare.RoleAccountManager},
	{"dispatcher.east", "Zhou Min", aftercare.RoleDispatcher},
	{"dispatcher.north", "Sun Lei", aftercare.RoleDispatcher},
	{"engineer.zhang", "Zhang Wei", aftercare.RoleEngineer},
}

// Indexes in seedStaff of the users that other rows point at.
const (
	seedStaffAMLi     = 2
	seedStaffAMChen   = 3
	seedStaffEngineer = 6
)

// seedAMLiAccounts is how many accounts, from the first, am.li manages.
const seedAMLiAccounts = 3

func (s *seeder) planAccounts() {
	r := s.rng(seedStreamAccounts, 0)
	tiers := aftercare.Tiers
	for i := range s.cfg.Accounts {
		p := seedAccountProfile{code: fmt.Sprintf("ACCT%04d", i+1), name: fmt.Sprintf("Enterprise Customer %d", i+1),
			tier: tiers[i%len(tiers)], extendedWarranty: i%2 == 0}
		if i < len(seedAccountProfiles) {
			p = seedAccountProfiles[i]
		}
		manager := seedStaffAMChen
		if i < seedAMLiAccounts {
			manager = seedStaffAMLi
		}
		s.accounts = append(s.accounts, seedAccount{id: seedUUID(r), seedAccountProfile: p, manager: manager})
	}
}

func (s *seeder) planUsers() {
	r := s.rng(seedStreamUsers, 0)
	for _, st := range seedStaff {
		s.users = append(s.users, seedUserRow{id: seedUUID(r), username: st.username, displayName: st.name, role: st.role, account: -1})
	}
	for i, a := range s.accounts {
		s.users = append(s.users, seedUserRow{id: seedUUID(r), username: "it." + strings.ToLower(a.code),
			displayName: a.name + " IT", role: aftercare.RoleCustomerIT, account: i})
	}
	if s.cfg.Engineers > 0 {
		s.engineerUser = s.users[seedStaffEngineer].id
	}
	for _, u := range s.users {
		su := User{Username: u.username, Role: u.role}
		if u.account >= 0 {
			su.AccountCode = s.accounts[u.account].code
		}
		s.summary.Users = append(s.summary.Users, su)
	}
}

// email returns a user's demo mail address.
func (u seedUserRow) email(accounts []seedAccount) string {
	if u.account >= 0 {
		return "it@" + strings.ToLower(accounts[u.account].code) + ".example.com"
	}
	return u.username + "@aftercare.example.com"
}

func (s *seeder) copyAccounts(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "accounts", []string{"id", "code", "name"}, len(s.accounts), func(i int) []any {
		a := s.accounts[i]
		return []any{a.id, a.code, a.name}
	})
}

func (s *seeder) copyUsers(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "users", []string{"id", "username", "display_name", "email", "role", "account_id"}, len(s.users),
		func(i int) []any {
			u := s.users[i]
			var account any
			if u.account >= 0 {
				account = s.accounts[u.account].id
			}
			return []any{u.id, u.username, u.displayName, u.email(s.accounts), string(u.role), account}
		})
}

// seedSiteKind is what a site is for, which decides the devices it holds.
type seedSiteKind struct {
	name string
	// lineWeights weigh the product lines of seedProductLines.
	lineWeights []int
}

// The site kinds; the weights follow the order of seedProductLines.
var (
	seedDataCentre = seedSiteKind{"Data Centre", []int{0, 0, 0, 0, 30, 12, 12, 16, 18, 12}}
	seedOffice     = seedSiteKind{"Office", []int{35, 25, 30, 10, 0, 0, 0, 0, 0, 0}}
	seedBranch     = seedSiteKind{"Branch", []int{30, 10, 45, 0, 0, 15, 0, 0, 0, 0}}
	seedStore      = seedSiteKind{"Store", []int{20, 0, 80, 0, 0, 0, 0, 0, 0, 0}}
)

// seedSite is a site to load.
type seedSite struct {
	id       uuid
	account  int
	name     string
	address  string
	place    seedPlace
	lat, lng float64
	kind     seedSiteKind
}

var seedRoads = []string{"Jianguo", "Zhongshan", "Renmin", "Jiefang", "Huaihai", "Xinhua", "Changjiang", "Heping", "Dongfeng", "Binhe"}

var seedStreets = []string{"Market", "Harbour", "King", "Park", "Bridge", "Station", "River", "Lake"}

// planSites puts the k-th site of all accounts in the k-th place of the
// spread order, so the sites cover every city before any repeats.
func (s *seeder) planSites() {
	for a, acct := range s.accounts {
		used := map[string]int{}
		for j := range s.cfg.SitesPerAccount {
			k := a*s.cfg.SitesPerAccount + j
			r := s.rng(seedStreamSites, k)
			place := s.places[k%len(s.places)]
			kind := []seedSiteKind{seedDataCentre, seedOffice, seedBranch}[j%3]
			if acct.pcOnly {
				kind = []seedSiteKind{seedOffice, seedStore, seedStore}[j%3]
			}
			name := place.Name + " " + kind.name
			if used[name]++; used[name] > 1 {
				name = fmt.Sprintf("%s %d", name, used[name])
			}
			address := fmt.Sprintf("No. %d %s Road", 1+r.IntN(300), seedRoads[r.IntN(len(seedRoads))])
			if place.Country != "CN" {
				address = fmt.Sprintf("%d %s Street", 1+r.IntN(300), seedStreets[r.IntN(len(seedStreets))])
			}
			lat, lng := seedNear(r, place.City, 3)
			s.sites = append(s.sites, seedSite{id: seedUUID(r), account: a, name: name, address: address,
				place: place, lat: lat, lng: lng, kind: kind})
		}
	}
}

func (s *seeder) copySites(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "sites",
		[]string{"id", "account_id", "name", "address", "city", "country", "region", "lat", "lng", "time_zone"}, len(s.sites),
		func(i int) []any {
			st := s.sites[i]
			return []any{st.id, s.accounts[st.account].id, st.name, st.address, st.place.Name, st.place.Country,
				st.place.region, st.lat, st.lng, st.place.TimeZone}
		})
}

// seedAsset is an asset to load.
type seedAsset struct {
	id           uuid
	site         int
	serial       string
	line         int
	model        string
	shippedOn    time.Time
	warrantyEnds time.Time
}

// seedSerialSpace is how many six-character base-36 serial codes exist;
// seedSerialMul, about 0.618 of it (the golden ratio spreads neighbours
// apart), is coprime to it, so i ↦ i·mul+offset is a permutation.
const (
	seedSerialSpace = 36 * 36 * 36 * 36 * 36 * 36
	seedSerialMul   = 1_345_324_927
)

// serial returns the serial number of the i-th asset: the product line's
// prefix and a six-character code unique to i.
func (s *seeder) serial(line seedProductLine, model seedModel, i int) string {
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	x := (uint64(i)*seedSerialMul + seedMix(uint64(s.cfg.Seed))%seedSerialSpace) % seedSerialSpace
	var code [6]byte
	for k := len(code) - 1; k >= 0; k-- {
		code[k] = digits[x%36]
		x /= 36
	}
	if line.kind == "pc" {
		return line.serialPrefix + string(code[:])
	}
	return model.machineType + "-" + string(code[:])
}

// planAssets fills each site with devices of the lines its kind holds,
// shipped up to five years ago; about a third are out of base warranty.
func (s *seeder) planAssets() {
	for si, site := range s.sites {
		for j := range s.cfg.AssetsPerSite {
			i := si*s.cfg.AssetsPerSite + j
			r := s.rng(seedStreamAssets, i)
			li := seedWeighted(r, site.kind.lineWeights)
			line := seedProductLines[li]
			model := line.models[r.IntN(len(line.models))]
			shipped := s.today.AddDate(0, 0, -(30 + r.IntN(5*365)))
			years := []int{1, 3, 3, 3, 3, 3, 3, 5, 5, 5}[r.IntN(10)]
			s.assets = append(s.assets, seedAsset{id: seedUUID(r), site: si, serial: s.serial(line, model, i), line: li,
				model: model.name, shippedOn: shipped, warrantyEnds: shipped.AddDate(years, 0, -1)})
		}
	}
}

func (s *seeder) copyAssets(ctx context.Context, l *postgres.Loader) error {
	return s.copyRows(ctx, l, "assets",
		[]string{"id", "account_id", "site_id", "serial_number", "product_line", "model", "shipped_on", "warranty_ends_on"},
		len(s.assets), func(i int) []any {
			a := s.assets[i]
			site := s.sites[a.site]
			return []any{a.id, s.accounts[site.account].id, site.id, a.serial, seedProductLines[a.line].code, a.model,
				a.shippedOn, a.warrantyEnds}
		})
}
