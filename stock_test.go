package aftercare

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestStockInputsNameTheFieldThatIsWrong checks every stock input's
// validation: EINVALID, its message starting with the field at fault.
func TestStockInputsNameTheFieldThatIsWrong(t *testing.T) {
	point := func(n int) *int { return &n }
	long := strings.Repeat("x", MaxStockReasonLength+1)
	for _, tt := range []struct {
		name  string
		input interface{ Validate() error }
		field string // "" for valid
	}{
		{"a receipt", &StockReceipt{FRU: "01AB123", Quantity: 3, Reference: "DN-1"}, ""},
		{"a receipt of nothing", &StockReceipt{FRU: "01AB123"}, "quantity"},
		{"a receipt of too much", &StockReceipt{FRU: "01AB123", Quantity: MaxStockQuantity + 1}, "quantity"},
		{"a FRU in lower case", &StockReceipt{FRU: "01ab123", Quantity: 1}, "fru"},
		{"a FRU too short", &StockReceipt{FRU: "01A", Quantity: 1}, "fru"},
		{"a reference too long", &StockReceipt{FRU: "01AB123", Quantity: 1, Reference: long}, "reference"},
		{"a transfer", &StockTransfer{FRU: "01AB123", Quantity: 1}, ""},
		{"a negative transfer", &StockTransfer{FRU: "01AB123", Quantity: -1}, "quantity"},
		{"an adjustment", &StockAdjustment{Delta: -2, Reason: "cycle count"}, ""},
		{"an adjustment of nothing", &StockAdjustment{Reason: "cycle count"}, "delta"},
		{"an adjustment without a reason", &StockAdjustment{Delta: 1, Reason: "  "}, "reason"},
		{"a shipment", &VendorShipment{FRU: "01AB123", Quantity: 1, Reference: "RMA-1"}, ""},
		{"a shipment without its authorisation", &VendorShipment{FRU: "01AB123", Quantity: 1}, "reference"},
		{"a reorder point", &ReorderPointChange{FRU: "01AB123", Point: point(5)}, ""},
		{"a cleared reorder point", &ReorderPointChange{FRU: "01AB123"}, ""},
		{"a negative reorder point", &ReorderPointChange{FRU: "01AB123", Point: point(-1)}, "reorderPoint"},
		{"a receipt of a return", &PartReturnReceipt{Condition: ReturnDefective}, ""},
		{"a return in no known condition", &PartReturnReceipt{Condition: "scrap"}, "condition"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.input.Validate()
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, EINVALID, ErrorCode(err))
			assert.True(t, strings.HasPrefix(ErrorMessage(err), tt.field), "Validate() = %q, want it to name %s", ErrorMessage(err), tt.field)
		})
	}
}
