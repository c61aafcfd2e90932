package postgres

import (
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
)

// uuidText is the text form of a UUID, the reference validID is read
// against.
var uuidText = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func TestValidIDIsTheTextOfAUUID(t *testing.T) {
	for _, id := range []string{
		"", "0", "a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1e", "A2F4C6E8-1B3D-4F5A-9C7E-0D2B4F6A8C1E",
		"a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1", "a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1e0", "a2f4c6e8x1b3d-4f5a-9c7e-0d2b4f6a8c1e",
		"g2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1e", "a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1g", "a2f4c6e81-b3d-4f5a-9c7e-0d2b4f6a8c1e",
		"a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1é", "a2f4c6e8-1b3d-4f5a-9c7e 0d2b4f6a8c1e", "------------------------------------",
		"a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1\n", "'; DROP TABLE incidents; --1b3d-4f5a",
	} {
		assert.Equal(t, uuidText.MatchString(id), validID(id), "%q", id)
	}
}

func FuzzValidIDIsTheTextOfAUUID(f *testing.F) {
	f.Add("a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1e")
	f.Add("a2f4c6e8-1b3d-4f5a-9c7e-0d2b4f6a8c1é")
	f.Fuzz(func(t *testing.T, id string) {
		if uuidText.MatchString(id) != validID(id) {
			t.Errorf("validID(%q) = %v", id, validID(id))
		}
	})
}
