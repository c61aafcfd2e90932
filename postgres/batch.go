package postgres

import (
	"context"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// The batch lookups read what many single lookups would, in one query per
// kind of row, for the API's per-request loaders. Each keeps the scope rule
// of the lookup it batches, so that no key ever returns a row the single
// lookup would not, and answers in the order of its keys.

// validIDs returns the distinct IDs among ids that could name a row, in
// lower case as the database writes them.
func validIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		id = strings.ToLower(id)
		if validID(id) && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// rowKey returns a key as the database writes it: an ID in lower case,
// any other key as it is.
func rowKey(key string) string {
	if validID(key) {
		return strings.ToLower(key)
	}
	return key
}

// findByIDs is findOne for many IDs in one query: the rows of sel whose
// idColumn is one of ids, within the caller's scope under rule (nil for
// nouns every permitted caller sees), in the order of ids, with the zero T
// for an ID that is malformed, matches nothing, or matches a row outside
// the scope.
func findByIDs[T any](ctx context.Context, q querier, sel, idColumn string, ids []string, rule *scopeRule,
	scan pgx.RowToFunc[T], id func(T) string) ([]T, error) {
	var f filter
	if rule != nil {
		f.addScope(ctx, *rule)
	}
	rows, err := findAnyOf(ctx, q, sel, &f, idColumn, ids, "", scan)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]T, len(rows))
	for _, r := range rows {
		byID[id(r)] = r
	}
	out := make([]T, len(ids))
	for i, k := range ids {
		out[i] = byID[rowKey(k)]
	}
	return out, nil
}

// findAnyOf runs sel (which selects FROM its tables with no WHERE) for the
// rows that f's conditions select and whose keyColumn is one of the valid
// IDs among ids, ordered by orderBy ("" for any order).
func findAnyOf[T any](ctx context.Context, q querier, sel string, f *filter, keyColumn string, ids []string, orderBy string,
	scan pgx.RowToFunc[T]) ([]T, error) {
	valid := validIDs(ids)
	if len(valid) == 0 {
		return nil, nil
	}
	f.add(keyColumn+" = ANY(?::uuid[])", valid)
	if orderBy != "" {
		orderBy = " ORDER BY " + orderBy
	}
	rows, err := q.Query(ctx, sel+f.where()+orderBy, f.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}

// seenIDs returns which of ids name a row of table (with its alias, as
// "incidents i") that the caller sees under rule, and those IDs: the check
// a single lookup makes before it reads what belongs to the row, for many
// IDs in one query.
func seenIDs(ctx context.Context, q querier, table, idColumn string, ids []string, rule scopeRule) (map[string]bool, []string, error) {
	var f filter
	f.addScope(ctx, rule)
	found, err := findAnyOf(ctx, q, "SELECT "+idColumn+"::text FROM "+table, &f, idColumn, ids, "", pgx.RowTo[string])
	if err != nil {
		return nil, nil, err
	}
	seen := make(map[string]bool, len(found))
	for _, id := range found {
		seen[id] = true
	}
	return seen, found, nil
}

// leading returns the query sel with columns selected before its own, for
// collectKeyed.
func leading(sel, columns string) string {
	return strings.Replace(sel, "SELECT", "SELECT "+columns+",", 1)
}

// groupBy returns the rows of each key, in the order of keys and, for
// each key, in the order of rows: an empty list for a key without rows,
// and nil for a key that seen (when not nil) leaves out.
func groupBy[T any](keys []string, rows []T, key func(T) string, seen map[string]bool) [][]T {
	k := make([]keyed[T], len(rows))
	for i, r := range rows {
		k[i] = keyed[T]{key: key(r), row: r}
	}
	return groupKeyed(keys, k, seen)
}

// groupKeyed is groupBy for rows that carry their key.
func groupKeyed[T any](keys []string, rows []keyed[T], seen map[string]bool) [][]T {
	byKey := make(map[string][]T, len(keys))
	for _, r := range rows {
		byKey[r.key] = append(byKey[r.key], r.row)
	}
	out := make([][]T, len(keys))
	for i, k := range keys {
		k = rowKey(k)
		if seen != nil && !seen[k] {
			continue
		}
		out[i] = byKey[k]
		if out[i] == nil {
			out[i] = []T{}
		}
	}
	return out
}

// prefixedRow is a row whose first columns are scanned into prefix before
// a scan function reads the rest, for queries that put a key in front of
// the columns a row type's scan function knows.
type prefixedRow struct {
	pgx.CollectableRow
	prefix []any
}

// Scan scans the prefix columns, then the rest into dest.
func (r prefixedRow) Scan(dest ...any) error {
	return r.CollectableRow.Scan(append(r.prefix[:len(r.prefix):len(r.prefix)], dest...)...)
}

// keyed is a row with the key of the list it belongs to.
type keyed[T any] struct {
	key string
	row T
}

// collectKeyed scans rows whose first column is the key of the list each
// belongs to, followed by skip more text columns, then the columns scan
// reads.
func collectKeyed[T any](rows pgx.Rows, skip int, scan pgx.RowToFunc[T]) ([]keyed[T], error) {
	defer rows.Close()
	var key string
	row := prefixedRow{CollectableRow: rows, prefix: []any{&key}}
	for range skip {
		row.prefix = append(row.prefix, new(string))
	}
	var out []keyed[T]
	for rows.Next() {
		v, err := scan(row)
		if err != nil {
			return nil, err
		}
		out = append(out, keyed[T]{key: key, row: v})
	}
	return out, rows.Err()
}

// findPagesOf is findPage for many parents in one query: for each of
// parents, in their order, the page of the rows of sel (which selects
// FROM its tables with no WHERE) that f's conditions and parentCond (in
// which "p.id" is the parent's ID) select, ordered by the unique text
// keyColumn. A malformed parent ID gets an empty page, as the single
// lookup answers.
func findPagesOf[T any](ctx context.Context, q querier, sel string, f *filter, parentCond string, parents []string,
	keyColumn string, page aftercare.PageRequest, scan pgx.RowToFunc[T], key func(T) string) ([]aftercare.Page[T], error) {
	limit, err := page.Limit()
	if err != nil {
		return nil, err
	}
	after, err := decodeCursor(page.After)
	if err != nil {
		return nil, err
	}
	out := make([]aftercare.Page[T], len(parents))
	valid := validIDs(parents)
	if len(valid) == 0 {
		return out, nil
	}
	ids := f.arg(valid)
	f.conds = append(f.conds, parentCond)
	if after != "" {
		f.add(keyColumn+" > ?", after)
	}
	// The page key leads the inner select so that the outer query orders
	// each parent's rows exactly as the inner one picked them.
	inner := leading(sel, keyColumn+" AS page_key")
	rows, err := q.Query(ctx, `
		SELECT p.id::text, t.* FROM unnest(`+ids+`::uuid[]) WITH ORDINALITY AS p(id, n)
		CROSS JOIN LATERAL (`+inner+f.where()+` ORDER BY `+keyColumn+` LIMIT `+f.arg(limit+1)+`) t
		ORDER BY p.n, t.page_key`, f.args...)
	if err != nil {
		return nil, err
	}
	found, err := collectKeyed(rows, 1, scan)
	if err != nil {
		return nil, err
	}
	byParent := make(map[string][]T, len(valid))
	for _, r := range found {
		byParent[r.key] = append(byParent[r.key], r.row)
	}
	for i, p := range parents {
		if items := byParent[rowKey(p)]; len(items) > 0 {
			out[i].Items, out[i].Info = pageOf(items, limit, key)
		}
	}
	return out, nil
}
