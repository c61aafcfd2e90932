package postgres

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
)

func TestKPISourceIsTheSmallestTableWithTheColumnsNeeded(t *testing.T) {
	for _, c := range []struct {
		scope *aftercare.Scope
		dim   aftercare.KPIDimension
		want  string
	}{
		{&aftercare.Scope{All: true}, aftercare.KPIByRegion, "kpi_by_provider"},
		{&aftercare.Scope{All: true}, aftercare.KPIByProvider, "kpi_by_provider"},
		{&aftercare.Scope{All: true}, aftercare.KPIByEngineer, "kpi_by_engineer"},
		{&aftercare.Scope{All: true}, aftercare.KPIByAccount, "kpi_by_account"},
		{&aftercare.Scope{Regions: []string{"east"}}, aftercare.KPIByAccount, "kpi_by_account"},
		{&aftercare.Scope{Regions: []string{"east"}}, aftercare.KPIByEngineer, "kpi_by_engineer"},
		{&aftercare.Scope{AccountIDs: []string{"a"}}, aftercare.KPIByRegion, "kpi_by_account"},
		{&aftercare.Scope{AccountIDs: []string{"a"}}, aftercare.KPIByEngineer, "kpi_monthly"},
		{&aftercare.Scope{EngineerID: "e"}, aftercare.KPIByProvider, "kpi_by_engineer"},
		{&aftercare.Scope{EngineerID: "e"}, aftercare.KPIByAccount, "kpi_monthly"},
		{&aftercare.Scope{AccountIDs: []string{"a"}, Regions: []string{"east"}}, aftercare.KPIByAccount, "kpi_by_account"},
	} {
		got := kpiSource(aftercare.NewContextWithScope(context.Background(), c.scope), c.dim)
		assert.Equal(t, c.want, got, "kpiSource(%+v, %s)", *c.scope, c.dim)
	}
}
