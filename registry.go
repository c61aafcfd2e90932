package aftercare

import "context"

// The registries bring master data into service and keep it: what an
// administrator (and, for their own accounts' sites and assets, an account
// manager) enters without touching SQL or the seed. Every change is
// validated whole, made in one transaction with its audit event, and
// scoped: a caller changes only what their domains hold. Bad input is
// EINVALID naming the field (Error.Field), or each bad row of a file
// (Error.Problems).

// AccountRegistry brings customers, their sites and their assets into
// service.
type AccountRegistry interface {
	// CreateAccount creates an account and gives its managers the
	// account_manager role in its domain.
	CreateAccount(ctx context.Context, in AccountInput) (*Account, error)
	// UpdateAccount renames an account or replaces its managers.
	UpdateAccount(ctx context.Context, id string, u AccountUpdate) (*Account, error)
	// FindAccountManagers returns the users who manage an account.
	FindAccountManagers(ctx context.Context, accountID string) ([]*User, error)
	// FindAccountManagersOfAccounts is FindAccountManagers for many
	// accounts in two queries: the managers of each, in the order of
	// accountIDs, nil where FindAccountManagers would answer ENOTFOUND.
	FindAccountManagersOfAccounts(ctx context.Context, accountIDs []string) ([][]*User, error)
	// CreateSite adds a site to an account, in the region of its location
	// unless the input names one.
	CreateSite(ctx context.Context, in SiteInput) (*Site, error)
	// UpdateSite changes a site.
	UpdateSite(ctx context.Context, id string, u SiteUpdate) (*Site, error)
	// RegisterAsset registers one asset at a site, under a contract of the
	// account if the input names one.
	RegisterAsset(ctx context.Context, in AssetInput) (*Asset, error)
	// ImportAssets registers every asset of an import file (ParseAssetCSV)
	// or none: EINVALID lists each bad row by line.
	ImportAssets(ctx context.Context, in AssetImport) ([]*Asset, error)
	// AddContractAssets puts assets of the contract's account, by serial
	// number, under the contract; assets it covers already stay covered.
	AddContractAssets(ctx context.Context, contractID string, serials []string) (*Contract, error)
}

// AssetImport is an asset import file for one account.
type AssetImport struct {
	AccountID string
	// ContractID, when set, puts every imported asset under that contract
	// of the account.
	ContractID string
	CSV        string
}

// FleetRegistry brings engineers, depots and service providers into
// service. Every change reaches the dispatch index through the fleet's
// change feed.
type FleetRegistry interface {
	// CreateEngineer brings an engineer into service.
	CreateEngineer(ctx context.Context, in EngineerInput) (*Engineer, error)
	// UpdateEngineer changes an engineer's terms, calendar or skills.
	UpdateEngineer(ctx context.Context, id string, u EngineerUpdate) (*Engineer, error)
	// CreateDepot brings a depot into service, in the region of its
	// location unless the input names one.
	CreateDepot(ctx context.Context, in DepotInput) (*Depot, error)
	// UpdateDepot changes or moves a depot.
	UpdateDepot(ctx context.Context, id string, u DepotUpdate) (*Depot, error)
	// CreateProvider authorises a service provider, active.
	CreateProvider(ctx context.Context, in ProviderInput) (*ServiceProvider, error)
	// UpdateProvider renames a provider or changes its region.
	UpdateProvider(ctx context.Context, id string, u ProviderUpdate) (*ServiceProvider, error)
	// SetProviderStatus suspends, reinstates or terminates a provider
	// (ProviderStatus.CheckTransition): only an active provider's
	// engineers are dispatched.
	SetProviderStatus(ctx context.Context, id string, status ProviderStatus, reason string) (*ServiceProvider, error)
	// FindProviderByID returns the provider with the given ID, or ENOTFOUND.
	FindProviderByID(ctx context.Context, id string) (*ServiceProvider, error)
	// FindProviders returns a page of providers ordered by code.
	FindProviders(ctx context.Context, filter ProviderFilter) ([]*ServiceProvider, PageInfo, error)
	// FindProvidersByIDs is FindProviderByID for many IDs in one query: the
	// providers in the order of ids, nil where FindProviderByID would
	// answer ENOTFOUND.
	FindProvidersByIDs(ctx context.Context, ids []string) ([]*ServiceProvider, error)
}

// CatalogueRegistry keeps the product lines and the spare-parts catalogue
// with its prices.
type CatalogueRegistry interface {
	// CreateProductLine adds a product line.
	CreateProductLine(ctx context.Context, in ProductLine) (*ProductLine, error)
	// FindProductLines returns every product line ordered by code.
	FindProductLines(ctx context.Context) ([]*ProductLine, error)
	// CreatePart adds a part to the catalogue with its price list entries.
	CreatePart(ctx context.Context, in PartInput) (*Part, error)
	// UpdatePart changes a part, and replaces its price list entries when
	// the update names them.
	UpdatePart(ctx context.Context, id string, u PartUpdate) (*Part, error)
}

// UserRegistry creates users and disables them.
type UserRegistry interface {
	// CreateUser creates a user with their role in its domains.
	CreateUser(ctx context.Context, in UserInput) (*User, error)
	// DisableUser stops a user from signing in: their tokens and API keys
	// are refused from then on, and open connections end.
	DisableUser(ctx context.Context, id, reason string) (*User, error)
	// EnableUser lets a disabled user sign in again.
	EnableUser(ctx context.Context, id string) (*User, error)
	// ListUsers returns a page of users ordered by username.
	ListUsers(ctx context.Context, filter UserFilter) ([]*User, PageInfo, error)
}
