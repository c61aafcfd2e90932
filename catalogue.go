package aftercare

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// ProductLine is a family of products the maker sells and services, such
// as ThinkSystem SR rack servers: assets, parts and engineers' skills name
// it.
type ProductLine struct {
	Code string
	Name string
	// Kind is pc, server or storage.
	Kind string
}

// productKinds are the kinds of product line.
var productKinds = []string{"pc", "server", "storage"}

// Normalize trims the product line and returns EINVALID naming the first
// field at fault.
func (p *ProductLine) Normalize() error {
	p.Code = strings.TrimSpace(p.Code)
	if err := CheckProductLineCode("code", p.Code); err != nil {
		return err
	}
	var err error
	if p.Name, err = CheckText("name", p.Name, 200); err != nil {
		return err
	}
	if !slices.Contains(productKinds, p.Kind) {
		return InvalidField("kind", "%q is not one of pc, server, storage", p.Kind)
	}
	return nil
}

// PartInput adds a field-replaceable unit to the spare-parts catalogue,
// with its list price and, optionally, its prices on the price list.
type PartInput struct {
	FRU          string
	Description  string
	UnitPrice    int64 // in the minor unit of Currency
	Currency     string
	ProductLines []string
	// Prices are the part's entries on the price list, by tier and region,
	// in Currency.
	Prices []PartPrice
}

// PartPrice is a part's price on the price list for a tier and a region.
type PartPrice struct {
	Tier   Tier
	Region string
	// UnitPrice is in the minor unit of the part's currency.
	UnitPrice int64
}

// fruPattern is what an FRU number may be, as the database checks it.
var fruPattern = regexp.MustCompile(`^[A-Z0-9]{5,12}$`)

// currencyPattern is an ISO 4217 currency code.
var currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)

// Normalize upper-cases the FRU number and currency, trims the rest and
// returns EINVALID naming the first field at fault.
func (in *PartInput) Normalize() error {
	in.FRU = strings.ToUpper(strings.TrimSpace(in.FRU))
	if err := checkCode("fru", in.FRU, fruPattern, "an FRU number of 5 to 12 letters and digits"); err != nil {
		return err
	}
	var err error
	if in.Description, err = CheckText("description", in.Description, 500); err != nil {
		return err
	}
	in.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
	if err := checkCode("unitPrice.currency", in.Currency, currencyPattern, "an ISO 4217 currency code such as \"CNY\""); err != nil {
		return err
	}
	if err := checkAmount("unitPrice.amount", in.UnitPrice); err != nil {
		return err
	}
	if err := checkPartLines(in.ProductLines); err != nil {
		return err
	}
	return CheckPartPrices(in.Prices)
}

// checkPartLines returns EINVALID unless lines names at least one product
// line, each once.
func checkPartLines(lines []string) error {
	if len(lines) == 0 {
		return InvalidField("productLines", "a part fits at least one product line")
	}
	for i, l := range lines {
		field := fmt.Sprintf("productLines[%d]", i)
		if err := CheckProductLineCode(field, l); err != nil {
			return err
		}
		if slices.Contains(lines[:i], l) {
			return InvalidField(field, "%s is listed twice", l)
		}
	}
	return nil
}

// CheckPartPrices returns EINVALID naming the price at fault: an unknown
// tier, a region that is no code, an amount out of range, or a tier and
// region priced twice.
func CheckPartPrices(prices []PartPrice) error {
	for i, p := range prices {
		field := fmt.Sprintf("prices[%d]", i)
		if !p.Tier.Valid() {
			return InvalidField(field+".tier", "%q is not one of platinum, premium, standard", p.Tier)
		}
		if err := CheckRegionCode(field+".region", p.Region); err != nil {
			return err
		}
		if err := checkAmount(field+".amount", p.UnitPrice); err != nil {
			return err
		}
		for _, o := range prices[:i] {
			if o.Tier == p.Tier && o.Region == p.Region {
				return InvalidField(field, "%s in %s is priced twice", p.Tier, p.Region)
			}
		}
	}
	return nil
}

// PartUpdate changes a part of the catalogue; a nil field stays as it is.
// Prices, when set, replaces the part's whole price list.
type PartUpdate struct {
	Description  *string
	UnitPrice    *int64
	ProductLines *[]string
	Prices       *[]PartPrice
}

// Apply returns the part with the update applied and its prices, or
// EINVALID naming the first field at fault.
func (u *PartUpdate) Apply(p Part) (PartInput, error) {
	in := PartInput{FRU: p.FRU, Description: p.Description, UnitPrice: p.UnitPrice, Currency: p.Currency,
		ProductLines: p.ProductLines}
	if u.Description != nil {
		in.Description = *u.Description
	}
	if u.UnitPrice != nil {
		in.UnitPrice = *u.UnitPrice
	}
	if u.ProductLines != nil {
		in.ProductLines = *u.ProductLines
	}
	if u.Prices != nil {
		in.Prices = *u.Prices
	}
	return in, in.Normalize()
}

// maxAmount is one more than the largest amount a price holds, in minor
// units: the database keeps prices as numeric(12, 2).
const maxAmount = 1e12

// checkAmount returns EINVALID naming field unless minor is a price the
// database can hold.
func checkAmount(field string, minor int64) error {
	if minor < 0 || minor >= maxAmount {
		return InvalidField(field, "is not a price from 0 to 9999999999.99")
	}
	return nil
}

// ParseAmount reads an amount in a currency's major unit, such as "1280"
// or "1280.50", into its minor unit (128050), or returns EINVALID naming
// field: at most two decimals, not negative, below 10,000,000,000.
func ParseAmount(field, s string) (int64, error) {
	whole, frac, dotted := strings.Cut(strings.TrimSpace(s), ".")
	bad := InvalidField(field, "%q is not an amount such as \"1280.00\"", s)
	if whole == "" || len(whole) > 10 || len(frac) > 2 || dotted && frac == "" {
		return 0, bad
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, bad
		}
	}
	major, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, bad
	}
	minor := int64(0)
	if frac != "" {
		frac += strings.Repeat("0", 2-len(frac))
		minor, _ = strconv.ParseInt(frac, 10, 64)
	}
	return major*100 + minor, nil
}
