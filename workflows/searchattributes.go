package workflows

import (
	"context"
	"fmt"
	"strings"

	"github.com/aftercare/aftercare"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// The search attributes of Aftercare's workflows, by which operators find
// them in the Temporal Web UI and CLI ("all open P1 incidents of one
// account"). The namespace must have them registered (CheckSearchAttributes):
// `aftercare dev` and scripts/temporal.sh register them on the dev and test
// servers.
var (
	// IncidentNumberAttribute is an incident's number, the one people quote.
	IncidentNumberAttribute = temporal.NewSearchAttributeKeyInt64("AftercareIncidentNumber")
	// AccountAttribute is the ID of the account an incident or a contract
	// belongs to.
	AccountAttribute = temporal.NewSearchAttributeKeyKeyword("AftercareAccount")
	// TierAttribute is the tier an incident is served at.
	TierAttribute = temporal.NewSearchAttributeKeyKeyword("AftercareTier")
	// PriorityAttribute is an incident's priority, P1 to P4.
	PriorityAttribute = temporal.NewSearchAttributeKeyKeyword("AftercarePriority")
	// StatusAttribute is an incident's status.
	StatusAttribute = temporal.NewSearchAttributeKeyKeyword("AftercareStatus")
	// RegionAttribute is the service region of an incident's site.
	RegionAttribute = temporal.NewSearchAttributeKeyKeyword("AftercareRegion")
	// ContractNumberAttribute is a contract's number.
	ContractNumberAttribute = temporal.NewSearchAttributeKeyKeyword("AftercareContractNumber")
	// ContractStateAttribute is a contract's status.
	ContractStateAttribute = temporal.NewSearchAttributeKeyKeyword("AftercareContractState")
)

// SearchAttributes are every search attribute Aftercare's workflows set.
var SearchAttributes = []temporal.SearchAttributeKey{
	IncidentNumberAttribute, AccountAttribute, TierAttribute, PriorityAttribute, StatusAttribute, RegionAttribute,
	ContractNumberAttribute, ContractStateAttribute,
}

// SearchAttributeType returns the name the Temporal CLI gives a search
// attribute's type, such as "Keyword" for `--type Keyword`.
func SearchAttributeType(k temporal.SearchAttributeKey) string {
	switch t := k.GetValueType(); t {
	case enums.INDEXED_VALUE_TYPE_INT:
		return "Int"
	case enums.INDEXED_VALUE_TYPE_KEYWORD:
		return "Keyword"
	default:
		return t.String()
	}
}

// CheckSearchAttributes returns an error naming the search attributes the
// namespace lacks, or has with another type, and how to register them. A
// worker on such a namespace would fail every workflow task that sets them,
// and starts that set them would be refused.
func CheckSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	missing, err := missingSearchAttributes(ctx, c, namespace)
	if err != nil {
		return err
	}
	if len(missing) == 0 {
		return nil
	}
	var names, create []string
	byType := map[string][]string{}
	for _, k := range missing {
		names = append(names, k.GetName()+" ("+SearchAttributeType(k)+")")
		if byType[SearchAttributeType(k)] == nil {
			create = append(create, SearchAttributeType(k))
		}
		byType[SearchAttributeType(k)] = append(byType[SearchAttributeType(k)], "--name "+k.GetName())
	}
	for i, t := range create {
		create[i] = fmt.Sprintf("`temporal operator search-attribute create --namespace %s --type %s %s`",
			namespace, t, strings.Join(byType[t], " "))
	}
	return fmt.Errorf("the Temporal namespace %q lacks the search attributes %s that Aftercare's workflows set; "+
		"`aftercare dev` and scripts/temporal.sh register them on the dev servers they start, "+
		"`scripts/temporal.sh register <host:port>` on another; elsewhere run %s",
		namespace, strings.Join(names, ", "), strings.Join(create, " and "))
}

// RegisterSearchAttributes registers on the namespace the search
// attributes it lacks.
func RegisterSearchAttributes(ctx context.Context, c client.Client, namespace string) error {
	missing, err := missingSearchAttributes(ctx, c, namespace)
	if err != nil || len(missing) == 0 {
		return err
	}
	add := make(map[string]enums.IndexedValueType, len(missing))
	for _, k := range missing {
		add[k.GetName()] = k.GetValueType()
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: namespace, SearchAttributes: add,
	}); err != nil {
		return fmt.Errorf("register search attributes on namespace %q: %w", namespace, err)
	}
	return nil
}

// missingSearchAttributes returns the search attributes the namespace lacks
// or has with another type.
func missingSearchAttributes(ctx context.Context, c client.Client, namespace string) ([]temporal.SearchAttributeKey, error) {
	resp, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
	if err != nil {
		return nil, fmt.Errorf("list the search attributes of namespace %q: %w", namespace, err)
	}
	var missing []temporal.SearchAttributeKey
	for _, k := range SearchAttributes {
		if t, ok := resp.GetCustomAttributes()[k.GetName()]; !ok || t != k.GetValueType() {
			missing = append(missing, k)
		}
	}
	return missing, nil
}

// keywordValue is the value of a keyword search attribute; "" sets none.
type keywordValue struct {
	key   temporal.SearchAttributeKeyKeyword
	value string
}

// incidentKeywords returns the keyword search attributes of what is known
// of an incident and its region.
func incidentKeywords(inc *aftercare.Incident, region string) []keywordValue {
	return []keywordValue{
		{AccountAttribute, inc.AccountID}, {TierAttribute, string(inc.Tier)}, {PriorityAttribute, string(inc.Priority)},
		{StatusAttribute, string(inc.Status)}, {RegionAttribute, region},
	}
}

// contractKeywords returns the keyword search attributes of what is known
// of a contract.
func contractKeywords(k *aftercare.Contract) []keywordValue {
	return []keywordValue{
		{ContractNumberAttribute, k.Number}, {AccountAttribute, k.AccountID}, {ContractStateAttribute, string(k.Status)},
	}
}

// searchAttributeUpdates returns the updates that set the incident number
// (unless 0) and each keyword that has a value, leaving out those that
// have already holds at that value.
func searchAttributeUpdates(have temporal.SearchAttributes, number int64, keywords []keywordValue) []temporal.SearchAttributeUpdate {
	var set []temporal.SearchAttributeUpdate
	if v, ok := have.GetInt64(IncidentNumberAttribute); number != 0 && (!ok || v != number) {
		set = append(set, IncidentNumberAttribute.ValueSet(number))
	}
	for _, kv := range keywords {
		if v, ok := have.GetKeyword(kv.key); kv.value != "" && (!ok || v != kv.value) {
			set = append(set, kv.key.ValueSet(kv.value))
		}
	}
	return set
}

// startSearchAttributes returns the search attributes a workflow starts
// with.
func startSearchAttributes(number int64, keywords []keywordValue) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(searchAttributeUpdates(temporal.NewSearchAttributes(), number, keywords)...)
}

// upsertSearchAttributes sets, from the workflow, those search attributes
// whose values differ from what the workflow has.
func upsertSearchAttributes(ctx workflow.Context, number int64, keywords []keywordValue) error {
	set := searchAttributeUpdates(workflow.GetTypedSearchAttributes(ctx), number, keywords)
	if len(set) == 0 {
		return nil
	}
	return workflow.UpsertTypedSearchAttributes(ctx, set...)
}
