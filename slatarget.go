package aftercare

import (
	"strconv"
	"strings"
	"time"
)

// SLATargetKind says how an SLA target is measured.
type SLATargetKind string

// The kinds of target. The zero kind is a target that does not apply ("—").
const (
	// TargetNone is a clock that does not apply to the cell ("—").
	TargetNone SLATargetKind = ""
	// TargetWall is a wall-clock duration such as "15m" or "4h".
	TargetWall SLATargetKind = "wall"
	// TargetBusinessHours is a number of business hours such as "4BH".
	TargetBusinessHours SLATargetKind = "business_hours"
	// TargetBusinessDays is a number of business days such as "3BD".
	TargetBusinessDays SLATargetKind = "business_days"
	// TargetNextBusinessDay is "NBD": close of business on the next business
	// day, with the 16:00 cut-off.
	TargetNextBusinessDay SLATargetKind = "next_business_day"
)

// Limits on a target: nobody writes an SLA longer than a year, and capping
// targets keeps every budget far from overflowing a time.Duration.
const (
	maxTargetDuration = 366 * 24 * time.Hour
	maxTargetDays     = 366
)

// SLATarget is how long an SLA clock may run, as a policy cell states it
// (DESIGN.md §4): a wall duration, business hours, business days or next
// business day. The zero SLATarget does not apply ("—"). Targets are
// comparable with ==; package sla turns them into budgets and deadlines.
type SLATarget struct {
	kind     SLATargetKind
	duration time.Duration
	days     int
}

// WallTarget returns a wall-clock target of d, such as 15 minutes or 4 hours.
func WallTarget(d time.Duration) SLATarget { return SLATarget{kind: TargetWall, duration: d} }

// BusinessHoursTarget returns a target of n business hours.
func BusinessHoursTarget(n int) SLATarget {
	return SLATarget{kind: TargetBusinessHours, duration: time.Duration(n) * time.Hour}
}

// BusinessDaysTarget returns a target of n business days.
func BusinessDaysTarget(n int) SLATarget { return SLATarget{kind: TargetBusinessDays, days: n} }

// NextBusinessDayTarget returns the next-business-day target.
func NextBusinessDayTarget() SLATarget { return SLATarget{kind: TargetNextBusinessDay} }

// Kind returns how the target is measured.
func (t SLATarget) Kind() SLATargetKind { return t.kind }

// Duration returns the duration of a wall or business-hours target, and
// zero for any other.
func (t SLATarget) Duration() time.Duration { return t.duration }

// Days returns the number of business days of a business-days target, and
// zero for any other.
func (t SLATarget) Days() int { return t.days }

// Applies reports whether the target applies, that is, is not "—".
func (t SLATarget) Applies() bool { return t.kind != TargetNone }

// Validate returns an EINVALID error unless t is a well-formed target:
// wall durations of whole seconds between one second and a year (contracts
// write minutes and hours; seconds serve drills and end-to-end tests that
// must watch a clock breach), business hours of whole hours up to a year,
// and between 1 and 366 business days.
func (t SLATarget) Validate() error {
	switch t.kind {
	case TargetWall:
		if t.duration < time.Second || t.duration > maxTargetDuration || t.duration%time.Second != 0 {
			return Errorf(EINVALID,
				"a wall target must be whole seconds between 1s and %s, not %s", formatWall(maxTargetDuration), t.duration)
		}
	case TargetBusinessHours:
		if t.duration < time.Hour || t.duration > maxTargetDuration || t.duration%time.Hour != 0 {
			return Errorf(EINVALID,
				"a business-hours target must be whole hours between 1BH and %dBH, not %s",
				int(maxTargetDuration/time.Hour), t.duration)
		}
	case TargetBusinessDays:
		if t.days < 1 || t.days > maxTargetDays {
			return Errorf(EINVALID,
				"a business-days target must be between 1BD and %dBD, not %dBD", maxTargetDays, t.days)
		}
	}
	return nil
}

