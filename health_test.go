package aftercare_test

import (
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
)

func TestHealthWarningOutcomePrecision(t *testing.T) {
	o := aftercare.HealthWarningOutcome{Raised: 9, Open: 2}
	_, ok := o.Precision()
	assert.False(t, ok, "nothing ended yet")
	o.Confirmed, o.Unconfirmed, o.Dismissed = 3, 1, 2
	p, ok := o.Precision()
	assert.True(t, ok)
	assert.InDelta(t, 0.5, p, 1e-12, "3 confirmed of 6 ended; the open ones do not count")
}
