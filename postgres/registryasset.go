package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// RegisterAsset registers one asset at a site of an account the caller may
// change, and puts it under a contract of the account if the input names
// one.
func (r *AccountRegistry) RegisterAsset(ctx context.Context, in aftercare.AssetInput) (_ *aftercare.Asset, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.RegisterAsset(ctx, %q)", in.SerialNumber))
	if err := in.Normalize(); err != nil {
		return nil, err
	}
	var a *aftercare.Asset
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		site, err := lockScoped(ctx, tx, siteSelect, "s.id", "site", in.SiteID, scopeSiteWrites, scanSite)
		if err != nil {
			return err
		}
		if err := requireProductLine(ctx, tx, "productLine", in.ProductLine); err != nil {
			return err
		}
		taken, err := exists(ctx, tx, `SELECT EXISTS (SELECT 1 FROM assets WHERE serial_number = $1)`, in.SerialNumber)
		if err != nil {
			return err
		}
		if taken {
			return conflictField("serialNumber", "an asset %s is registered already", in.SerialNumber)
		}
		if in.ContractID != "" {
			if err := requireOpenContract(ctx, tx, "contractId", in.ContractID, site.AccountID); err != nil {
				return err
			}
		}
		ids, err := insertAssets(ctx, tx, site.AccountID, in.ContractID, []string{site.ID}, []aftercare.AssetInput{in})
		if err != nil {
			return err
		}
		if a, err = findOneBy(ctx, tx, assetSelect, "a.id", "asset", ids[0], nil, scanAsset); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "asset.register", "asset", a.ID, nil,
			map[string]any{"asset": a, "contract_id": in.ContractID})
	})
	return a, err
}