// String formats t the way ParseSLATarget reads it: "15m", "1h30m", "4h",
// "45s", "4BH", "3BD", "NBD", or "—" for a target that does not apply.
func (t SLATarget) String() string {
	switch t.kind {
	case TargetNone:
		return "—"
	case TargetWall:
		return formatWall(t.duration)
	case TargetBusinessHours:
		return strconv.FormatInt(int64(t.duration/time.Hour), 10) + "BH"
	case TargetBusinessDays:
		return strconv.Itoa(t.days) + "BD"
	}
	return "NBD"
}

// formatWall writes a wall duration in hours, minutes and seconds, leaving
// out a zero part: "4h", "15m", "1h30m", "45s".
func formatWall(d time.Duration) string {
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	var b strings.Builder
	if h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "h")
	}
	if m > 0 || (h == 0 && s == 0) {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "m")
	}
	if s > 0 {
		b.WriteString(strconv.FormatInt(int64(s), 10) + "s")
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler with String's format.
func (t SLATarget) MarshalText() ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return []byte(t.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseSLATarget.
func (t *SLATarget) UnmarshalText(text []byte) error {
	parsed, err := ParseSLATarget(string(text))
	if err != nil {
		return err
	}
	*t = parsed
	return nil
}

// ParseSLATarget reads a target as an admin writes it. It accepts "15m",
// "15min", "90m", "4h", "1h30m", "30s", "1m30s", "4BH", "3BD", "NBD" and "—" or "-" for a
// target that does not apply; letters may be in either case and spaces are
// ignored, so the spellings of DESIGN.md ("15 min", "4 BH") work too. Any
// other text, or a target outside Validate's limits, is an EINVALID error.
func ParseSLATarget(s string) (SLATarget, error) {
	text := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	var t SLATarget
	switch {
	case text == "—" || text == "-":
		return SLATarget{}, nil
	case text == "NBD":
		t = NextBusinessDayTarget()
	case strings.HasSuffix(text, "BD"):
		n, ok := parseCount(strings.TrimSuffix(text, "BD"))
		if !ok {
			return SLATarget{}, targetSyntaxError(s)
		}
		t = BusinessDaysTarget(n)
	case strings.HasSuffix(text, "BH"):
		n, ok := parseCount(strings.TrimSuffix(text, "BH"))
		if !ok {
			return SLATarget{}, targetSyntaxError(s)
		}
		t = BusinessHoursTarget(n)
	default:
		d, ok := parseWall(text)
		if !ok {
			return SLATarget{}, targetSyntaxError(s)
		}
		t = WallTarget(d)
	}
	if err := t.Validate(); err != nil {
		return SLATarget{}, Errorf(EINVALID, "target %q: %s", s, ErrorMessage(err))
	}
	return t, nil
}

// targetSyntaxError is the error for text that is no target at all.
func targetSyntaxError(s string) error {
	return Errorf(EINVALID,
		`target %q: want a duration ("15m", "4h", "1h30m"), business hours ("4BH"), business days ("3BD"), "NBD" or "—"`, s)
}

// parseCount reads a count of at most six decimal digits, which keeps any
// count far from overflowing before Validate rejects it.
func parseCount(s string) (int, bool) {
	if s == "" || len(s) > 6 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, true
}

// parseWall reads an upper-cased wall duration: hours ("4H"), minutes ("15M"
// or "15MIN"), seconds ("30S"), or several of them in that order ("1H30M",
// "1M30S").
func parseWall(s string) (time.Duration, bool) {
	var d time.Duration
	if i := strings.IndexByte(s, 'H'); i >= 0 {
		h, ok := parseCount(s[:i])
		if !ok {
			return 0, false
		}
		d, s = time.Duration(h)*time.Hour, s[i+1:]
		if s == "" {
			return d, true
		}
	}
	if i := strings.IndexByte(s, 'M'); i >= 0 {
		digits, rest := s[:i], s[i+1:]
		if r, ok := strings.CutPrefix(rest, "IN"); ok {
			rest = r
		}
		m, ok := parseCount(digits)
		if !ok {
			return 0, false
		}
		d, s = d+time.Duration(m)*time.Minute, rest
		if s == "" {
			return d, true
		}
	}
	sec, ok := parseCount(strings.TrimSuffix(s, "S"))
	if !ok || !strings.HasSuffix(s, "S") {
		return 0, false
	}
	return d + time.Duration(sec)*time.Second, true
}
