package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestOperationLabel(t *testing.T) {
	tests := []struct {
		name, query, want string
	}{
		{"one root field", `{ me { id } }`, "me"},
		{"a mutation, aliased", `mutation M { filed: createIncident(input: {serialNumber: "S", priority: P1,
			category: QUESTION, symptoms: "s", contact: {name: "n", email: "e@example.com"}, clientRequestId: "r"}) { id } }`,
			"createIncident"},
		{"the same field twice", `{ a: incident(id: "1") { id } b: incident(id: "2") { id } }`, "incident"},
		{"__typename beside it", `{ __typename me { id } }`, "me"},
		{"through fragments", `query { ... on Query { ...F } } fragment F on Query { me { id } }`, "me"},
		{"two root fields", `{ me { id } incidents(first: 1) { edges { cursor } } }`, OperationMultiple},
		{"two through a fragment", `query { me { id } ...F } fragment F on Query { incidents(first: 1) { edges { cursor } } }`,
			OperationMultiple},
		{"a fragment bomb", fragmentBomb(40), "me"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op := operation(t, tt.query, nil).Operation
			if got := operationLabel(op); got != tt.want {
				t.Errorf("operationLabel(%q) = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
	assert.Empty(t, operationLabel(nil), "no operation")
}

func TestResponseCode(t *testing.T) {
	coded := func(code any) *gqlerror.Error {
		return &gqlerror.Error{Message: "m", Extensions: map[string]any{"code": code}}
	}
	tests := []struct {
		name string
		resp *graphql.Response
		want string
	}{
		{"no errors", &graphql.Response{}, CodeOK},
		{"the first error's code", &graphql.Response{Errors: gqlerror.List{coded("ENOTFOUND"), coded("EINVALID")}}, "ENOTFOUND"},
		{"an error without a code", &graphql.Response{Errors: gqlerror.List{{Message: "m"}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := responseCode(tt.resp); got != tt.want {
				t.Errorf("responseCode(%s) = %q, want %q", tt.name, got, tt.want)
			}
		})
	}
}
