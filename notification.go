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
)

// Notification is one recipient's notice of one fired escalation level.
// Each level notifies each recipient once.
type Notification struct {
	ID         int64
	IncidentID string
	Clock      ClockKind
	Level      int
	Percent    int
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
