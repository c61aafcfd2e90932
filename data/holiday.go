package data

import (
	"bytes"
	_ "embed"

	"github.com/aftercare/aftercare/sla"
)

//go:embed cn-holidays-2026.csv
var chinaHolidays2026CSV []byte

// ChinaHolidays2026 returns mainland China's public holidays and make-up
// working days of 2026, from the State Council's schedule of 2025-11-04,
// read by sla.ParseHolidaySet.
func ChinaHolidays2026() sla.HolidaySet {
	set, err := sla.ParseHolidaySet(bytes.NewReader(chinaHolidays2026CSV))
	if err != nil {
		panic(err) // cn-holidays-2026.csv is embedded and its test parses it
	}
	return set
}
