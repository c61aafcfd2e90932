package postgres

import (
	"context"
	"fmt"
	"regexp"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

var countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)

// FindHolidays returns a country's public holidays and make-up working
// days in date order.
func (s *SLAService) FindHolidays(ctx context.Context, country string) (_ []aftercare.Holiday, err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.FindHolidays(ctx, %q)", country))
	if !countryPattern.MatchString(country) {
		return nil, aftercare.Errorf(aftercare.EINVALID, "country %q: want an ISO 3166 alpha-2 code such as CN", country)
	}
	return findHolidays(ctx, s.db.pool, country)
}

// ImportHolidays replaces a country's special days in each year the days
// cover with the given ones, in one transaction, and audits the import.
// Each day must be valid (SpecialDay.Validate), and a date must not repeat
// (package sla's holiday parser checks a whole calendar). Clocks that start
// afterwards follow the new days; running clocks keep the calendar they
// started with.
func (s *SLAService) ImportHolidays(ctx context.Context, country string, days []aftercare.Holiday) (err error) {
	defer wrap(&err, fmt.Sprintf("SLAService.ImportHolidays(ctx, %q)", country))
	if !countryPattern.MatchString(country) {
		return aftercare.Errorf(aftercare.EINVALID, "country %q: want an ISO 3166 alpha-2 code such as CN", country)
	}
	years := map[int]bool{}
	for i, d := range days {
		if err := d.Validate(); err != nil {
			return aftercare.Errorf(aftercare.EINVALID, "holiday %d (%s): %s", i+1, d.Date, aftercare.ErrorMessage(err))
		}
		years[d.Date.Year] = true
	}
	return s.db.inTx(ctx, func(tx pgx.Tx) error {
		for y := range years {
			if _, err := tx.Exec(ctx, `DELETE FROM holidays WHERE country = $1 AND extract(year FROM date) = $2::int`, country, y); err != nil {
				return err
			}
		}
		for _, d := range days {
			if _, err := tx.Exec(ctx, `INSERT INTO holidays (country, date, kind, name) VALUES ($1, $2::date, $3, $4)`,
				country, d.Date.String(), d.Kind, d.Name); err != nil {
				return err
			}
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "holidays.import", "holidays", country, nil,
			map[string]any{"days": len(days)})
	})
}
