package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPublicURL(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"http://localhost:8080", "http://localhost:8080", true},
		{"https://service.example.com/aftercare/", "https://service.example.com/aftercare", true},
		{"service.example.com", "", false},
		{"ftp://service.example.com", "", false},
		{"https://service.example.com/?a=1", "", false},
		{"https://", "", false},
		{"", "", false},
	} {
		cfg := Config{PublicURL: tc.in}
		got, err := cfg.publicURL()
		assert.Equal(t, tc.ok, err == nil, "publicURL(%q) = %q, %v", tc.in, got, err)
		assert.Equal(t, tc.want, got, "publicURL(%q)", tc.in)
	}
}
