package aftercare_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
)

func TestPermissionValidate(t *testing.T) {
	const malformed = "a permission needs an object and an action without spaces or commas"
	tests := []struct {
		name string
		p    aftercare.Permission
		want string
	}{
		{"valid", aftercare.Permission{Role: aftercare.RoleDispatcher, Object: "incident", Action: "dispatch"}, ""},
		{"wildcards", aftercare.Permission{Role: aftercare.RoleAdmin, Object: "*", Action: "*"}, ""},
		{"unknown role", aftercare.Permission{Role: "janitor", Object: "incident", Action: "read"}, `role "janitor" is not known`},
		{"no object", aftercare.Permission{Role: aftercare.RoleAdmin, Action: "read"}, malformed},
		{"no action", aftercare.Permission{Role: aftercare.RoleAdmin, Object: "incident"}, malformed},
		{"space", aftercare.Permission{Role: aftercare.RoleAdmin, Object: "incident event", Action: "read"}, malformed},
		{"comma", aftercare.Permission{Role: aftercare.RoleAdmin, Object: "incident", Action: "read,write"}, malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if tt.want == "" {
				assert.NoError(t, err, "%+v.Validate()", tt.p)
				return
			}
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "%+v.Validate() = %v, want EINVALID", tt.p, err)
			got := aftercare.ErrorMessage(err)
			assert.Equal(t, tt.want, got, "%+v.Validate() = %q, want %q", tt.p, got, tt.want)
		})
	}
}
