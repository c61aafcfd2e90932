package sla

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/aftercare/aftercare"
)

// HolidaySet is a region's public holidays and make-up working days. The zero
// HolidaySet has no special days. A HolidaySet is immutable and safe to share.
type HolidaySet struct {
	days []aftercare.SpecialDay // sorted by date
	// Bit i of holiday (workday) is set if epoch day first+i is a holiday
	// (make-up workday): a lookup per day without hashing, which is most of
	// the cost of walking a year of days.
	first            int
	holiday, workday []uint64
}

// NewHolidaySet returns the set of the given days, or an EINVALID error if a
// day is malformed, a make-up workday is not on a weekend, or a date appears
// twice.
func NewHolidaySet(days []aftercare.SpecialDay) (HolidaySet, error) {
	for i, d := range days {
		if err := d.Validate(); err != nil {
			return HolidaySet{}, aftercare.Errorf(aftercare.EINVALID, "special day %d (%s): %s", i+1, d.Date, aftercare.ErrorMessage(err))
		}
	}
	return newHolidaySet(days, "holiday set", func(i int) string { return "special day " + strconv.Itoa(i+1) })
}

// newHolidaySet builds a set from validated days, naming a duplicate by its
// source and where in it the two days came from.
func newHolidaySet(days []aftercare.SpecialDay, source string, where func(int) string) (HolidaySet, error) {
	seen := make(map[int]int, len(days))
	for i, d := range days {
		n := epochDay(d.Date)
		if j, dup := seen[n]; dup {
			return HolidaySet{}, aftercare.Errorf(aftercare.EINVALID, "%s %s: date %s repeats %s",
				source, where(i), d.Date, where(j))
		}
		seen[n] = i
	}
	set := HolidaySet{days: slices.Clone(days)}
	slices.SortFunc(set.days, func(a, b aftercare.SpecialDay) int { return cmp.Compare(epochDay(a.Date), epochDay(b.Date)) })
	if len(set.days) == 0 {
		return set, nil
	}
	set.first = epochDay(set.days[0].Date)
	words := (epochDay(set.days[len(set.days)-1].Date)-set.first)/64 + 1
	set.holiday, set.workday = make([]uint64, words), make([]uint64, words)
	for _, d := range set.days {
		i := epochDay(d.Date) - set.first
		bits := set.holiday
		if d.Kind == aftercare.DayWorkday {
			bits = set.workday
		}
		bits[i/64] |= 1 << (i % 64)
	}
	return set, nil
}

// Days returns the special days of the set in date order.
func (h HolidaySet) Days() []aftercare.SpecialDay { return slices.Clone(h.days) }

// Kind returns the kind of special day d is, and false if d is an ordinary
// day.
func (h HolidaySet) Kind(d aftercare.Date) (aftercare.DayKind, bool) {
	k := h.kind(epochDay(d))
	return k, k != ""
}

// kind returns the kind of special day epoch day n is, or "".
func (h HolidaySet) kind(n int) aftercare.DayKind {
	i := n - h.first
	if i < 0 || i >= len(h.holiday)*64 {
		return ""
	}
	bit := uint64(1) << (i % 64)
	switch {
	case h.holiday[i/64]&bit != 0:
		return aftercare.DayHoliday
	case h.workday[i/64]&bit != 0:
		return aftercare.DayWorkday
	}
	return ""
}

// ParseHolidaySet reads a holiday set in the CSV format of
// data/cn-holidays-2026.csv: lines starting with '#' are comments, the
// first record is the header "date,kind,name", and each further record is a
// date (YYYY-MM-DD), a kind (holiday or workday) and a name. Any bad record
// is an EINVALID error naming its line.
func ParseHolidaySet(r io.Reader) (HolidaySet, error) {
	br := bufio.NewReader(r)
	if bom, _ := br.Peek(3); string(bom) == "\ufeff" {
		// A byte-order mark, as spreadsheets write.
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return HolidaySet{}, aftercare.Errorf(aftercare.EINVALID, `holiday CSV: no header; want "date,kind,name"`)
	}
	if err != nil {
		return HolidaySet{}, csvError(err)
	}
	line, _ := cr.FieldPos(0)
	if strings.Join(header, ",") != "date,kind,name" {
		return HolidaySet{}, aftercare.Errorf(aftercare.EINVALID,
			`holiday CSV line %d: header is %q, want "date,kind,name"`, line, strings.Join(header, ","))
	}
	var days []aftercare.SpecialDay
	var lines []int
	for {
		record, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return HolidaySet{}, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(record) != 3 {
			return HolidaySet{}, aftercare.Errorf(aftercare.EINVALID,
				"holiday CSV line %d: %d fields, want 3 (date,kind,name)", line, len(record))
		}
		date, err := aftercare.ParseDate(strings.TrimSpace(record[0]))
		if err != nil {
			return HolidaySet{}, aftercare.Errorf(aftercare.EINVALID, "holiday CSV line %d: %s", line, aftercare.ErrorMessage(err))
		}
		day := aftercare.SpecialDay{Date: date, Kind: aftercare.DayKind(strings.TrimSpace(record[1])), Name: strings.TrimSpace(record[2])}
		if err := day.Validate(); err != nil {
			return HolidaySet{}, aftercare.Errorf(aftercare.EINVALID, "holiday CSV line %d: %s", line, aftercare.ErrorMessage(err))
		}
		days = append(days, day)
		lines = append(lines, line)
	}
	return newHolidaySet(days, "holiday CSV", func(i int) string { return "line " + strconv.Itoa(lines[i]) })
}

// csvError turns a malformed-CSV error into an EINVALID error with its line;
// a failure of the reader itself is no fault of the input and stays as it is.
func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return aftercare.Errorf(aftercare.EINVALID, "holiday CSV line %d: %v", pe.Line, pe.Err)
	}
	return fmt.Errorf("read holiday CSV: %w", err)
}
