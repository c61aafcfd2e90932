package workflows

import (
	"strconv"
	"time"

	"github.com/aftercare/aftercare"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ContractInput starts a contract's workflow, or continues it as new.
type ContractInput struct {
	ContractID string
	// State carries the contract across continue-as-new; nil on the first
	// run, which loads it.
	State *ContractState
	// ContinueAfter is the history length after which the workflow
	// continues as new; 0 means DefaultContinueAfter.
	ContinueAfter int
}

// ContractActionInput is a user's activate, renew or cancel.
type ContractActionInput struct {
	By        string
	ByRole    aftercare.Role
	RequestID string
	// Reason is why a contract is cancelled; required to cancel.
	Reason string
	// Years is a renewal's term; 0 keeps the current term's length.
	Years int
}

// ContractResult is a contract's status after an action, and a renewal's
// successor.
type ContractResult struct {
	Status      aftercare.ContractStatus
	SuccessorID string
}

// ClaimResult is a counted claim: the entitlement's claims in the contract
// year, its limit (0 for none), and when the count resets.
type ClaimResult struct {
	Kind        aftercare.EntitlementKind
	Used        int
	AnnualLimit int
	Year        int
	ResetsOn    time.Time
}

// contractRun is one run of a contract's workflow.
type contractRun struct {
	in ContractInput
	st *ContractState // nil until loaded
	// mu serialises changes that write to the database.
	mu workflow.Mutex
	// changed wakes the main loop after an update; rolled says a new
	// contract year began, after which the run continues as new.
	changed, rolled bool
	// searchable says the run keeps its workflow's search attributes up to
	// date: every run but those started before they existed.
	searchable bool
}

// ContractWorkflow runs one contract for its whole life: a draft becomes
// active when it is activated on or after its start date (or on the start
// date once activated); at 90 days before the end it becomes expiring and
// the account manager is reminded, again at 60 and 30 days, each reminder
// once; at the end it expires, unless it was renewed (its successor then
// takes over) or cancelled first. It holds each entitlement's claims per
// contract year and refuses a claim past the annual limit. Every change is
// mirrored to PostgreSQL through an idempotent activity, and its search
// attributes (number, account, state) follow it; the run continues as new
// at each new contract year and before its history grows long.
func ContractWorkflow(ctx workflow.Context, in ContractInput) error {
	r := &contractRun{in: in, mu: workflow.NewMutex(ctx)}
	r.searchable = workflow.GetVersion(ctx, ChangeSearchAttributes, workflow.DefaultVersion, VersionSearchAttributes) >= VersionSearchAttributes
	if err := r.register(ctx); err != nil {
		return err
	}
	if in.State != nil {
		r.st = in.State
	} else {
		var facts aftercare.ContractFacts
		if err := local(ctx, LoadContractActivityName, LoadContractInput{ContractID: in.ContractID}, &facts); err != nil {
			return err
		}
		if facts.Contract == nil {
			return temporal.NewNonRetryableApplicationError("contract not found", aftercare.ENOTFOUND, nil)
		}
		st := newContractState(facts, day(workflow.Now(ctx)))
		r.st = &st
	}
	return r.loop(ctx)
}

// register sets up the contract query and the updates.
func (r *contractRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryContract, func() (aftercare.ContractUsage, error) {
		if r.st == nil {
			return aftercare.ContractUsage{}, aftercare.Errorf(aftercare.ECONFLICT, "the contract's workflow is still starting")
		}
		return r.st.usage(day(workflow.Now(ctx))), nil
	}); err != nil {
		return err
	}
	for _, action := range []string{ActionActivateContract, ActionRenewContract, ActionCancelContract} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, action,
			func(ctx workflow.Context, in ContractActionInput) (ContractResult, error) {
				return r.act(ctx, action, in)
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in ContractActionInput) error {
				return updateError(r.checkAction(ctx, action, in))
			}}); err != nil {
			return err
		}
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateClaimEntitlement, r.claim, workflow.UpdateHandlerOptions{
		Validator: func(ctx workflow.Context, in aftercare.EntitlementClaim) error {
			if r.st == nil {
				return nil // checked again by the handler once loaded
			}
			_, err := r.st.checkClaim(in, day(workflow.Now(ctx)))
			return updateError(err)
		},
	})
}

// loop applies what falls due and sleeps on a durable timer until the next
// date that matters or an update, until the contract's work is done or the
// run should continue as new.
func (r *contractRun) loop(ctx workflow.Context) error {
	limit := r.in.ContinueAfter
	if limit <= 0 {
		limit = DefaultContinueAfter
	}
	for {
		if err := r.advance(ctx); err != nil {
			return err
		}
		if r.searchable {
			if err := upsertSearchAttributes(ctx, 0, contractKeywords(&r.st.Contract)); err != nil {
				return err
			}
		}
		allDone := func() bool { return workflow.AllHandlersFinished(ctx) }
		if r.st.Ended {
			return workflow.Await(ctx, allDone)
		}
		info := workflow.GetInfo(ctx)
		if r.rolled || info.GetCurrentHistoryLength() >= limit || info.GetContinueAsNewSuggested() {
			if err := workflow.Await(ctx, allDone); err != nil {
				return err
			}
			st := *r.st
			return workflow.NewContinueAsNewError(ctx, ContractWorkflowName,
				ContractInput{ContractID: r.in.ContractID, State: &st, ContinueAfter: r.in.ContinueAfter})
		}
		r.changed = false
		now := workflow.Now(ctx)
		wait := max(r.st.nextWake(day(now)).Sub(now), time.Millisecond)
		if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return r.changed }); err != nil {
			return err
		}
	}
}

