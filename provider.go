package aftercare

import (
	"regexp"
	"strings"
	"time"
)

// ServiceProvider employs field engineers: the maker's own field service,
// or an authorised partner company (授权服务中心) serving one region or
// all of them.
type ServiceProvider struct {
	ID   string
	Code string
	Name string
	Kind ProviderKind
	// Region is the region a partner is authorised in; "" is every region.
	Region string
	Status ProviderStatus
	// StatusSince is when the provider entered its status: when its status
	// last changed, or when it was authorised.
	StatusSince time.Time
}

// ProviderKind says whom a provider's engineers work for.
type ProviderKind string

// The kinds of provider.
const (
	ProviderOwn     ProviderKind = "own"     // the maker's own field service
	ProviderPartner ProviderKind = "partner" // an authorised partner company
)

// Valid reports whether k is a known kind of provider.
func (k ProviderKind) Valid() bool { return k == ProviderOwn || k == ProviderPartner }

// ProviderStatus is where a provider's authorisation stands. Only an active
// provider's engineers are dispatched; a suspended provider may become
// active again, a terminated one never.
type ProviderStatus string

// The provider statuses.
const (
	ProviderActive     ProviderStatus = "active"
	ProviderSuspended  ProviderStatus = "suspended"
	ProviderTerminated ProviderStatus = "terminated"
)

// Valid reports whether s is a known status.
func (s ProviderStatus) Valid() bool {
	return s == ProviderActive || s == ProviderSuspended || s == ProviderTerminated
}

// CheckTransition returns nil if a provider may go from status s to t, and
// ECONFLICT saying why not otherwise: active and suspended go either way
// or end in terminated; terminated is final; a status does not become
// itself.
func (s ProviderStatus) CheckTransition(t ProviderStatus) error {
	switch {
	case !t.Valid():
		return InvalidField("status", "%q is not one of active, suspended, terminated", t)
	case s == t:
		return Errorf(ECONFLICT, "the provider is %s already", s)
	case s == ProviderTerminated:
		return Errorf(ECONFLICT, "the provider is terminated; a terminated authorisation is not restored (authorise the company again as a new provider)")
	}
	return nil
}

// providerCodePattern is what a provider's code may be, as the database
// checks it.
var providerCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9-]{1,31}$`)

// ProviderInput authorises a service provider; it starts active.
type ProviderInput struct {
	Code   string
	Name   string
	Kind   ProviderKind
	Region string
}

// Normalize trims the input, upper-cases the code and returns EINVALID
// naming the first field at fault.
func (in *ProviderInput) Normalize() error {
	in.Code = strings.ToUpper(strings.TrimSpace(in.Code))
	if err := checkCode("code", in.Code, providerCodePattern, "2 to 32 letters, digits and '-', starting with a letter"); err != nil {
		return err
	}
	var err error
	if in.Name, err = CheckText("name", in.Name, 200); err != nil {
		return err
	}
	if !in.Kind.Valid() {
		return InvalidField("kind", "%q is not own or partner", in.Kind)
	}
	if in.Region != "" {
		return CheckRegionCode("region", in.Region)
	}
	return nil
}

// ProviderUpdate changes a provider's name or region; a nil field stays
// as it is, and an empty region authorises every region.
type ProviderUpdate struct {
	Name   *string
	Region *string
}

// Apply returns the provider with the update applied, or EINVALID naming
// the first field at fault.
func (u *ProviderUpdate) Apply(p ServiceProvider) (ServiceProvider, error) {
	if u.Name != nil {
		name, err := CheckText("name", *u.Name, 200)
		if err != nil {
			return p, err
		}
		p.Name = name
	}
	if u.Region != nil {
		if *u.Region != "" {
			if err := CheckRegionCode("region", *u.Region); err != nil {
				return p, err
			}
		}
		p.Region = *u.Region
	}
	return p, nil
}

// ProviderFilter selects service providers.
type ProviderFilter struct {
	Region string
	Status ProviderStatus
	Page   PageRequest
}
