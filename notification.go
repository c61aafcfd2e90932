package aftercare

import (
	"context"
	"time"
)

// NotificationReason says why a recipient was notified of an escalation: the
// part they play in the incident (DESIGN.md §6).
type NotificationReason string

// The reasons of the default routing of an escalation's actions.
const (
	// ReasonAssignedEngineer: the engineer of the incident's active
	// assignment (warn_engineer).
	ReasonAssignedEngineer NotificationReason = "assigned_engineer"
	// ReasonDispatcher: a dispatcher of the site's region (warn_dispatcher).
	ReasonDispatcher NotificationReason = "dispatcher"
	// ReasonDutyManager: the region's duty manager, or a service director
	// standing in where the region has none (escalate_duty_manager).
	ReasonDutyManager NotificationReason = "duty_manager"
	// ReasonAccountManager: the contract's account manager
	// (notify_account_manager).
	ReasonAccountManager NotificationReason = "account_manager"
	// ReasonServiceDirector: a service director, told of a breach.
	ReasonServiceDirector NotificationReason = "service_director"
	// ReasonCustomerContact: the incident's customer contact, told of a
	// breach.
	ReasonCustomerContact NotificationReason = "customer_contact"
	// ReasonCustomerIT: the account's corporate IT, told of a health
	// warning of one of its devices.
	ReasonCustomerIT NotificationReason = "customer_it"
)

// NotificationKind says what a notification is about.
type NotificationKind string

// The kinds of notification: an escalation of an incident's clock, or a
// depot's stock falling below its reorder point.
const (
	NotificationEscalation NotificationKind = "escalation"
	NotificationStockAlert NotificationKind = "stock_alert"
	// NotificationHealthWarning: a device's component is at risk of
	// failing.
	NotificationHealthWarning NotificationKind = "health_warning"
)

// Notification is one recipient's notice of one fired escalation level, or
// of one stock alert. Each level or alert notifies each recipient once.
type Notification struct {
	ID   int64
	Kind NotificationKind
	// IncidentID, Clock, Level and Percent name the escalation; they are
	// zero for a stock alert.
	IncidentID string
	Clock      ClockKind
	Level      int
	Percent    int
	// Stock is the alert of a stock alert's notification, nil for an
	// escalation's.
	Stock *StockAlert
	// HealthWarningID is the warning of a health warning's notification,
	// 0 otherwise.
	HealthWarningID int64
	// Recipient is "user:<id>" for a user, "email:<address>" for a customer
	// contact who is no user.
	Recipient string
	// UserID is the recipient's user, "" for a contact who is no user.
	UserID  string
	Email   string
	Name    string
	Reason  NotificationReason
	Actions []EscalationAction
	// CreatedAt is when the level fired.
	CreatedAt time.Time
}

// StockAlert is one crossing of a depot's stock row below its reorder
// point: the dispatchers of the depot's region are told, once per crossing.
type StockAlert struct {
	StockID int64
	// Crossing numbers the row's crossings, from 1.
	Crossing int
	// MovementID is the ledger row that took the stock below, 0 when
	// raising the reorder point did.
	MovementID int64
	PartID     string
	FRU        string
	DepotID    string
	// Available and ReorderPoint are the row's units available and its
	// reorder point at the crossing.
	Available    int
	ReorderPoint int
	At           time.Time
}

// DutyManager is the manager on call for a region's escalations.
type DutyManager struct {
	Region    string
	UserID    string
	UpdatedAt time.Time
}

// NotificationService reads the notifications of the signed-in user and
// keeps the duty managers that escalations are routed to.
type NotificationService interface {
	// FindMyNotifications returns a page of the calling user's
	// notifications, newest first; nobody sees another user's.
	FindMyNotifications(ctx context.Context, page PageRequest) ([]*Notification, PageInfo, error)
	// FindDutyManagers returns the duty manager of every region that has
	// one, by region.
	FindDutyManagers(ctx context.Context) ([]*DutyManager, error)
	// SetDutyManager makes a service director or dispatcher the duty
	// manager of a region, or clears the region's when userID is "" (its
	// escalations then go to the service directors), and audits the change.
	SetDutyManager(ctx context.Context, region, userID string) (*DutyManager, error)
}
