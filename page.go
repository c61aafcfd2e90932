package aftercare

// DefaultPageSize and MaxPageSize bound how many rows one page of a list
// query returns.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// PageRequest asks for the page after an opaque cursor. A zero value asks for
// the first page of DefaultPageSize rows.
type PageRequest struct {
	First int
	After string
}

// Limit returns the page size asked for, or EINVALID when it is out of range.
func (p PageRequest) Limit() (int, error) {
	switch {
	case p.First == 0:
		return DefaultPageSize, nil
	case p.First < 0 || p.First > MaxPageSize:
		return 0, Errorf(EINVALID, "first must be between 1 and %d", MaxPageSize)
	}
	return p.First, nil
}

// PageInfo says where a page ended and whether more rows follow.
type PageInfo struct {
	EndCursor   string
	HasNextPage bool
	// Cursors holds the cursor of each row of the page, in order, so a
	// client can resume after any of them.
	Cursors []string
}

// Page is one page of a list: its rows, and where it ended as PageInfo
// says. The batch lookups that read a page of each of many parents' lists
// answer one Page per parent.
type Page[T any] struct {
	Items []T
	Info  PageInfo
}
