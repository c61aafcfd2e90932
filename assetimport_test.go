package aftercare_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseAssetCSV(t *testing.T) {
	rows, err := aftercare.ParseAssetCSV(strings.NewReader("\ufeff# from the CMDB\n" +
		"Serial_Number,Site,Product_Line,Model,Shipped_On,Warranty_Ends_On\n" +
		"j30abc12,HQ,thinksystem_sr,ThinkSystem SR650 V3,2025-01-10,2028-01-09\n" +
		"\"PF4XYZ01\",\"Branch, Pudong\",thinkpad_t,ThinkPad T14 Gen 5,2025-02-01,2025-02-01\n"))
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, aftercare.AssetRow{Line: 3, SiteName: "HQ", Asset: aftercare.AssetInput{SerialNumber: "J30ABC12",
		ProductLine: "thinksystem_sr", Model: "ThinkSystem SR650 V3", ShippedOn: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC),
		WarrantyEndsOn: time.Date(2028, 1, 9, 0, 0, 0, 0, time.UTC)}}, rows[0])
	assert.Equal(t, "Branch, Pudong", rows[1].SiteName)
	assert.Equal(t, 4, rows[1].Line)
}

func TestParseAssetCSVReportsEveryBadRow(t *testing.T) {
	csv := aftercare.AssetCSVHeader + "\n" +
		"GOOD0001,HQ,thinksystem_sr,SR650,2025-01-10,2028-01-09\n" + // line 2
		"x,HQ,thinksystem_sr,SR650,2025-01-10,2028-01-09\n" + // 3: serial too short
		"GOOD0002,HQ,thinksystem_sr,SR650,2025-13-10,2028-01-09\n" + // 4: no such month
		"GOOD0003,HQ,thinksystem_sr,SR650,2025-01-10,2024-01-09\n" + // 5: warranty before shipping
		"good0001,HQ,thinksystem_sr,SR650,2025-01-10,2028-01-09\n" + // 6: repeats line 2
		"GOOD0004,HQ,thinksystem_sr,SR650\n" + // 7: fields missing
		"GOOD0005,,thinksystem_sr,SR650,2025-01-10,2028-01-09\n" + // 8: no site
		"GOOD0006,HQ,ThinkSystem SR,SR650,2025-01-10,2028-01-09\n" // 9: product line name
	_, err := aftercare.ParseAssetCSV(strings.NewReader(csv))
	require.Error(t, err)
	var e *aftercare.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, aftercare.EINVALID, e.Code)
	assert.Equal(t, "csv", e.Field)
	var got []string
	for _, p := range e.Problems {
		got = append(got, fmt.Sprintf("%d %s", p.Line, p.Field))
	}
	assert.Equal(t, []string{"3 serialNumber", "4 shippedOn", "5 warrantyEndsOn", "6 serialNumber", "7 csv", "8 site",
		"9 productLine"}, got)
	assert.Contains(t, e.Problems[3].Message, "line 2", "a repeat names the line it repeats")
	assert.Contains(t, e.Message, "7 bad lines, nothing imported")
}

func TestParseAssetCSVRefusesFiles(t *testing.T) {
	for name, csv := range map[string]string{
		"empty":          "",
		"wrong header":   "serial,site\nA,B\n",
		"header only":    aftercare.AssetCSVHeader + "\n",
		"bare quote":     aftercare.AssetCSVHeader + "\nGOOD0001,H\"Q,thinksystem_sr,SR650,2025-01-10,2028-01-09\n",
		"not UTF-8":      aftercare.AssetCSVHeader + "\nGOOD0001,\xff,thinksystem_sr,SR650,2025-01-10,2028-01-09\n",
		"too many":       aftercare.AssetCSVHeader + "\n" + strings.Repeat("GOOD0001,HQ,x,y,2025-01-10,2028-01-09\n", aftercare.MaxAssetImportRows+1),
		"comment header": "# nothing else\n",
	} {
		_, err := aftercare.ParseAssetCSV(strings.NewReader(csv))
		assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), name)
		assert.Equal(t, "csv", aftercare.ErrorField(err), name)
	}
}
