package graph

import (
	"context"

	"github.com/aftercare/aftercare"
)

// transition asks for a lifecycle action that takes nothing but a note.
func (r *mutationResolver) transition(ctx context.Context, id string, a aftercare.LifecycleAction, note *string) (*aftercare.Incident, error) {
	return r.LifecycleService.Transition(ctx, aftercare.LifecycleRequest{IncidentID: id, Action: a, Note: deref(note)})
}

// optionalStatus returns nil for the empty status of events that are no
// transition.
func optionalStatus(s aftercare.IncidentStatus) *aftercare.IncidentStatus {
	if s == "" {
		return nil
	}
	return &s
}
