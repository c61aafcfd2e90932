package workflows

// DefaultTaskQueue is the task queue Aftercare's workers poll unless
// configured otherwise (tests give each run its own).
const DefaultTaskQueue = "aftercare"

// Workflow and activity type names, registered under these names so that
// renaming a Go function never breaks running workflows.
const (
	IncidentWorkflowName             = "IncidentWorkflow"
	MarkWorkflowStartedActivityName  = "MarkWorkflowStarted"
	LoadSLAInputsActivityName        = "LoadSLAInputs"
	RecordIncidentChangeActivityName = "RecordIncidentChange"
	RecordEscalationActivityName     = "RecordEscalation"
	DispatchIncidentActivityName     = "DispatchIncident"
	CreateSurveyActivityName         = "CreateSurvey"
	ExpireQuoteActivityName          = "ExpireQuote"
)

// Update and query names of the incident workflow.
const (
	// UpdateTransition applies one lifecycle action (TransitionInput) and
	// returns a TransitionResult; its validator rejects actions the
	// incident's status does not allow.
	UpdateTransition = "transition"
	// QuerySLA returns the incident's live SLA as an SLAStatus.
	QuerySLA = "sla"
)

// Names of the contract workflow (ID aftercare.ContractWorkflowID), its
// activities, its claim update and its query. Its other updates are named
// after the actions: ActionActivateContract, ActionRenewContract and
// ActionCancelContract.
const (
	ContractWorkflowName             = "ContractWorkflow"
	LoadContractActivityName         = "LoadContract"
	RecordContractChangeActivityName = "RecordContractChange"
	// UpdateClaimEntitlement counts one claim (an aftercare.EntitlementClaim)
	// once per incident and returns a ClaimResult; its validator refuses a
	// claim past the entitlement's annual limit, saying so and when the
	// count resets.
	UpdateClaimEntitlement = "claim"
	// QueryContract returns the contract's live aftercare.ContractUsage.
	QueryContract = "contract"
)

// The actions users take on a contract, each an update of its workflow
// taking a ContractActionInput and returning a ContractResult.
const (
	ActionActivateContract = "activate"
	ActionRenewContract    = "renew"
	ActionCancelContract   = "cancel"
)

// Change IDs of workflow.GetVersion gates: a run started before a change
// replays on the branch it took, and every run started since takes the new
// one.
const (
	// ChangeSearchAttributes gates, by version, how the incident and
	// contract workflows run: from VersionSearchAttributes they set search
	// attributes (runs started before carry none); from
	// VersionLocalDispatch the incident's dispatch runs as a local
	// activity.
	ChangeSearchAttributes = "search-attributes"
)

// Versions of ChangeSearchAttributes.
const (
	VersionSearchAttributes = 1
	// VersionLocalDispatch runs the incident's dispatch in the workflow task
	// that asks for it: no activity task and no second workflow task,
	// which takes the Temporal server's work of an incident's start from
	// two workflow tasks and an activity to one workflow task.
	VersionLocalDispatch = 2
)