// insertAssets writes assets of an account, each at the site of the same
// position, puts them under the contract if one is named, and returns
// their IDs in order.
func insertAssets(ctx context.Context, tx pgx.Tx, accountID, contractID string, siteIDs []string, in []aftercare.AssetInput) ([]string, error) {
	n := len(in)
	ids, serials, lines, models := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	shipped, ends := make([]string, n), make([]string, n)
	for i, a := range in {
		ids[i], serials[i], lines[i], models[i] = newID(), a.SerialNumber, a.ProductLine, a.Model
		shipped[i], ends[i] = a.ShippedOn.Format("2006-01-02"), a.WarrantyEndsOn.Format("2006-01-02")
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO assets (id, account_id, site_id, serial_number, product_line, model, shipped_on, warranty_ends_on)
		SELECT a.id, $1, a.site, a.serial, a.line, a.model, a.shipped, a.ends
		FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::date[], $8::date[])
			AS a (id, site, serial, line, model, shipped, ends)`,
		accountID, ids, siteIDs, serials, lines, models, shipped, ends); err != nil {
		return nil, err
	}
	if contractID != "" {
		if _, err := tx.Exec(ctx, `INSERT INTO contract_assets (contract_id, asset_id) SELECT $1, unnest($2::uuid[])`,
			contractID, ids); err != nil {
			return nil, err
		}
	}
	return ids, nil
}

// requireOpenContract returns ENOTFOUND naming field unless the contract
// belongs to the account, and ECONFLICT if it has ended: assets go under a
// draft or a contract in force.
func requireOpenContract(ctx context.Context, tx pgx.Tx, field, contractID, accountID string) error {
	var status string
	err := tx.QueryRow(ctx, `SELECT status FROM contracts WHERE id::text = $1 AND account_id = $2 FOR UPDATE`,
		contractID, accountID).Scan(&status)
	if aftercare.ErrorCode(mapError(err)) == aftercare.ENOTFOUND {
		return &aftercare.Error{Code: aftercare.ENOTFOUND, Field: field,
			Message: fmt.Sprintf("%s: the account has no contract %q", field, contractID)}
	}
	if err != nil {
		return err
	}
	switch aftercare.ContractStatus(status) {
	case aftercare.ContractExpired, aftercare.ContractCancelled:
		return conflictField(field, "the contract is %s; assets go under a draft or a contract in force", status)
	}
	return nil
}

// ImportAssets registers every asset of an import file at the sites of an
// account the caller may change, or none: the file is parsed whole, then
// each row is checked against the database (its site by name, its product
// line, its serial number not registered yet), and any bad row fails the
// import with every bad row listed by line.
func (r *AccountRegistry) ImportAssets(ctx context.Context, in aftercare.AssetImport) (_ []*aftercare.Asset, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.ImportAssets(ctx, %q)", in.AccountID))
	rows, err := aftercare.ParseAssetCSV(strings.NewReader(in.CSV))
	if err != nil {
		return nil, err
	}
	var assets []*aftercare.Asset
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := lockScoped(ctx, tx, accountSelect, "a.id", "account", in.AccountID, scopeAccountWrites, scanAccount); err != nil {
			return err
		}
		if in.ContractID != "" {
			if err := requireOpenContract(ctx, tx, "contractId", in.ContractID, in.AccountID); err != nil {
				return err
			}
		}
		siteIDs, err := checkImportRows(ctx, tx, in.AccountID, rows)
		if err != nil {
			return err
		}
		inputs := make([]aftercare.AssetInput, len(rows))
		for i, row := range rows {
			inputs[i] = row.Asset
		}
		ids, err := insertAssets(ctx, tx, in.AccountID, in.ContractID, siteIDs, inputs)
		if err != nil {
			return err
		}
		if assets, err = findAssetsByID(ctx, tx, ids); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "asset.import", "account", in.AccountID, nil,
			map[string]any{"contract_id": in.ContractID, "assets": assets})
	})
	return assets, err
}

// checkImportRows resolves each row's site by name (or ID) within the
// account and checks its product line and serial number, and returns the
// site IDs, or EINVALID listing every bad row.
func checkImportRows(ctx context.Context, tx pgx.Tx, accountID string, rows []aftercare.AssetRow) ([]string, error) {
	sites := map[string]string{}
	lines := map[string]bool{}
	taken := map[string]bool{}
	serials := make([]string, len(rows))
	for i, row := range rows {
		serials[i] = row.Asset.SerialNumber
	}
	for _, q := range []struct {
		sql  string
		args []any
		into func(k, v string)
	}{
		{`SELECT name, id::text FROM sites WHERE account_id = $1`, []any{accountID}, func(k, v string) { sites[k], sites[v] = v, v }},
		{`SELECT code, '' FROM product_lines`, nil, func(k, _ string) { lines[k] = true }},
		{`SELECT serial_number, '' FROM assets WHERE serial_number = ANY($1)`, []any{serials}, func(k, _ string) { taken[k] = true }},
	} {
		var k, v string
		rs, err := tx.Query(ctx, q.sql, q.args...)
		if err != nil {
			return nil, err
		}
		if _, err := pgx.ForEachRow(rs, []any{&k, &v}, func() error { q.into(k, v); return nil }); err != nil {
			return nil, err
		}
	}
	ids := make([]string, len(rows))
	var problems []aftercare.Problem
	for i, row := range rows {
		a := row.Asset
		problem := func(field, format string, args ...any) {
			problems = append(problems, aftercare.Problem{Line: row.Line, Field: field, Message: fmt.Sprintf(format, args...)})
		}
		switch {
		case sites[row.SiteName] == "":
			problem("site", "the account has no site named %q", row.SiteName)
		case !lines[a.ProductLine]:
			problem("productLine", "%q is not a product line", a.ProductLine)
		case taken[a.SerialNumber]:
			problem("serialNumber", "an asset %s is registered already", a.SerialNumber)
		}
		ids[i] = sites[row.SiteName]
	}
	if len(problems) > 0 {
		return nil, aftercare.ImportProblems("asset import", problems)
	}
	return ids, nil
}

// findAssetsByID returns assets in the order of their IDs.
func findAssetsByID(ctx context.Context, q querier, ids []string) ([]*aftercare.Asset, error) {
	rows, err := q.Query(ctx, assetSelect+` JOIN unnest($1::uuid[]) WITH ORDINALITY AS o (id, n) ON o.id = a.id ORDER BY o.n`, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanAsset)
}

// AddContractAssets puts assets of the contract's account under a draft or
// in-force contract the caller may manage; assets it covers already stay
// covered. A serial number of no asset of the account is EINVALID naming
// its position.
func (r *AccountRegistry) AddContractAssets(ctx context.Context, contractID string, serials []string) (_ *aftercare.Contract, err error) {
	defer wrap(&err, fmt.Sprintf("AccountRegistry.AddContractAssets(ctx, %q)", contractID))
	if len(serials) == 0 {
		return nil, aftercare.InvalidField("serialNumbers", "name at least one asset")
	}
	for i := range serials {
		if serials[i], err = aftercare.NormalizeSerial(fmt.Sprintf("serialNumbers[%d]", i), serials[i]); err != nil {
			return nil, err
		}
	}
	var c *aftercare.Contract
	err = r.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockScoped(ctx, tx, contractSelect, "c.id", "contract", contractID, scopeContractWrites, scanContract)
		if err != nil {
			return err
		}
		if err := requireOpenContract(ctx, tx, "contractId", contractID, before.AccountID); err != nil {
			return err
		}
		ids := make([]string, len(serials))
		for i, serial := range serials {
			err := tx.QueryRow(ctx, `SELECT id::text FROM assets WHERE serial_number = $1 AND account_id = $2`,
				serial, before.AccountID).Scan(&ids[i])
			if aftercare.ErrorCode(mapError(err)) == aftercare.ENOTFOUND {
				return aftercare.InvalidField(fmt.Sprintf("serialNumbers[%d]", i), "the account has no asset %s", serial)
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO contract_assets (contract_id, asset_id) SELECT $1, unnest($2::uuid[])
			ON CONFLICT DO NOTHING`, contractID, ids); err != nil {
			return err
		}
		if c, err = findOneBy(ctx, tx, contractSelect, "c.id", "contract", contractID, nil, scanContract); err != nil {
			return err
		}
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "contract.add_assets", "contract", contractID, nil,
			map[string]any{"serial_numbers": serials})
	})
	return c, err
}
