package aftercare

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
)

// UserInput creates a user: a person of the service organisation or a
// customer's corporate IT. Domains are where the user holds Role (see
// RoleAssignment); left empty, an admin or service director holds it
// everywhere and corporate IT in its own account, and other roles get
// theirs later (an account's managers, assignRole, an engineer's login).
type UserInput struct {
	Username    string
	DisplayName string
	Email       string
	Role        Role
	// AccountID is the customer account of a customer_it user; only they
	// have one.
	AccountID string
	Domains   []string
}

// usernamePattern is what a username may be, as the database checks it.
var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Normalize lower-cases the username, trims the rest, fills in the default
// domains and returns EINVALID naming the first field at fault.
func (in *UserInput) Normalize() error {
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if err := checkCode("username", in.Username, usernamePattern, "1 to 64 lower-case letters, digits, '.', '_' and '-'"); err != nil {
		return err
	}
	var err error
	if in.DisplayName, err = CheckText("displayName", in.DisplayName, 200); err != nil {
		return err
	}
	in.Email = strings.TrimSpace(in.Email)
	if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || len(in.Email) > 254 {
		return InvalidField("email", "%q is not an email address", in.Email)
	}
	if !in.Role.Valid() {
		return InvalidField("role", "%q is not a role", in.Role)
	}
	if (in.Role == RoleCustomerIT) != (in.AccountID != "") {
		return InvalidField("accountId", "a corporate IT user, and only one, belongs to an account")
	}
	return in.normalizeDomains()
}

// normalizeDomains fills in the default domains and checks the given ones.
func (in *UserInput) normalizeDomains() error {
	if len(in.Domains) == 0 {
		switch in.Role {
		case RoleAdmin, RoleServiceDirector:
			in.Domains = []string{DomainAll}
		case RoleCustomerIT:
			in.Domains = []string{DomainAccountPrefix + in.AccountID}
		}
		return nil
	}
	for i, d := range in.Domains {
		field := fmt.Sprintf("domains[%d]", i)
		a := RoleAssignment{UserID: "new", Role: in.Role, Domain: d}
		if err := a.Validate(); err != nil {
			return InvalidField(field, "%s", ErrorMessage(err))
		}
		if in.Role == RoleCustomerIT && d != DomainAccountPrefix+in.AccountID {
			return InvalidField(field, "corporate IT acts in its own account only")
		}
		for _, earlier := range in.Domains[:i] {
			if earlier == d {
				return InvalidField(field, "%s is listed twice", d)
			}
		}
	}
	return nil
}

// UserFilter selects users.
type UserFilter struct {
	Role      Role
	AccountID string
	// Disabled includes the users who are disabled.
	Disabled bool
	Page     PageRequest
}
