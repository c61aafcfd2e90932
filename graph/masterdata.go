package graph

import (
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/aftercare/aftercare/graph/model"
)

// The master data inputs as the registries take them. Text that cannot be
// read as what a field holds (a time of day, an amount) is EINVALID naming
// the field; everything else the root rules check.

// shiftsFrom reads shift windows, naming a bad time by its position.
func shiftsFrom(in []*model.ShiftWindowInput) ([]aftercare.ShiftWindow, error) {
	out := make([]aftercare.ShiftWindow, len(in))
	for i, w := range in {
		field := fmt.Sprintf("shifts[%d]", i)
		start, err := aftercare.ParseTimeOfDay(field+".start", w.Start)
		if err != nil {
			return nil, err
		}
		end, err := aftercare.ParseTimeOfDay(field+".end", w.End)
		if err != nil {
			return nil, err
		}
		day := slices.Index(model.AllWeekday, w.Day)
		if day < 0 {
			return nil, aftercare.InvalidField(field+".day", "%q is not a day of the week", w.Day)
		}
		out[i] = aftercare.ShiftWindow{Day: time.Weekday(day), Start: start, End: end}
	}
	return out, nil
}

// skillsFrom reads skills.
func skillsFrom(in []*model.SkillInput) []aftercare.Skill {
	out := make([]aftercare.Skill, len(in))
	for i, s := range in {
		out[i] = aftercare.Skill{ProductLine: s.ProductLine, Level: s.Level, ExpiresOn: s.ExpiresOn}
	}
	return out
}

// pricesFrom reads a part's price list entries, naming a bad amount by its
// position.
func pricesFrom(in []*model.PartPriceInput) ([]aftercare.PartPrice, error) {
	out := make([]aftercare.PartPrice, len(in))
	for i, p := range in {
		amount, err := aftercare.ParseAmount(fmt.Sprintf("prices[%d].amount", i), p.Amount)
		if err != nil {
			return nil, err
		}
		out[i] = aftercare.PartPrice{Tier: p.Tier, Region: p.Region, UnitPrice: amount}
	}
	return out, nil
}

// engineerInput reads a createEngineer input.
func engineerInput(in model.CreateEngineerInput) (aftercare.EngineerInput, error) {
	shifts, err := shiftsFrom(in.Shifts)
	if err != nil {
		return aftercare.EngineerInput{}, err
	}
	return aftercare.EngineerInput{Code: in.Code, Name: in.Name, HomeDepotID: in.HomeDepotID, Region: deref(in.Region),
		TierClearance: in.TierClearance, Capacity: in.Capacity, TimeZone: deref(in.TimeZone), Shifts: shifts,
		Skills: skillsFrom(in.Skills), ProviderID: deref(in.ProviderID), UserID: deref(in.UserID)}, nil
}

// engineerUpdate reads an updateEngineer input.
func engineerUpdate(in model.UpdateEngineerInput) (aftercare.EngineerUpdate, error) {
	u := aftercare.EngineerUpdate{Name: in.Name, HomeDepotID: in.HomeDepotID, Region: in.Region,
		TierClearance: in.TierClearance, Capacity: in.Capacity, TimeZone: in.TimeZone, ProviderID: in.ProviderID, UserID: in.UserID}
	if in.Shifts != nil {
		shifts, err := shiftsFrom(in.Shifts)
		if err != nil {
			return u, err
		}
		u.Shifts = &shifts
	}
	if in.Skills != nil {
		skills := skillsFrom(in.Skills)
		u.Skills = &skills
	}
	return u, nil
}

// partInput reads a createPart input.
func partInput(in model.CreatePartInput) (aftercare.PartInput, error) {
	price, err := aftercare.ParseAmount("unitPrice.amount", in.UnitPrice.Amount)
	if err != nil {
		return aftercare.PartInput{}, err
	}
	prices, err := pricesFrom(in.Prices)
	if err != nil {
		return aftercare.PartInput{}, err
	}
	return aftercare.PartInput{FRU: in.Fru, Description: in.Description, UnitPrice: price, Currency: in.UnitPrice.Currency,
		ProductLines: in.ProductLines, Prices: prices}, nil
}

// partUpdate reads an updatePart input.
func partUpdate(in model.UpdatePartInput) (aftercare.PartUpdate, error) {
	u := aftercare.PartUpdate{Description: in.Description}
	if in.UnitPrice != nil {
		price, err := aftercare.ParseAmount("unitPrice", *in.UnitPrice)
		if err != nil {
			return u, err
		}
		u.UnitPrice = &price
	}
	if in.ProductLines != nil {
		u.ProductLines = &in.ProductLines
	}
	if in.Prices != nil {
		prices, err := pricesFrom(in.Prices)
		if err != nil {
			return u, err
		}
		u.Prices = &prices
	}
	return u, nil
}
