// Package data holds the reference data Aftercare ships, embedded in the
// binary: the city list (cities.csv: real city centres with their IANA time
// zones) and holiday calendars (cn-holidays-2026.csv: mainland China's 2026
// public holidays and make-up working days). Each file has one parser, which
// the demo data, the benchmarks and the tests all read it through.
//
// It may import the standard library, the root package and package sla,
// whose ParseHolidaySet is the one holiday parser (the API's importHolidays
// reads administrators' files with it too).
package data
