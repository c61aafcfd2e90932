// Package sla holds Aftercare's pure SLA maths: business calendars with
// public holidays and make-up working days, the budgets, deadlines, elapsed
// time and escalation instants the targets of an SLA policy give, and the
// SLA clock folded from its events. The nouns it computes with — policies
// and their targets, terms, escalation ladders, pause reasons, clock events
// and special days — are the root package's (aftercare.SLAPolicy and its
// kin), with the rules that belong to them.
//
// It imports only the standard library and the root package aftercare. It
// does no I/O (the holiday importer reads an io.Reader its caller opened),
// never reads the system clock, keeps no state between calls and starts no
// goroutines: callers pass now and every piece of data, so a Temporal
// workflow may call it and replay the calls deterministically.
//
// # Business time
//
// A Calendar says when a clock runs. Coverage 24x7 runs at every instant,
// public holidays included; on it a business hour is an hour and a business
// day is a calendar day of the site's time zone. Coverage 9x5 runs from 09:00
// to 18:00 local wall-clock time on business days: Monday to Friday, minus
// public holidays, plus make-up working days. Days are calendar days of the
// site's zone, so a business day keeps its 09:00–18:00 across a
// daylight-saving change whatever its UTC offset. Paused time never counts.
//
// # Targets and budgets
//
// A target grants a clock a budget of business time, fixed when the clock
// starts. A wall duration ("15m", "4h") and business hours ("4BH") grant
// their duration; a wall duration only makes sense on a 24x7 calendar, where
// it is wall-clock time, so policies refuse it on 9x5 cells.
//
// "N business days" ("3BD") ends at close of business on the Nth business day
// after the request day. The request day is the day of the request when that
// is a business day and the request comes no later than close of business;
// otherwise it is the next business day. Close of business is 18:00 on a 9x5
// calendar and midnight ending the day on a 24x7 one. This is how service
// contracts and customers read "within three business days": the day of the
// call does not count, the work is due by the end of the third working day
// after it, and anyone can check it on a wall calendar. Counting N×9
// business hours instead would make the deadline an odd time of day that
// moves with the minute of the call, and "next business day" would not be
// one business day. "Next business day" ("NBD") is one business day with a
// 16:00 cut-off instead of close of business: a request after 16:00 local (or on a
// day that is not a business day) counts from the next business day, and is
// due at close of business of the business day after that. A request at
// exactly the cut-off still counts that day.
//
// For day-based targets the budget is the business time from the request to
// that close of business, so every target is a business duration: the
// deadline is the earliest instant at which the clock has used its budget,
// and a pause of business length d moves it d of business time later. The
// p % instant, at which the escalation ladder fires, is the earliest instant
// at which p % of the budget is used; 100 % is the deadline.
package sla
