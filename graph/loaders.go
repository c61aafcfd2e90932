package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vikstrous/dataloadgen"
)

// DefaultLoaderWait is how long a loader gathers the keys the resolvers of
// one level of a response ask for before it reads them all in one batch:
// each level of nested fields waits this long once. The resolvers of a
// level run at once and ask within a millisecond of one another on an
// idle machine; on a busy one, those that ask later than this are read in
// a second batch, which costs a query more and changes no answer.
const DefaultLoaderWait = 2 * time.Millisecond

// loaders batch the nested fields of one response: every nested object and
// list field that reads the database reads through one of them (an
// engineer's onShiftNow asks the dispatch index in memory), so that a list
// of fifty incidents with their accounts costs one query for the accounts,
// not fifty. Fields with arguments batch too: their keys hold the
// arguments, and a batch reads once per distinct arguments. Each
// batch runs the store's batch lookup, which applies the caller's scope as
// the lookup of one object does, and each key it finds nothing for is
// ENOTFOUND, as that lookup answers. A set serves one response only (see
// loaderSets), so what it caches is never shown to another caller nor
// outlives the operation that read it.
type loaders struct {
	accounts  batchLoader[string, *aftercare.Account]
	sites     batchLoader[string, *aftercare.Site]
	assets    batchLoader[string, *aftercare.Asset]
	contracts batchLoader[string, *aftercare.Contract]
	users     *dataloadgen.Loader[string, *aftercare.User]
	incidents *dataloadgen.Loader[string, *aftercare.Incident]
	engineers batchLoader[string, *aftercare.Engineer]
	depots    *dataloadgen.Loader[string, *aftercare.Depot]
	parts     *dataloadgen.Loader[string, *aftercare.Part]
	providers *dataloadgen.Loader[string, *aftercare.ServiceProvider]

	// By incident.
	assignments batchLoader[string, []*aftercare.Assignment]
	quotes      *dataloadgen.Loader[string, []*aftercare.Quote]
	repairs     *dataloadgen.Loader[string, *aftercare.RepairRecord]
	surveys     *dataloadgen.Loader[string, *aftercare.SurveyOutcome]
	clocks      batchLoader[string, []*aftercare.SLAClock]
	escalations *dataloadgen.Loader[string, []*aftercare.Escalation]
	events      *dataloadgen.Loader[string, []*aftercare.IncidentEvent]
	// By engineer.
	jobs  *dataloadgen.Loader[string, []*aftercare.Assignment]
	loads *dataloadgen.Loader[string, *int]
	// By account.
	accountManagers *dataloadgen.Loader[string, []*aftercare.User]

	// A page of each parent's list, by parent and page.
	sitesOfAccounts      *dataloadgen.Loader[argKey[aftercare.PageRequest], aftercare.Page[*aftercare.Site]]
	contractsOfAccounts  *dataloadgen.Loader[argKey[aftercare.PageRequest], aftercare.Page[*aftercare.Contract]]
	contractsOfAssets    *dataloadgen.Loader[argKey[aftercare.PageRequest], aftercare.Page[*aftercare.Contract]]
	assetsOfSites        *dataloadgen.Loader[argKey[aftercare.PageRequest], aftercare.Page[*aftercare.Asset]]
	engineersOfProviders *dataloadgen.Loader[argKey[aftercare.PageRequest], aftercare.Page[*aftercare.Engineer]]
	stock                *dataloadgen.Loader[argKey[stockArgs], aftercare.Page[*aftercare.StockLevel]]
	providerKPIs         *dataloadgen.Loader[argKey[kpiArgs], []*aftercare.KPI]
}

// argKey is the key of a loader of lists with arguments: the parent's ID
// and the arguments of the field.
type argKey[A comparable] struct {
	id   string
	args A
}

// stockArgs are what a stock list is of, and its page.
type stockArgs struct {
	by   aftercare.StockBy
	page aftercare.PageRequest
}

// kpiArgs are the arguments of a provider's KPIs.
type kpiArgs struct {
	from, to    time.Time
	granularity aftercare.KPIGranularity
}

