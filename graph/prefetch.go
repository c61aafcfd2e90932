package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/aftercare/aftercare"
	"github.com/vikstrous/dataloadgen"
)

// batchLoader is a loader whose batch lookup can also be run at once, by
// prefetch, to fill its cache ahead of the resolvers that will ask it.
type batchLoader[K comparable, V any] struct {
	*dataloadgen.Loader[K, V]
	fetch func(context.Context, []K) ([]V, []error)
}

func newBatchLoader[K comparable, V any](fetch func(context.Context, []K) ([]V, []error), options ...dataloadgen.Option) batchLoader[K, V] {
	return batchLoader[K, V]{Loader: dataloadgen.NewLoader(fetch, options...), fetch: fetch}
}

// prime runs the batch lookup for keys now and caches what it finds, so
// that a resolver asking for one of them gets it without the loader's
// wait. A key it finds nothing for, or a lookup that fails, is left for
// the loader, which answers the resolver's Load as it would have.
func (b batchLoader[K, V]) prime(ctx context.Context, keys []K) []V {
	keys = distinct(keys)
	if len(keys) == 0 {
		return nil
	}
	values, errs := b.fetch(ctx, keys)
	if len(values) != len(keys) {
		return nil
	}
	found := values[:0:0]
	for i, k := range keys {
		if len(errs) == 0 || errs[i] == nil {
			b.Prime(k, values[i])
			found = append(found, values[i])
		}
	}
	return found
}

// distinct returns keys without repeats or zero values, in their order.
func distinct[K comparable](keys []K) []K {
	var zero K
	seen := make(map[K]bool, len(keys))
	out := make([]K, 0, len(keys))
	for _, k := range keys {
		if k != zero && !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// selection is what a request asks for beneath the field being resolved,
// by field name (the fields of every alias of a name merged).
type selection map[string][]graphql.CollectedField

// selected returns what the request asks for beneath the field being
// resolved, down the given path of field names: selected(ctx, "edges",
// "node") for the nodes of a connection.
func selected(ctx context.Context, path ...string) selection {
	op := graphql.GetOperationContext(ctx)
	fields := graphql.CollectFieldsCtx(ctx, nil)
	for _, name := range path {
		var next []graphql.CollectedField
		for _, f := range fields {
			if f.Name == name {
				next = append(next, graphql.CollectFields(op, f.Selections, nil)...)
			}
		}
		fields = next
	}
	s := selection{}
	for _, f := range fields {
		s[f.Name] = append(s[f.Name], f)
	}
	return s
}

// under returns what the request asks for beneath a field of s.
func (s selection) under(ctx context.Context, name string) selection {
	op := graphql.GetOperationContext(ctx)
	out := selection{}
	for _, f := range s[name] {
		for _, g := range graphql.CollectFields(op, f.Selections, nil) {
			out[g.Name] = append(out[g.Name], g)
		}
	}
	return out
}

// prefetchIncidents reads, for incidents a resolver has found, the nested
// objects and lists the request asks for beneath them, each in one batch
// as the loaders would, but at once and side by side, and primes the
// response's loaders with them: the nested resolvers then find them
// without waiting for a batch, so a page of incidents with its nested
// fields costs one round of queries instead of one wait per level.
// Authorization is untouched: each nested field's directive still decides
// whether its resolver runs, and every lookup applies the caller's scope.
func (r *Resolver) prefetchIncidents(ctx context.Context, s selection, incidents []*aftercare.Incident) {
	if len(incidents) == 0 {
		return
	}
	l := r.loaders(ctx)
	ids := make([]string, len(incidents))
	var accounts, sites, assets, contracts []string
	for i, inc := range incidents {
		ids[i] = inc.ID
		accounts, sites, assets = append(accounts, inc.AccountID), append(sites, inc.SiteID), append(assets, inc.AssetID)
		contracts = append(contracts, inc.ContractID)
	}
	var wg sync.WaitGroup
	if _, ok := s["account"]; ok {
		wg.Go(func() { l.accounts.prime(ctx, accounts) })
	}
	if _, ok := s["site"]; ok {
		wg.Go(func() { l.sites.prime(ctx, sites) })
	}
	if _, ok := s["asset"]; ok {
		wg.Go(func() { l.assets.prime(ctx, assets) })
	}
	if _, ok := s["contract"]; ok {
		wg.Go(func() { l.contracts.prime(ctx, contracts) })
	}
	if _, ok := s["slaClocks"]; ok {
		wg.Go(func() { l.clocks.prime(ctx, ids) })
	}
	if _, ok := s["assignments"]; ok {
		engineers := s.under(ctx, "assignments")["engineer"] != nil
		wg.Go(func() {
			var ofEngineers []string
			for _, as := range l.assignments.prime(ctx, ids) {
				for _, a := range as {
					ofEngineers = append(ofEngineers, a.EngineerID)
				}
			}
			if engineers {
				l.engineers.prime(ctx, ofEngineers)
			}
		})
	}
	wg.Wait()
}

// prefetchEngineers reads the engineers of a dispatch decision when the
// request asks for them, and primes the response's loader with them.
func (r *Resolver) prefetchEngineers(ctx context.Context, s selection, d *aftercare.DispatchDecision) {
	var ids []string
	if s.under(ctx, "candidates")["engineer"] != nil {
		for _, c := range d.Candidates {
			ids = append(ids, c.EngineerID)
		}
	}
	if s.under(ctx, "rejections")["engineer"] != nil {
		for _, rej := range d.Rejections {
			ids = append(ids, rej.EngineerID)
		}
	}
	r.loaders(ctx).engineers.prime(ctx, ids)
}
