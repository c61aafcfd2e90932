package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/demo"
	"github.com/aftercare/aftercare/postgres"
	"github.com/aftercare/aftercare/postgres/postgrestest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// batchWorld is a seeded database with an incident history, some of whose
// latest visits are engineers' current jobs, and the IDs of every noun,
// with keys that name nothing among them.
type batchWorld struct {
	db  *postgres.DB
	ids map[string][]string
}

func mustBatchWorld(t *testing.T) *batchWorld {
	t.Helper()
	ctx := context.Background()
	db := postgrestest.MustOpen(t)
	seed := demo.DefaultConfig()
	seed.SitesPerAccount, seed.AssetsPerSite, seed.Engineers = 2, 3, 40
	_, err := demo.Seed(ctx, db, seed)
	require.NoError(t, err)
	_, err = demo.SeedHistory(ctx, db, demo.HistoryConfig{Seed: 2, Incidents: 60, Now: seed.Now})
	require.NoError(t, err)
	require.NoError(t, db.ExecScript(ctx, `
		CREATE TEMP TABLE reopened AS
			SELECT DISTINCT ON (incident_id) id, incident_id FROM assignments WHERE state = 'completed'
			ORDER BY incident_id, created_at DESC LIMIT 20;
		UPDATE incidents SET status = 'on_site' WHERE id IN (SELECT incident_id FROM reopened);
		UPDATE assignments SET state = 'on_site' WHERE id IN (SELECT id FROM reopened);
		UPDATE contracts SET renewal_of = (SELECT min(id::text)::uuid FROM contracts)
			WHERE id = (SELECT max(id::text)::uuid FROM contracts);
		DROP TABLE reopened`))
	w := &batchWorld{db: db, ids: map[string][]string{}}
	for noun, table := range map[string]string{"account": "accounts", "site": "sites", "asset": "assets",
		"contract": "contracts", "user": "users", "incident": "incidents", "engineer": "engineers", "depot": "depots",
		"part": "parts", "provider": "service_providers"} {
		var id string
		require.NoError(t, db.Query(ctx, `SELECT id::text FROM `+table+` ORDER BY id LIMIT 60`, nil, []any{&id},
			func() error { w.ids[noun] = append(w.ids[noun], id); return nil }))
		require.NotEmpty(t, w.ids[noun], table)
		// An ID in upper case names the same row; the others name none.
		w.ids[noun] = append(w.ids[noun], strings.ToUpper(w.ids[noun][0]), "not-an-id",
			"00000000-0000-4000-8000-000000000000")
	}
	return w
}

// scopes are callers of each kind of domain, and one with none.
func (w *batchWorld) scopes() map[string]*aftercare.Scope {
	return map[string]*aftercare.Scope{
		"admin":            {All: true},
		"account manager":  {AccountIDs: w.ids["account"][:2]},
		"dispatcher":       {Regions: []string{"east"}},
		"engineer":         {EngineerID: w.ids["engineer"][0]},
		"customer IT":      {AccountIDs: w.ids["account"][2:3], UserID: w.ids["user"][0]},
		"nobody in domain": {},
	}
}

