package graph

// nonEmpty returns a pointer to v, or nil for the empty string, for a
// nullable field whose domain value is "" when absent.
func nonEmpty[T ~string](v T) *T {
	if v == "" {
		return nil
	}
	return &v
}
