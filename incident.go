package aftercare

import (
	"context"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// IncidentStatus is where an incident is in its lifecycle (DESIGN.md §5).
type IncidentStatus string

// The incident statuses, in lifecycle order, then the two side states.
const (
	StatusNew              IncidentStatus = "new"
	StatusTriaged          IncidentStatus = "triaged"
	StatusQuoted           IncidentStatus = "quoted"
	StatusApproved         IncidentStatus = "approved"
	StatusDispatched       IncidentStatus = "dispatched"
	StatusEnRoute          IncidentStatus = "en_route"
	StatusOnSite           IncidentStatus = "on_site"
	StatusRepaired         IncidentStatus = "repaired"
	StatusVerified         IncidentStatus = "verified"
	StatusResolved         IncidentStatus = "resolved"
	StatusClosed           IncidentStatus = "closed"
	StatusAwaitingCustomer IncidentStatus = "awaiting_customer"
	StatusCancelled        IncidentStatus = "cancelled"
)

// IncidentStatuses lists every status.
var IncidentStatuses = []IncidentStatus{
	StatusNew, StatusTriaged, StatusQuoted, StatusApproved, StatusDispatched, StatusEnRoute, StatusOnSite,
	StatusRepaired, StatusVerified, StatusResolved, StatusClosed, StatusAwaitingCustomer, StatusCancelled,
}

// Valid reports whether s is a known status.
func (s IncidentStatus) Valid() bool {
	for _, known := range IncidentStatuses {
		if s == known {
			return true
		}
	}
	return false
}

// Category says what kind of trouble an incident reports.
type Category string

// The incident categories.
const (
	CategoryHardwareFailure Category = "hardware_failure"
	CategoryPerformance     Category = "performance"
	CategorySoftware        Category = "software"
	CategoryPhysicalDamage  Category = "physical_damage"
	CategoryDataLoss        Category = "data_loss"
	CategoryInstallation    Category = "installation"
	CategoryQuestion        Category = "question"
)

// Categories lists every category.
var Categories = []Category{
	CategoryHardwareFailure, CategoryPerformance, CategorySoftware, CategoryPhysicalDamage,
	CategoryDataLoss, CategoryInstallation, CategoryQuestion, CategoryPredictedFailure,
}

// Valid reports whether c is a known category.
func (c Category) Valid() bool {
	for _, known := range Categories {
		if c == known {
			return true
		}
	}
	return false
}

// Contact is the customer's person for an incident.
type Contact struct {
	Name  string
	Email string
	Phone string
}

// Incident is a customer's report that a device has failed, and everything
// the service organisation does about it.
type Incident struct {
	ID string
	// Number is the short sequential number people quote on the phone.
	Number     int64
	AccountID  string
	SiteID     string
	AssetID    string
	ContractID string
	// Tier is the service level the incident is served at: the covering
	// contract's, or standard under base warranty or none.
	Tier            Tier
	Priority        Priority
	Category        Category
	Symptoms        string
	Status          IncidentStatus
	Contact         Contact
	ClientRequestID string
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// WorkflowID is the ID of the Temporal workflow that owns the incident's
	// clocks, derived from the incident ID.
	WorkflowID        string
	WorkflowStartedAt *time.Time
	// MinLevel is the certification level the repair needs, 1 to 3.
	MinLevel int
	// NeededParts are the parts the repair needs, by part ID.
	NeededParts []PartNeed
	// Coverage is what the asset was entitled to when the incident was
	// filed and whether the work is covered; nil for an incident filed
	// before coverage was recorded.
	Coverage *Coverage
}

// IncidentWorkflowID returns the ID of the one workflow that owns the
// incident with the given ID.
func IncidentWorkflowID(incidentID string) string {
	return "incident-" + incidentID
}

// MaxSymptomsLength bounds the free-text symptoms of an incident, in
// characters.
const MaxSymptomsLength = 4000

// IncidentCreate is a request to file an incident.
type IncidentCreate struct {
	SerialNumber string
	Priority     Priority
	Category     Category
	Symptoms     string
	Contact      Contact
	// ClientRequestID makes filing idempotent: the same ID for the same
	// account returns the incident it first created.
	ClientRequestID string
	// Parts are the parts the repair is already known to need (from the
	// device's diagnostics), by FRU number; optional.
	Parts []PartRequest
}

// PartRequest asks for a quantity of a part by its FRU number.
type PartRequest struct {
	FRU      string
	Quantity int
}

// IncidentNeeds sets what an incident's repair needs.
type IncidentNeeds struct {
	IncidentID string
	MinLevel   int
	Parts      []PartRequest
}

// Validate returns EINVALID when the needs are out of range.
func (n *IncidentNeeds) Validate() error {
	if n.MinLevel < 1 || n.MinLevel > 3 {
		return Errorf(EINVALID, "minimum level must be 1 to 3")
	}
	return validateParts(n.Parts)
}

// validateParts checks part requests: known shape, each FRU once.
func validateParts(parts []PartRequest) error {
	seen := make(map[string]bool, len(parts))
	for _, p := range parts {
		switch {
		case p.FRU == "":
			return Errorf(EINVALID, "a part needs its FRU number")
		case p.Quantity < 1 || p.Quantity > 100:
			return Errorf(EINVALID, "part %s: quantity must be 1 to 100", p.FRU)
		case seen[strings.ToUpper(p.FRU)]:
			return Errorf(EINVALID, "part %s is listed twice", p.FRU)
		}
		seen[strings.ToUpper(p.FRU)] = true
	}
	return nil
}

// Normalize trims surrounding space and upper-cases the serial number.
func (c *IncidentCreate) Normalize() {
	c.SerialNumber = strings.ToUpper(strings.TrimSpace(c.SerialNumber))
	c.Symptoms = strings.TrimSpace(c.Symptoms)
	c.Contact.Name = strings.TrimSpace(c.Contact.Name)
	c.Contact.Email = strings.TrimSpace(c.Contact.Email)
	c.Contact.Phone = strings.TrimSpace(c.Contact.Phone)
	c.ClientRequestID = strings.TrimSpace(c.ClientRequestID)
}

// Validate returns EINVALID naming the first field that is wrong.
func (c *IncidentCreate) Validate() error {
	switch {
	case c.SerialNumber == "":
		return Errorf(EINVALID, "serial number is required")
	case !c.Priority.Valid():
		return Errorf(EINVALID, "priority %q is not one of P1, P2, P3, P4", c.Priority)
	case !c.Category.Valid():
		return Errorf(EINVALID, "category %q is not known", c.Category)
	case c.Symptoms == "":
		return Errorf(EINVALID, "symptoms are required")
	case utf8.RuneCountInString(c.Symptoms) > MaxSymptomsLength:
		return Errorf(EINVALID, "symptoms must be at most %d characters", MaxSymptomsLength)
	case c.Contact.Name == "":
		return Errorf(EINVALID, "contact name is required")
	case c.ClientRequestID == "":
		return Errorf(EINVALID, "client request ID is required")
	case len(c.ClientRequestID) > 200:
		return Errorf(EINVALID, "client request ID must be at most 200 bytes")
	}
	if _, err := mail.ParseAddress(c.Contact.Email); err != nil || !strings.Contains(c.Contact.Email, "@") {
		return Errorf(EINVALID, "contact email %q is not a valid address", c.Contact.Email)
	}
	return validateParts(c.Parts)
}

// IncidentFilter selects incidents.
type IncidentFilter struct {
	Status    IncidentStatus
	Priority  Priority
	AccountID string
	Page      PageRequest
}

// IncidentService files and finds incidents.
type IncidentService interface {
	// CreateIncident files an incident for the asset with the given serial
	// number, together with the outbox message that starts its workflow. The
	// same client request ID for the same account returns the incident it
	// first created, or ECONFLICT if the request differs.
	CreateIncident(ctx context.Context, create IncidentCreate) (*Incident, error)
	// FindIncidentByID returns the incident with the given ID, or ENOTFOUND.
	FindIncidentByID(ctx context.Context, id string) (*Incident, error)
	// FindIncidents returns a page of incidents, newest first.
	FindIncidents(ctx context.Context, filter IncidentFilter) ([]*Incident, PageInfo, error)
	// FindIncidentsByIDs is FindIncidentByID for many IDs in one query: the
	// incidents in the order of ids, nil where FindIncidentByID would
	// answer ENOTFOUND.
	FindIncidentsByIDs(ctx context.Context, ids []string) ([]*Incident, error)
	// SetIncidentNeeds sets the level and the parts an incident's repair
	// needs, replacing the parts it had.
	SetIncidentNeeds(ctx context.Context, needs IncidentNeeds) (*Incident, error)
}