// TestBatchLookupsAgreeWithSingleLookups asks each batch lookup for every
// row of its noun, and for keys that name nothing, as callers of every
// kind of scope: each key gets what the lookup of one key answers, nil
// where that answers ENOTFOUND, so no batch ever returns a row the caller
// may not see.
func TestBatchLookupsAgreeWithSingleLookups(t *testing.T) {
	w := mustBatchWorld(t)
	accounts, assets := postgres.NewAccountService(w.db), postgres.NewAssetService(w.db)
	contracts, users := postgres.NewContractService(w.db), postgres.NewUserService(w.db)
	incidents, engineers := postgres.NewIncidentService(w.db), postgres.NewEngineerService(w.db)
	depots, parts := postgres.NewDepotService(w.db), postgres.NewPartService(w.db)
	fleet := postgres.NewFleetRegistry(w.db, nil)
	registry := postgres.NewAccountRegistry(w.db, nil)
	dispatch, jobs := postgres.NewDispatchService(w.db), postgres.NewJobStore(w.db)
	quotes, repairs := postgres.NewQuoteStore(w.db), postgres.NewRepairService(w.db)
	surveys, slas, kpis := postgres.NewSurveyService(w.db), postgres.NewSLAService(w.db), postgres.NewKPIService(w.db)
	now := time.Now()
	for name, scope := range w.scopes() {
		t.Run(name, func(t *testing.T) {
			ctx := aftercare.NewContextWithScope(context.Background(), scope)
			ids := w.ids
			agreeByID(t, ctx, ids["account"], accounts.FindAccountByID, accounts.FindAccountsByIDs)
			agreeByID(t, ctx, ids["site"], accounts.FindSiteByID, accounts.FindSitesByIDs)
			agreeByID(t, ctx, ids["asset"], assets.FindAssetByID, assets.FindAssetsByIDs)
			agreeByID(t, ctx, ids["contract"], contracts.FindContractByID, contracts.FindContractsByIDs)
			agreeByID(t, ctx, ids["user"], users.FindUserByID, users.FindUsersByIDs)
			agreeByID(t, ctx, ids["incident"], incidents.FindIncidentByID, incidents.FindIncidentsByIDs)
			agreeByID(t, ctx, ids["engineer"], engineers.FindEngineerByID, engineers.FindEngineersByIDs)
			agreeByID(t, ctx, ids["depot"], depots.FindDepotByID, depots.FindDepotsByIDs)
			agreeByID(t, ctx, ids["part"], parts.FindPartByID, parts.FindPartsByIDs)
			agreeByID(t, ctx, ids["provider"], fleet.FindProviderByID, fleet.FindProvidersByIDs)
			agreeByID(t, ctx, ids["incident"], repairs.FindRepairRecord, repairs.FindRepairRecords)
			agreeByID(t, ctx, ids["incident"], surveys.FindSurvey, surveys.FindSurveys)
			agreeByID(t, ctx, ids["engineer"], func(ctx context.Context, id string) (*int, error) {
				n, err := jobs.EngineerLoad(ctx, id)
				return &n, err
			}, jobs.EngineerLoads)

			agreeLists(t, ctx, ids["incident"], dispatch.FindAssignments, dispatch.FindAssignmentsOfIncidents)
			agreeLists(t, ctx, ids["incident"], quotes.FindQuotes, quotes.FindQuotesOfIncidents)
			agreeLists(t, ctx, ids["incident"], slas.FindEscalations, slas.FindEscalationsOfIncidents)
			agreeLists(t, ctx, ids["incident"], slas.FindIncidentEvents, slas.FindEventsOfIncidents)
			agreeLists(t, ctx, ids["incident"], func(ctx context.Context, id string) ([]*aftercare.SLAClock, error) {
				return slas.FindSLAClocks(ctx, id, now)
			}, func(ctx context.Context, ids []string) ([][]*aftercare.SLAClock, error) {
				return slas.FindSLAClocksOfIncidents(ctx, ids, now)
			})
			agreeLists(t, ctx, ids["engineer"], jobs.FindEngineerJobs, jobs.FindJobsOfEngineers)
			agreeLists(t, ctx, ids["account"], registry.FindAccountManagers, registry.FindAccountManagersOfAccounts)
			kf := aftercare.KPIFilter{Dimension: aftercare.KPIByProvider, From: now.AddDate(-2, 0, 0), To: now}
			agreeLists(t, ctx, ids["provider"], func(ctx context.Context, id string) ([]*aftercare.KPI, error) {
				f := kf
				f.Key = id
				return kpis.FindKPIs(ctx, f)
			}, func(ctx context.Context, ids []string) ([][]*aftercare.KPI, error) {
				return kpis.FindKPIsOfKeys(ctx, kf, ids)
			})

			agreePages(t, ctx, ids["account"], func(ctx context.Context, id string, p aftercare.PageRequest) ([]*aftercare.Site, aftercare.PageInfo, error) {
				return accounts.FindSites(ctx, aftercare.SiteFilter{AccountID: id, Page: p})
			}, accounts.FindSitesOfAccounts)
			agreePages(t, ctx, ids["account"], func(ctx context.Context, id string, p aftercare.PageRequest) ([]*aftercare.Contract, aftercare.PageInfo, error) {
				return contracts.FindContracts(ctx, aftercare.ContractFilter{AccountID: id, Page: p})
			}, contracts.FindContractsOfAccounts)
			agreePages(t, ctx, ids["asset"], func(ctx context.Context, id string, p aftercare.PageRequest) ([]*aftercare.Contract, aftercare.PageInfo, error) {
				return contracts.FindContracts(ctx, aftercare.ContractFilter{AssetID: id, Page: p})
			}, contracts.FindContractsOfAssets)
			agreePages(t, ctx, ids["site"], func(ctx context.Context, id string, p aftercare.PageRequest) ([]*aftercare.Asset, aftercare.PageInfo, error) {
				return assets.FindAssets(ctx, aftercare.AssetFilter{SiteID: id, Page: p})
			}, assets.FindAssetsOfSites)
			agreePages(t, ctx, ids["provider"], func(ctx context.Context, id string, p aftercare.PageRequest) ([]*aftercare.Engineer, aftercare.PageInfo, error) {
				return engineers.FindEngineers(ctx, aftercare.EngineerFilter{ProviderID: id, Page: p})
			}, engineers.FindEngineersOfProviders)
			for by, noun := range map[aftercare.StockBy]string{aftercare.StockByDepot: "depot", aftercare.StockByEngineer: "engineer",
				aftercare.StockByPart: "part"} {
				agreePages(t, ctx, ids[noun], func(ctx context.Context, id string, p aftercare.PageRequest) ([]*aftercare.StockLevel, aftercare.PageInfo, error) {
					f := aftercare.StockFilter{Page: p}
					switch by {
					case aftercare.StockByDepot:
						f.DepotID = id
					case aftercare.StockByEngineer:
						f.EngineerID = id
					case aftercare.StockByPart:
						f.PartID = id
					}
					return depots.FindStock(ctx, f)
				}, func(ctx context.Context, ids []string, p aftercare.PageRequest) ([]aftercare.Page[*aftercare.StockLevel], error) {
					return depots.FindStockOf(ctx, by, ids, p)
				})
			}
		})
	}
}

