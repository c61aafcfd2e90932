package authz

import (
	"testing"

	"github.com/casbin/casbin/v2"
	"github.com/stretchr/testify/assert"
)

func TestDecisionKeyIsCasbins(t *testing.T) {
	for _, r := range [][4]string{
		{"user:am00001", "account:00001-1", "incident", "read"},
		{"user:admin", "*", "*", "*"},
		{"", "", "", ""},
	} {
		want, ok := casbin.GetCacheKey(r[0], r[1], r[2], r[3])
		assert.True(t, ok)
		assert.Equal(t, want, decisionKey(r[0], r[1], r[2], r[3]), "decisionKey(%q, %q, %q, %q)", r[0], r[1], r[2], r[3])
	}
}