// advance records every step that has fallen due and starts a new contract
// year when one began.
func (r *contractRun) advance(ctx workflow.Context) error {
	if err := r.mu.Lock(ctx); err != nil {
		return err
	}
	defer r.mu.Unlock()
	today := day(workflow.Now(ctx))
	for _, s := range r.st.due(today) {
		key := aftercare.ContractWorkflowID(r.st.Contract.ID) + ":" + s.Kind
		if s.Reminder != nil {
			key += ":" + s.Reminder.EndsOn.Format(time.DateOnly) + ":" + strconv.Itoa(s.Reminder.DaysBefore)
		}
		change := aftercare.ContractChange{ContractID: r.st.Contract.ID, Key: key, Kind: s.Kind, FromStatus: s.From,
			ToStatus: s.To, At: workflow.Now(ctx), Reminder: s.Reminder}
		if err := local(ctx, RecordContractChangeActivityName, change, nil); err != nil {
			return err
		}
	}
	if !r.st.Ended && r.st.rollYear(today) {
		r.rolled = true
	}
	return nil
}

// checkAction is the validator of the user actions.
func (r *contractRun) checkAction(ctx workflow.Context, action string, in ContractActionInput) error {
	switch {
	case action == ActionCancelContract && in.Reason == "":
		return aftercare.Errorf(aftercare.EINVALID, "a cancellation needs a reason")
	case in.Years < 0 || in.Years > aftercare.MaxContractYears:
		return aftercare.Errorf(aftercare.EINVALID, "a renewal runs 1 to %d years", aftercare.MaxContractYears)
	case r.st == nil:
		return nil // checked again by the handler once loaded
	}
	return r.st.checkAction(action, day(workflow.Now(ctx)))
}

// act is the handler of activate, renew and cancel: it applies the action,
// mirrors it with its audit event, and returns the status after it.
func (r *contractRun) act(ctx workflow.Context, action string, in ContractActionInput) (ContractResult, error) {
	if err := workflow.Await(ctx, func() bool { return r.st != nil }); err != nil {
		return ContractResult{}, err
	}
	if err := r.mu.Lock(ctx); err != nil {
		return ContractResult{}, err
	}
	defer r.mu.Unlock()
	if err := r.checkAction(ctx, action, in); err != nil {
		return ContractResult{}, updateError(err)
	}
	now := workflow.Now(ctx)
	k := &r.st.Contract
	from := k.Status
	change := aftercare.ContractChange{ContractID: k.ID, Key: aftercare.ContractWorkflowID(k.ID) + ":" + action,
		Kind: action, FromStatus: from, Reason: in.Reason, ActorID: in.By, At: now}
	switch action {
	case ActionActivateContract:
		r.st.Signed, change.Activated, change.Kind = true, true, "activation_scheduled"
		if !day(now).Before(k.StartsOn) {
			k.Status, change.Kind = aftercare.ContractActive, "activated"
		}
	case ActionRenewContract:
		k.Status, change.Kind = aftercare.ContractRenewed, "renewed"
		change.Renewal = &aftercare.ContractRenewal{ContractID: k.ID, Years: in.Years}
	case ActionCancelContract:
		k.Status, change.Kind, r.st.Ended = aftercare.ContractCancelled, "cancelled", true
	}
	change.ToStatus = k.Status
	if in.By != "" {
		change.Audit = &aftercare.ChangeAudit{Action: "contract." + action, ActorRole: string(in.ByRole), RequestID: in.RequestID,
			Before: map[string]any{"status": from}, After: map[string]any{"status": k.Status, "activated": r.st.Signed}}
	}
	var successor string
	if err := local(ctx, RecordContractChangeActivityName, change, &successor); err != nil {
		return ContractResult{}, err
	}
	if action == ActionRenewContract {
		r.st.SuccessorID = successor
	}
	r.changed = true
	return ContractResult{Status: k.Status, SuccessorID: r.st.SuccessorID}, nil
}

// claim is the handler of the claim update: it counts one claim of an
// entitlement for an incident, once, and mirrors it.
func (r *contractRun) claim(ctx workflow.Context, in aftercare.EntitlementClaim) (ClaimResult, error) {
	if err := workflow.Await(ctx, func() bool { return r.st != nil }); err != nil {
		return ClaimResult{}, err
	}
	if err := r.mu.Lock(ctx); err != nil {
		return ClaimResult{}, err
	}
	defer r.mu.Unlock()
	now := workflow.Now(ctx)
	today := day(now)
	counted, err := r.st.checkClaim(in, today)
	if err != nil {
		return ClaimResult{}, updateError(err)
	}
	if r.st.rollYear(today) {
		r.rolled, r.changed = true, true
	}
	k := r.st.Contract
	if !counted {
		r.st.Used[in.Kind]++
		r.st.Claims[claimKey(in)] = r.st.Year
		change := aftercare.ContractChange{ContractID: k.ID, Key: aftercare.ContractWorkflowID(k.ID) + ":claim:" + claimKey(in),
			Kind: "claim", FromStatus: k.Status, ToStatus: k.Status, At: now,
			Claim: &aftercare.ClaimCounted{EntitlementClaim: in, Year: r.st.Year, At: now}}
		if err := local(ctx, RecordContractChangeActivityName, change, nil); err != nil {
			return ClaimResult{}, err
		}
		r.changed = true // the history grew: the main loop checks whether to continue as new
	}
	res := ClaimResult{Kind: in.Kind, Used: r.st.Used[in.Kind], Year: r.st.Claims[claimKey(in)]}
	for _, e := range k.Entitlements {
		if e.Kind == in.Kind {
			res.AnnualLimit = e.AnnualLimit
		}
	}
	_, _, res.ResetsOn = aftercare.ContractYear(k.StartsOn, today)
	return res, nil
}