// agreeByID checks that a batch lookup answers, for each key, what the
// lookup of one answers: the same object, or nil for ENOTFOUND.
func agreeByID[T any](t *testing.T, ctx context.Context, ids []string, one func(context.Context, string) (*T, error),
	many func(context.Context, []string) ([]*T, error)) {
	t.Helper()
	got, err := many(ctx, ids)
	require.NoError(t, err)
	require.Len(t, got, len(ids))
	for i, id := range ids {
		want, err := one(ctx, id)
		if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
			assert.Nil(t, got[i], "%T %q is not found alone, so not in a batch", want, id)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, want, got[i], "%T %q", want, id)
	}
}

// agreeLists checks that a batch lookup of lists answers, for each key,
// what the lookup of one key answers: the same list (no rows and an empty
// list alike), or nil for ENOTFOUND.
func agreeLists[T any](t *testing.T, ctx context.Context, ids []string, one func(context.Context, string) ([]T, error),
	many func(context.Context, []string) ([][]T, error)) {
	t.Helper()
	got, err := many(ctx, ids)
	require.NoError(t, err)
	require.Len(t, got, len(ids))
	for i, id := range ids {
		want, err := one(ctx, id)
		if aftercare.ErrorCode(err) == aftercare.ENOTFOUND {
			assert.Nil(t, got[i], "the %T of %q are not found alone, so not in a batch", want, id)
			continue
		}
		require.NoError(t, err)
		if len(want) == 0 {
			assert.Empty(t, got[i], "the %T of %q", want, id)
			continue
		}
		assert.Equal(t, want, got[i], "the %T of %q", want, id)
	}
}

// agreePages checks that a batch lookup of pages answers, for each key,
// the page the lookup of one answers: the first page of two rows, then the
// page after a cursor of it.
func agreePages[T any](t *testing.T, ctx context.Context, ids []string,
	one func(context.Context, string, aftercare.PageRequest) ([]T, aftercare.PageInfo, error),
	many func(context.Context, []string, aftercare.PageRequest) ([]aftercare.Page[T], error)) {
	t.Helper()
	pages := []aftercare.PageRequest{{First: 2}}
	for _, id := range ids {
		if _, info, err := one(ctx, id, pages[0]); err == nil && info.HasNextPage {
			pages = append(pages, aftercare.PageRequest{First: 2, After: info.EndCursor})
			break
		}
	}
	for _, page := range pages {
		got, err := many(ctx, ids, page)
		require.NoError(t, err)
		require.Len(t, got, len(ids))
		for i, id := range ids {
			items, info, err := one(ctx, id, page)
			require.NoError(t, err)
			if len(items) == 0 {
				assert.Empty(t, got[i].Items, "page %+v of %T of %q", page, items, id)
				assert.Equal(t, aftercare.PageInfo{}, got[i].Info)
				continue
			}
			assert.Equal(t, items, got[i].Items, "page %+v of %T of %q", page, items, id)
			assert.Equal(t, info, got[i].Info, "page %+v of %T of %q", page, items, id)
		}
	}
}
