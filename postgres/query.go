package postgres

import (
	"context"
	"errors"

	"encoding/base64"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/aftercare/aftercare"
)

// encodeCursor turns the sort key of a page's last row into an opaque cursor.
func encodeCursor(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key))
}

// decodeCursor returns the sort key inside a cursor, "" for no cursor, or
// EINVALID for one this package did not make.
func decodeCursor(cursor string) (string, error) {
	if cursor == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(b) == 0 || aftercare.TextProblem(string(b)) != "" {
		return "", aftercare.Errorf(aftercare.EINVALID, "after: cursor %q is not one this API made", cursor)
	}
	return string(b), nil
}

// pageOf trims a result fetched with one extra row to the page size and says
// whether more rows follow, with the cursor of the page's last row.
func pageOf[T any](rows []T, limit int, key func(T) string) ([]T, aftercare.PageInfo) {
	var info aftercare.PageInfo
	if len(rows) > limit {
		rows = rows[:limit]
		info.HasNextPage = true
	}
	for _, r := range rows {
		info.Cursors = append(info.Cursors, encodeCursor(key(r)))
	}
	if len(rows) > 0 {
		info.EndCursor = info.Cursors[len(rows)-1]
	}
	return rows, info
}

// validID reports whether id could name a row; an ID that cannot is simply
// not found.
// It is a UUID in its text form: 8-4-4-4-12 hexadecimal digits, of either
// case. Every ID of every batch lookup is checked, so it is read by hand.
func validID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// filter collects the conditions and arguments of a WHERE clause.
type filter struct {
	conds []string
	args  []any
}

// add appends a condition whose "?" stands for the next argument.
func (f *filter) add(cond string, arg any) {
	f.args = append(f.args, arg)
	f.conds = append(f.conds, replacePlaceholder(cond, len(f.args)))
}

// arg appends an argument and returns its placeholder, for use in clauses
// other than the conditions, such as LIMIT.
func (f *filter) arg(v any) string {
	f.args = append(f.args, v)
	return placeholder(len(f.args))
}

// where returns the WHERE clause, or "" when there are no conditions.
func (f *filter) where() string {
	if len(f.conds) == 0 {
		return ""
	}
	s := " WHERE "
	for i, c := range f.conds {
		if i > 0 {
			s += " AND "
		}
		s += c
	}
	return s
}

func placeholder(n int) string { return "$" + strconv.Itoa(n) }

func replacePlaceholder(cond string, n int) string {
	return strings.Replace(cond, "?", placeholder(n), 1)
}

// findOne runs sel for the one row whose keyColumn equals an ID, within the
// caller's scope under rule (nil for nouns every permitted caller sees), and
// answers ENOTFOUND, naming the noun, when the ID is malformed, matches
// nothing, or matches a row outside the scope.
func findOne[T any](ctx context.Context, q querier, sel, keyColumn, noun, id string, rule *scopeRule, scan pgx.RowToFunc[T]) (T, error) {
	var zero T
	if !validID(id) {
		return zero, aftercare.Errorf(aftercare.ENOTFOUND, "%s %q not found", noun, id)
	}
	return findOneBy(ctx, q, sel, keyColumn, noun, id, rule, scan)
}

// findOneBy is findOne for a key that is not an ID.
func findOneBy[T any](ctx context.Context, q querier, sel, keyColumn, noun, key string, rule *scopeRule, scan pgx.RowToFunc[T]) (T, error) {
	var zero T
	var f filter
	f.add(keyColumn+" = ?", key)
	if rule != nil {
		f.addScope(ctx, *rule)
	}
	rows, err := q.Query(ctx, sel+f.where(), f.args...)
	if err != nil {
		return zero, err
	}
	v, err := pgx.CollectExactlyOneRow(rows, scan)
	if errors.Is(err, pgx.ErrNoRows) {
		return zero, aftercare.Errorf(aftercare.ENOTFOUND, "%s %q not found", noun, key)
	}
	return v, err
}

// findPage returns one page of rows ordered by a unique text column, after
// the page's cursor. The query in sel selects FROM its tables with no WHERE;
// f holds the conditions.
func findPage[T any](ctx context.Context, q querier, sel string, f *filter, keyColumn string, page aftercare.PageRequest,
	scan pgx.RowToFunc[T], key func(T) string) ([]T, aftercare.PageInfo, error) {
	limit, err := page.Limit()
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	after, err := decodeCursor(page.After)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	if after != "" {
		f.add(keyColumn+" > ?", after)
	}
	rows, err := q.Query(ctx, sel+f.where()+" ORDER BY "+keyColumn+" LIMIT "+f.arg(limit+1), f.args...)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	items, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return nil, aftercare.PageInfo{}, err
	}
	items, info := pageOf(items, limit, key)
	return items, info, nil
}

// addID adds an equality condition on an ID column, or reports false when
// the ID is malformed and so can match nothing.
func (f *filter) addID(column, id string) bool {
	if id == "" {
		return true
	}
	if !validID(id) {
		return false
	}
	f.add(column+" = ?", id)
	return true
}
