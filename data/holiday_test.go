package data_test

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/data"
	"github.com/stretchr/testify/assert"
)

func TestChinaHolidays2026(t *testing.T) {
	set := data.ChinaHolidays2026()
	for _, tt := range []struct {
		date string
		kind aftercare.DayKind
	}{
		{"2026-01-01", aftercare.DayHoliday},
		{"2026-01-04", aftercare.DayWorkday},
		{"2026-02-17", aftercare.DayHoliday},
		{"2026-10-10", aftercare.DayWorkday},
	} {
		d, err := aftercare.ParseDate(tt.date)
		assert.NoError(t, err)
		kind, ok := set.Kind(d)
		assert.True(t, ok, "%s is a special day", tt.date)
		assert.Equal(t, tt.kind, kind, tt.date)
	}
	assert.Len(t, set.Days(), 39)
}
