package aftercare_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
)

func TestParseSLATarget(t *testing.T) {
	tests := []struct {
		in   string
		want aftercare.SLATarget
		text string
	}{
		{"15m", aftercare.WallTarget(15 * time.Minute), "15m"},
		{"15min", aftercare.WallTarget(15 * time.Minute), "15m"},
		{"15 min", aftercare.WallTarget(15 * time.Minute), "15m"},
		{"90m", aftercare.WallTarget(90 * time.Minute), "1h30m"},
		{"4h", aftercare.WallTarget(4 * time.Hour), "4h"},
		{"4 h", aftercare.WallTarget(4 * time.Hour), "4h"},
		{"1h30m", aftercare.WallTarget(90 * time.Minute), "1h30m"},
		{"30s", aftercare.WallTarget(30 * time.Second), "30s"},
		{"1m30s", aftercare.WallTarget(90 * time.Second), "1m30s"},
		{"1h0m5s", aftercare.WallTarget(time.Hour + 5*time.Second), "1h5s"},
		{"24H", aftercare.WallTarget(24 * time.Hour), "24h"},
		{"4BH", aftercare.BusinessHoursTarget(4), "4BH"},
		{"4 BH", aftercare.BusinessHoursTarget(4), "4BH"},
		{"4bh", aftercare.BusinessHoursTarget(4), "4BH"},
		{"3BD", aftercare.BusinessDaysTarget(3), "3BD"},
		{" 10 bd ", aftercare.BusinessDaysTarget(10), "10BD"},
		{"NBD", aftercare.NextBusinessDayTarget(), "NBD"},
		{"nbd", aftercare.NextBusinessDayTarget(), "NBD"},
		{"—", aftercare.SLATarget{}, "—"},
		{"-", aftercare.SLATarget{}, "—"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := aftercare.ParseSLATarget(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "ParseSLATarget(%q) = %v, want %v", tt.in, got, tt.want)
			assert.Equal(t, tt.text, got.String(), "ParseSLATarget(%q).String() = %q, want %q", tt.in, got.String(), tt.text)
			again, err := aftercare.ParseSLATarget(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "ParseSLATarget(%q) does not read back %q", got.String(), tt.in)
		})
	}
}

func TestParseSLATargetInvalid(t *testing.T) {
	for _, in := range []string{
		"", "0m", "0h", "0BH", "0BD", "-1h", "4.5h", "4.5BH", "4hBH", "4", "h", "m", "BD", "2NBD", "NBD2",
		"4d", "0s", "30", "30sm", "1s30m", "30m1h", "4hh", "15mm", "15minm", "9999999BD", "400BD", "8785h", "9000BH",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := aftercare.ParseSLATarget(in)
			require.Error(t, err, "ParseSLATarget(%q) = %v, want an error", in, got)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "ParseSLATarget(%q) error %v", in, err)
			assert.Contains(t, aftercare.ErrorMessage(err), in, "the error of ParseSLATarget(%q) should quote it", in)
		})
	}
}

func TestSLATargetValidate(t *testing.T) {
	tests := []struct {
		name   string
		target aftercare.SLATarget
		ok     bool
	}{
		{"none", aftercare.SLATarget{}, true},
		{"one minute", aftercare.WallTarget(time.Minute), true},
		{"a year", aftercare.WallTarget(366 * 24 * time.Hour), true},
		{"seconds", aftercare.WallTarget(90 * time.Second), true},
		{"part of a second", aftercare.WallTarget(1500 * time.Millisecond), false},
		{"negative", aftercare.WallTarget(-time.Hour), false},
		{"zero business hours", aftercare.BusinessHoursTarget(0), false},
		{"zero business days", aftercare.BusinessDaysTarget(0), false},
		{"367 business days", aftercare.BusinessDaysTarget(367), false},
		{"NBD", aftercare.NextBusinessDayTarget(), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.target.Validate()
			if tt.ok {
				assert.NoError(t, err, "%v.Validate()", tt.target)
				return
			}
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "%v.Validate() = %v, want EINVALID", tt.target, err)
		})
	}
}

func TestSLATargetText(t *testing.T) {
	type cell struct {
		Target aftercare.SLATarget `json:"target"`
	}
	in := cell{Target: aftercare.BusinessDaysTarget(3)}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"target":"3BD"}`, string(b))
	var out cell
	require.NoError(t, json.Unmarshal([]byte(`{"target":"4 BH"}`), &out))
	assert.Equal(t, aftercare.BusinessHoursTarget(4), out.Target)
	err = json.Unmarshal([]byte(`{"target":"soon"}`), &out)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "unmarshal of a bad target: %v", err)
	_, err = json.Marshal(cell{Target: aftercare.BusinessDaysTarget(0)})
	assert.Error(t, err, "marshalling an invalid target should fail")
}
