package graph

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

// money writes an amount in minor units (cents, fen) as GraphQL Money.
func money(minor int64, currency string) *model.Money {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return &model.Money{Amount: fmt.Sprintf("%s%d.%02d", sign, minor/100, minor%100), Currency: currency}
}

// surveyOutcome returns what became of an incident's survey.
func (r *Resolver) surveyOutcome(ctx context.Context, incidentID string) (*aftercare.SurveyOutcome, error) {
	return r.loaders(ctx).surveys.Load(ctx, incidentID)
}

// depot returns the depot with the given ID, nil for "".
func (r *Resolver) depot(ctx context.Context, id string) (*aftercare.Depot, error) {
	if id == "" {
		return nil, nil
	}
	return r.loaders(ctx).depots.Load(ctx, id)
}

// engineer returns the engineer with the given ID, nil for "".
func (r *Resolver) engineer(ctx context.Context, id string) (*aftercare.Engineer, error) {
	if id == "" {
		return nil, nil
	}
	return r.loaders(ctx).engineers.Load(ctx, id)
}

// The @authorize object and action of answering a survey: the one thing a
// survey link's holder, who has no account, may do.
const (
	SurveyObject       = "survey"
	SurveyAnswerAction = "answer"
)
