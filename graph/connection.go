package graph

import (
	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

// The connections more than one field returns, from a page of their nodes
// and the error of reading it.

func siteConnection(page aftercare.Page[*aftercare.Site], err error) (*model.SiteConnection, error) {
	if err != nil {
		return nil, err
	}
	return &model.SiteConnection{PageInfo: &page.Info, Edges: edges(page.Items, page.Info,
		func(c string, n *aftercare.Site) *model.SiteEdge { return &model.SiteEdge{Cursor: c, Node: n} })}, nil
}

func contractConnection(page aftercare.Page[*aftercare.Contract], err error) (*model.ContractConnection, error) {
	if err != nil {
		return nil, err
	}
	return &model.ContractConnection{PageInfo: &page.Info, Edges: edges(page.Items, page.Info,
		func(c string, n *aftercare.Contract) *model.ContractEdge {
			return &model.ContractEdge{Cursor: c, Node: n}
		})}, nil
}

func stockConnection(page aftercare.Page[*aftercare.StockLevel], err error) (*model.StockConnection, error) {
	if err != nil {
		return nil, err
	}
	return &model.StockConnection{PageInfo: &page.Info, Edges: edges(page.Items, page.Info,
		func(c string, n *aftercare.StockLevel) *model.StockEdge { return &model.StockEdge{Cursor: c, Node: n} })}, nil
}
