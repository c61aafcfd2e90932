package dispatch

// Depot is a warehouse engineers can stop at to pick up the parts their van
// lacks.
type Depot struct {
	ID       string
	Lat, Lng float64
	// Stock maps part IDs to the units no job has reserved.
	Stock map[string]int
}

// validate checks the depot's fields.
func (d *Depot) validate() error {
	if d.ID == "" {
		return invalidf("depot has no ID")
	}
	if !validLatLng(d.Lat, d.Lng) {
		return invalidf("depot %s: location %v, %v is not on the globe", d.ID, d.Lat, d.Lng)
	}
	if part, bad := firstBad(d.Stock, badStock); bad {
		return invalidf("depot %s: holds %d of part %q", d.ID, d.Stock[part], part)
	}
	return nil
}
