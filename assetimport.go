package aftercare

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// AssetInput registers one device of an account by its serial number.
type AssetInput struct {
	SiteID       string
	SerialNumber string
	ProductLine  string
	Model        string
	ShippedOn    time.Time
	// WarrantyEndsOn is the last day of the base warranty, no earlier than
	// ShippedOn.
	WarrantyEndsOn time.Time
	// ContractID, when set, puts the new asset under that contract of the
	// account.
	ContractID string
}

// assetSerialPattern is what an asset's serial number may be once
// upper-cased, as the database checks it.
var assetSerialPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{3,39}$`)

// NormalizeSerial upper-cases a serial number and returns EINVALID naming
// field unless it is 4 to 40 letters, digits and '-', starting with a
// letter or digit.
func NormalizeSerial(field, serial string) (string, error) {
	serial = strings.ToUpper(strings.TrimSpace(serial))
	return serial, checkCode(field, serial, assetSerialPattern, "a serial number of 4 to 40 letters, digits and '-'")
}

// Normalize upper-cases the serial number, trims the model and returns
// EINVALID naming the first field at fault.
func (in *AssetInput) Normalize() error {
	var err error
	if in.SerialNumber, err = NormalizeSerial("serialNumber", in.SerialNumber); err != nil {
		return err
	}
	if err := CheckProductLineCode("productLine", in.ProductLine); err != nil {
		return err
	}
	if in.Model, err = CheckText("model", in.Model, 200); err != nil {
		return err
	}
	switch {
	case in.ShippedOn.IsZero():
		return InvalidField("shippedOn", "is missing")
	case in.WarrantyEndsOn.Before(in.ShippedOn):
		return InvalidField("warrantyEndsOn", "%s is before the asset shipped (%s)",
			in.WarrantyEndsOn.Format(time.DateOnly), in.ShippedOn.Format(time.DateOnly))
	}
	return nil
}

// AssetCSVHeader is the header line of an asset import file: each later line
// is one asset, its site named by the site's name (or ID) within the
// account.
const AssetCSVHeader = "serial_number,site,product_line,model,shipped_on,warranty_ends_on"

// MaxAssetImportRows is how many assets one import may register.
const MaxAssetImportRows = 10000

// AssetRow is one asset of an import file: the line it is on, the name of
// its site, and the asset (SiteID and ContractID are the importer's to
// fill).
type AssetRow struct {
	Line     int
	SiteName string
	Asset    AssetInput
}

// assetColumns are the fields of AssetCSVHeader as the API names them.
var assetColumns = [...]string{"serialNumber", "site", "productLine", "model", "shippedOn", "warrantyEndsOn"}

// ParseAssetCSV reads an asset import file: an optional byte order mark,
// lines starting with '#' as comments, the header AssetCSVHeader (any case)
// and one asset per line. It returns every row, or an EINVALID error whose
// Problems list each bad row by line and field — a malformed line, a
// serial number, product line or date that cannot be, a warranty that ends
// before shipping, a serial number that repeats an earlier line's — so that
// a file is taken whole or not at all.
func ParseAssetCSV(r io.Reader) ([]AssetRow, error) {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, InvalidField("csv", "the file is empty; its first line is the header %q", AssetCSVHeader)
	case err != nil:
		return nil, InvalidField("csv", "line 1: %s", csvMessage(err))
	case strings.ToLower(strings.Join(header, ",")) != AssetCSVHeader:
		line, _ := cr.FieldPos(0)
		return nil, InvalidField("csv", "line %d: the header is %q, want %q", line, strings.Join(header, ","), AssetCSVHeader)
	}
	var rows []AssetRow
	var problems []Problem
	seen := map[string]int{}
	line, _ := cr.FieldPos(0) // the header's, until a record is read
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if len(rows) == MaxAssetImportRows {
			return nil, InvalidField("csv", "more than %d assets; split the file", MaxAssetImportRows)
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				problems = append(problems, Problem{Line: line + 1, Field: "csv", Message: csvMessage(err)})
				break // a reader error, not a line's
			}
			line = max(pe.StartLine, line+1)
			problems = append(problems, Problem{Line: line, Field: "csv", Message: csvMessage(err)})
			continue
		}
		line, _ = cr.FieldPos(0)
		row, p := parseAssetRow(line, rec, seen)
		if p != nil {
			problems = append(problems, *p)
			continue
		}
		rows = append(rows, row)
	}
	return assetRowsOrProblems(rows, problems)
}

// assetRowsOrProblems returns the rows, or the error that lists the
// problems when there are any.
func assetRowsOrProblems(rows []AssetRow, problems []Problem) ([]AssetRow, error) {
	if len(problems) > 0 {
		return nil, ImportProblems("asset import", problems)
	}
	if len(rows) == 0 {
		return nil, InvalidField("csv", "the file has a header and no assets")
	}
	return rows, nil
}

// parseAssetRow reads one record of an import file, or says what is wrong
// with it.
func parseAssetRow(line int, rec []string, seen map[string]int) (AssetRow, *Problem) {
	if len(rec) != len(assetColumns) {
		return AssetRow{}, &Problem{Line: line, Field: "csv",
			Message: fmt.Sprintf("%d fields, want %d (%s)", len(rec), len(assetColumns), AssetCSVHeader)}
	}
	row := AssetRow{Line: line, Asset: AssetInput{SerialNumber: rec[0], ProductLine: strings.TrimSpace(rec[2]), Model: rec[3]}}
	var err error
	if row.SiteName, err = CheckText("site", rec[1], 200); err != nil {
		return row, problemOf(line, err)
	}
	for i, d := range []*time.Time{&row.Asset.ShippedOn, &row.Asset.WarrantyEndsOn} {
		s := strings.TrimSpace(rec[4+i])
		if *d, err = time.Parse(time.DateOnly, s); err != nil {
			return row, problemOf(line, InvalidField(assetColumns[4+i], "%q is not a date YYYY-MM-DD", s))
		}
	}
	if err := row.Asset.Normalize(); err != nil {
		return row, problemOf(line, err)
	}
	if first, dup := seen[row.Asset.SerialNumber]; dup {
		return row, &Problem{Line: line, Field: "serialNumber",
			Message: fmt.Sprintf("%s is on line %d already", row.Asset.SerialNumber, first)}
	}
	seen[row.Asset.SerialNumber] = line
	return row, nil
}

// problemOf turns a field's EINVALID error into a problem on a line.
func problemOf(line int, err error) *Problem {
	field := ErrorField(err)
	return &Problem{Line: line, Field: field, Message: strings.TrimPrefix(ErrorMessage(err), field+": ")}
}

// ImportProblems returns the EINVALID error of a file with problems: each
// listed in Problems, and the first few in the message, "<what>: line 3
// (serialNumber): …; line 7 (site): …".
func ImportProblems(what string, problems []Problem) *Error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d bad lines, nothing imported", what, len(problems))
	for i, p := range problems {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(problems)-i)
			break
		}
		fmt.Fprintf(&b, "; line %d (%s): %s", p.Line, p.Field, p.Message)
	}
	return &Error{Code: EINVALID, Field: "csv", Message: b.String(), Problems: problems}
}

// csvMessage says what is wrong in a CSV error, without its position.
func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return "the file cannot be read"
}
