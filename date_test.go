package aftercare_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
)

func TestDate(t *testing.T) {
	tests := []struct {
		in      string
		weekday time.Weekday
	}{
		{"1970-01-01", time.Thursday},
		{"1969-12-31", time.Wednesday},
		{"2000-02-29", time.Tuesday},
		{"2026-02-14", time.Saturday},
		{"2026-09-20", time.Sunday},
		{"2100-03-01", time.Monday},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := aftercare.ParseDate(tt.in)
			require.NoError(t, err)
			assert.True(t, d.Valid(), "ParseDate(%q).Valid() = false", tt.in)
			assert.Equal(t, tt.in, d.String())
			assert.Equal(t, tt.weekday, d.Weekday(), "ParseDate(%q).Weekday() = %v, want %v", tt.in, d.Weekday(), tt.weekday)
		})
	}
	for _, bad := range []string{"2026-13-01", "2026-02-29", "26-01-01", ""} {
		_, err := aftercare.ParseDate(bad)
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "ParseDate(%q) error = %v, want EINVALID", bad, err)
	}
	assert.False(t, aftercare.Date{Year: 2026, Month: 4, Day: 31}.Valid(), "2026-04-31 is not a date")
}