// newLoaders returns a set of loaders over the resolver's services, each
// gathering keys for wait before it reads them.
func newLoaders(r *Resolver, wait time.Duration) *loaders {
	w := dataloadgen.WithWait(wait)
	return &loaders{
		accounts:  newBatchLoader(byID("account", r.AccountService.FindAccountsByIDs), w),
		sites:     newBatchLoader(byID("site", r.AccountService.FindSitesByIDs), w),
		assets:    newBatchLoader(byID("asset", r.AssetService.FindAssetsByIDs), w),
		contracts: newBatchLoader(byID("contract", r.ContractService.FindContractsByIDs), w),
		users:     dataloadgen.NewLoader(byID("user", r.UserService.FindUsersByIDs), w),
		incidents: dataloadgen.NewLoader(byID("incident", r.IncidentService.FindIncidentsByIDs), w),
		engineers: newBatchLoader(byID("engineer", r.EngineerService.FindEngineersByIDs), w),
		depots:    dataloadgen.NewLoader(byID("depot", r.DepotService.FindDepotsByIDs), w),
		parts:     dataloadgen.NewLoader(byID("part", r.PartService.FindPartsByIDs), w),
		providers: dataloadgen.NewLoader(byID("service provider", r.FleetRegistry.FindProvidersByIDs), w),

		assignments: newBatchLoader(ofSeen("incident", r.DispatchStore.FindAssignmentsOfIncidents), w),
		quotes:      dataloadgen.NewLoader(ofSeen("incident", r.QuoteService.FindQuotesOfIncidents), w),
		repairs:     dataloadgen.NewLoader(byID("incident", r.RepairService.FindRepairRecords), w),
		surveys:     dataloadgen.NewLoader(byID("incident", r.SurveyService.FindSurveys), w),
		clocks: newBatchLoader(all(func(ctx context.Context, ids []string) ([][]*aftercare.SLAClock, error) {
			return r.SLAService.FindSLAClocksOfIncidents(ctx, ids, time.Now())
		}), w),
		escalations: dataloadgen.NewLoader(all(r.SLAService.FindEscalationsOfIncidents), w),
		events:      dataloadgen.NewLoader(ofSeen("incident", r.EventService.FindEventsOfIncidents), w),
		jobs:        dataloadgen.NewLoader(all(r.JobStore.FindJobsOfEngineers), w),
		loads:       dataloadgen.NewLoader(byID("engineer", r.JobStore.EngineerLoads), w),

		accountManagers: dataloadgen.NewLoader(ofSeen("account", r.AccountRegistry.FindAccountManagersOfAccounts), w),

		sitesOfAccounts:      dataloadgen.NewLoader(withArgs(r.AccountService.FindSitesOfAccounts), w),
		contractsOfAccounts:  dataloadgen.NewLoader(withArgs(r.ContractService.FindContractsOfAccounts), w),
		contractsOfAssets:    dataloadgen.NewLoader(withArgs(r.ContractService.FindContractsOfAssets), w),
		assetsOfSites:        dataloadgen.NewLoader(withArgs(r.AssetService.FindAssetsOfSites), w),
		engineersOfProviders: dataloadgen.NewLoader(withArgs(r.EngineerService.FindEngineersOfProviders), w),
		stock: dataloadgen.NewLoader(withArgs(func(ctx context.Context, ids []string, a stockArgs) ([]aftercare.Page[*aftercare.StockLevel], error) {
			return r.DepotService.FindStockOf(ctx, a.by, ids, a.page)
		}), w),
		providerKPIs: dataloadgen.NewLoader(withArgs(func(ctx context.Context, ids []string, a kpiArgs) ([][]*aftercare.KPI, error) {
			return r.KPIService.FindKPIsOfKeys(ctx, aftercare.KPIFilter{Dimension: aftercare.KPIByProvider, From: a.from, To: a.to,
				Granularity: a.granularity}, ids)
		}), w),
	}
}

