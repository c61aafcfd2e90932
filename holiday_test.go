package aftercare_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
)

func TestSpecialDayValidate(t *testing.T) {
	tests := []struct {
		name string
		day  aftercare.SpecialDay
		want string
	}{
		{"holiday on a weekday",
			aftercare.SpecialDay{Date: aftercare.Date{Year: 2026, Month: time.October, Day: 1}, Kind: aftercare.DayHoliday, Name: "National Day"}, ""},
		{"holiday on a weekend",
			aftercare.SpecialDay{Date: aftercare.Date{Year: 2026, Month: time.October, Day: 4}, Kind: aftercare.DayHoliday, Name: "National Day"}, ""},
		{"make-up workday on a Saturday",
			aftercare.SpecialDay{Date: aftercare.Date{Year: 2026, Month: time.October, Day: 10}, Kind: aftercare.DayWorkday, Name: "Make-up"}, ""},
		{"impossible date",
			aftercare.SpecialDay{Date: aftercare.Date{Year: 2026, Month: time.February, Day: 29}, Kind: aftercare.DayHoliday, Name: "X"},
			"does not exist"},
		{"unknown kind",
			aftercare.SpecialDay{Date: aftercare.Date{Year: 2026, Month: time.May, Day: 1}, Kind: "vacation", Name: "X"},
			`kind "vacation" is neither holiday nor workday`},
		{"make-up workday on a weekday",
			aftercare.SpecialDay{Date: aftercare.Date{Year: 2026, Month: time.May, Day: 4}, Kind: aftercare.DayWorkday, Name: "X"},
			"make-up workday 2026-05-04 is a Monday, but a make-up workday must fall on a weekend"},
		{"no name",
			aftercare.SpecialDay{Date: aftercare.Date{Year: 2026, Month: time.May, Day: 1}, Kind: aftercare.DayHoliday, Name: " "},
			"the name is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.day.Validate()
			if tt.want == "" {
				assert.NoError(t, err, "%+v.Validate()", tt.day)
				return
			}
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "%+v.Validate() = %v, want EINVALID", tt.day, err)
			assert.Contains(t, aftercare.ErrorMessage(err), tt.want)
		})
	}
}
