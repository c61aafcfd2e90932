package sla_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/sla"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		want sla.Target
		text string
	}{
		{"15m", sla.Wall(15 * time.Minute), "15m"},
		{"15min", sla.Wall(15 * time.Minute), "15m"},
		{"15 min", sla.Wall(15 * time.Minute), "15m"},
		{"90m", sla.Wall(90 * time.Minute), "1h30m"},
		{"4h", sla.Wall(4 * time.Hour), "4h"},
		{"4 h", sla.Wall(4 * time.Hour), "4h"},
		{"1h30m", sla.Wall(90 * time.Minute), "1h30m"},
		{"30s", sla.Wall(30 * time.Second), "30s"},
		{"1m30s", sla.Wall(90 * time.Second), "1m30s"},
		{"1h0m5s", sla.Wall(time.Hour + 5*time.Second), "1h5s"},
		{"24H", sla.Wall(24 * time.Hour), "24h"},
		{"4BH", sla.BusinessHours(4), "4BH"},
		{"4 BH", sla.BusinessHours(4), "4BH"},
		{"4bh", sla.BusinessHours(4), "4BH"},
		{"3BD", sla.BusinessDays(3), "3BD"},
		{" 10 bd ", sla.BusinessDays(10), "10BD"},
		{"NBD", sla.NextBusinessDay(), "NBD"},
		{"nbd", sla.NextBusinessDay(), "NBD"},
		{"—", sla.Target{}, "—"},
		{"-", sla.Target{}, "—"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := sla.ParseTarget(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "ParseTarget(%q) = %v, want %v", tt.in, got, tt.want)
			assert.Equal(t, tt.text, got.String(), "ParseTarget(%q).String() = %q, want %q", tt.in, got.String(), tt.text)
			again, err := sla.ParseTarget(got.String())
			require.NoError(t, err)
			assert.Equal(t, got, again, "ParseTarget(%q) does not read back %q", got.String(), tt.in)
		})
	}
}

func TestParseTargetInvalid(t *testing.T) {
	for _, in := range []string{
		"", "0m", "0h", "0BH", "0BD", "-1h", "4.5h", "4.5BH", "4hBH", "4", "h", "m", "BD", "2NBD", "NBD2",
		"4d", "0s", "30", "30sm", "1s30m", "30m1h", "4hh", "15mm", "15minm", "9999999BD", "400BD", "8785h", "9000BH",
	} {
		t.Run(in, func(t *testing.T) {
			got, err := sla.ParseTarget(in)
			require.Error(t, err, "ParseTarget(%q) = %v, want an error", in, got)
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "ParseTarget(%q) error %v", in, err)
			assert.Contains(t, aftercare.ErrorMessage(err), in, "the error of ParseTarget(%q) should quote it", in)
		})
	}
}

func TestTargetValidate(t *testing.T) {
	tests := []struct {
		name   string
		target sla.Target
		ok     bool
	}{
		{"none", sla.Target{}, true},
		{"one minute", sla.Wall(time.Minute), true},
		{"a year", sla.Wall(366 * 24 * time.Hour), true},
		{"seconds", sla.Wall(90 * time.Second), true},
		{"part of a second", sla.Wall(1500 * time.Millisecond), false},
		{"negative", sla.Wall(-time.Hour), false},
		{"zero business hours", sla.BusinessHours(0), false},
		{"zero business days", sla.BusinessDays(0), false},
		{"367 business days", sla.BusinessDays(367), false},
		{"NBD", sla.NextBusinessDay(), true},
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

func TestTargetText(t *testing.T) {
	type cell struct {
		Target sla.Target `json:"target"`
	}
	in := cell{Target: sla.BusinessDays(3)}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"target":"3BD"}`, string(b))
	var out cell
	require.NoError(t, json.Unmarshal([]byte(`{"target":"4 BH"}`), &out))
	assert.Equal(t, sla.BusinessHours(4), out.Target)
	err = json.Unmarshal([]byte(`{"target":"soon"}`), &out)
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "unmarshal of a bad target: %v", err)
	_, err = json.Marshal(cell{Target: sla.BusinessDays(0)})
	assert.Error(t, err, "marshalling an invalid target should fail")
}
