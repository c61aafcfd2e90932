package graph

import (
	"context"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

// The connections more than one field returns.

func (r *Resolver) siteConnection(ctx context.Context, f aftercare.SiteFilter) (*model.SiteConnection, error) {
	items, info, err := r.AccountService.FindSites(ctx, f)
	if err != nil {
		return nil, err
	}
	return &model.SiteConnection{PageInfo: &info, Edges: edges(items, info,
		func(c string, n *aftercare.Site) *model.SiteEdge { return &model.SiteEdge{Cursor: c, Node: n} })}, nil
}

func (r *Resolver) contractConnection(ctx context.Context, f aftercare.ContractFilter) (*model.ContractConnection, error) {
	items, info, err := r.ContractService.FindContracts(ctx, f)
	if err != nil {
		return nil, err
	}
	return &model.ContractConnection{PageInfo: &info, Edges: edges(items, info,
		func(c string, n *aftercare.Contract) *model.ContractEdge {
			return &model.ContractEdge{Cursor: c, Node: n}
		})}, nil
}

func (r *Resolver) stockConnection(ctx context.Context, f aftercare.StockFilter) (*model.StockConnection, error) {
	items, info, err := r.DepotService.FindStock(ctx, f)
	if err != nil {
		return nil, err
	}
	return &model.StockConnection{PageInfo: &info, Edges: edges(items, info,
		func(c string, n *aftercare.StockLevel) *model.StockEdge { return &model.StockEdge{Cursor: c, Node: n} })}, nil
}