// byID makes the fetch of a loader from a batch lookup that answers nil
// for a key it finds nothing for: such a key is ENOTFOUND, with the message
// the lookup of one gives (noun is what the key names).
func byID[T any](noun string, find func(context.Context, []string) ([]*T, error)) func(context.Context, []string) ([]*T, []error) {
	return func(ctx context.Context, keys []string) ([]*T, []error) {
		found, err := find(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return found, notFound(noun, keys, func(i int) bool { return found[i] == nil })
	}
}

// ofSeen makes the fetch of a loader of the lists of parents the caller
// must see, from a batch lookup that answers a nil list for a parent out
// of sight: such a key is ENOTFOUND, as the lookup of one answers.
func ofSeen[T any](noun string, find func(context.Context, []string) ([][]T, error)) func(context.Context, []string) ([][]T, []error) {
	return func(ctx context.Context, keys []string) ([][]T, []error) {
		found, err := find(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return found, notFound(noun, keys, func(i int) bool { return found[i] == nil })
	}
}

// all makes the fetch of a loader of lists from a batch lookup that
// answers a list for every key.
func all[T any](find func(context.Context, []string) ([][]T, error)) func(context.Context, []string) ([][]T, []error) {
	return func(ctx context.Context, keys []string) ([][]T, []error) {
		found, err := find(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return found, nil
	}
}

// notFound returns the errors of a batch whose keys missing reports as
// found nothing for, nil when it found every key.
func notFound(noun string, keys []string, missing func(i int) bool) []error {
	var errs []error
	for i, k := range keys {
		if missing(i) {
			if errs == nil {
				errs = make([]error, len(keys))
			}
			errs[i] = aftercare.Errorf(aftercare.ENOTFOUND, "%s %q not found", noun, k)
		}
	}
	return errs
}

// withArgs makes the fetch of a loader keyed by parent and field
// arguments from a batch lookup for many parents with the same arguments:
// one lookup per distinct arguments in the batch, which in a response are
// nearly always the same for every parent.
func withArgs[A comparable, V any](find func(context.Context, []string, A) ([]V, error)) func(context.Context, []argKey[A]) ([]V, []error) {
	return func(ctx context.Context, keys []argKey[A]) ([]V, []error) {
		out := make([]V, len(keys))
		errs := make([]error, len(keys))
		var order []A
		byArgs := map[A][]int{}
		for i, k := range keys {
			if _, ok := byArgs[k.args]; !ok {
				order = append(order, k.args)
			}
			byArgs[k.args] = append(byArgs[k.args], i)
		}
		for _, a := range order {
			idx := byArgs[a]
			ids := make([]string, len(idx))
			for j, i := range idx {
				ids[j] = keys[i].id
			}
			found, err := find(ctx, ids, a)
			for j, i := range idx {
				if err != nil {
					errs[i] = err
				} else {
					out[i] = found[j]
				}
			}
		}
		return out, errs
	}
}

// loadersKey is the context key of a response's loaders.
type loadersKey struct{}

// loaders returns the loaders of the response being resolved, or, for a
// resolver called outside a handler made by NewHandler, a set of its own
// that reads at once.
func (r *Resolver) loaders(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return newLoaders(r, 0)
}

// loaderSets gives each response its own loaders: the response of a query
// or mutation, and each event of a subscription, which a WebSocket
// connection may deliver over hours. The root fields of a mutation, which
// run one after another, each get a fresh set, so that a field never reads
// what an earlier one cached before it changed.
type loaderSets struct {
	resolver *Resolver
	wait     time.Duration
}

var (
	_ graphql.HandlerExtension     = loaderSets{}
	_ graphql.ResponseInterceptor  = loaderSets{}
	_ graphql.RootFieldInterceptor = loaderSets{}
)

// ExtensionName names the extension.
func (loaderSets) ExtensionName() string { return "Loaders" }

// Validate accepts any schema.
func (loaderSets) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse resolves a response with loaders of its own.
func (l loaderSets) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return next(context.WithValue(ctx, loadersKey{}, newLoaders(l.resolver, l.wait)))
}

// InterceptRootField resolves each root field of a mutation with loaders
// of its own.
func (l loaderSets) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if graphql.GetOperationContext(ctx).Operation.Operation == ast.Mutation {
		ctx = context.WithValue(ctx, loadersKey{}, newLoaders(l.resolver, l.wait))
	}
	return next(ctx)
}

// incidentsByID loads incidents by ID in one batch, in the order of ids.
func (r *Resolver) incidentsByID(ctx context.Context, ids []string) ([]*aftercare.Incident, error) {
	thunks := make([]func() (*aftercare.Incident, error), len(ids))
	for i, id := range ids {
		thunks[i] = r.loaders(ctx).incidents.LoadThunk(ctx, id)
	}
	out := make([]*aftercare.Incident, len(thunks))
	for i, thunk := range thunks {
		inc, err := thunk()
		if err != nil {
			return nil, err
		}
		out[i] = inc
	}
	return out, nil
}
