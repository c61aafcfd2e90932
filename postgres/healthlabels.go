package postgres

import (
	"context"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// FindHealthWarningOutcomes counts, per kind of component, how the
// warnings of assets in the caller's scope ended: the labels that judge
// the rules. A warning is confirmed when its incident installed a part (a
// consumption in the stock ledger), unconfirmed when its incident was
// resolved without one, dismissed when corporate IT said it was no failure.
func (s *HealthService) FindHealthWarningOutcomes(ctx context.Context) (_ []*aftercare.HealthWarningOutcome, err error) {
	defer wrap(&err, "HealthService.FindHealthWarningOutcomes")
	var q filter
	q.addScope(ctx, scopeWarnings)
	rows, err := s.db.pool.Query(ctx, `
		SELECT w.kind, count(*), count(*) FILTER (WHERE w.state = 'open'),
			count(*) FILTER (WHERE w.state = 'resolved' AND used.installed),
			count(*) FILTER (WHERE w.state = 'resolved' AND NOT used.installed),
			count(*) FILTER (WHERE w.state = 'dismissed')
		FROM health_warnings w
		CROSS JOIN LATERAL (SELECT EXISTS (SELECT 1 FROM stock_movements m
			WHERE m.incident_id = w.incident_id AND m.kind = 'consumption') AS installed) used`+q.where()+`
		GROUP BY w.kind ORDER BY w.kind`, q.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (*aftercare.HealthWarningOutcome, error) {
		var o aftercare.HealthWarningOutcome
		err := row.Scan(&o.Kind, &o.Raised, &o.Open, &o.Confirmed, &o.Unconfirmed, &o.Dismissed)
		return &o, err
	})
}
