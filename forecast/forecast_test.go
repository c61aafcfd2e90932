package forecast_test

import (
	"testing"

	"github.com/aftercare/aftercare/forecast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// history is intermittent: demand in three of eight periods.
var history = []float64{0, 0, 3, 0, 2, 0, 0, 4}

func TestCrostonAndSBAByHand(t *testing.T) {
	croston, err := forecast.NewCroston(0.5, false)
	require.NoError(t, err)
	// Start at the first demand: size 3, interval 3. Then demand 2 after
	// 2 periods: size 2.5, interval 2.5. Then 4 after 3: size 3.25,
	// interval 2.75.
	assert.InDelta(t, 3.25/2.75, croston.Forecast(history), 1e-12)
	sba, err := forecast.NewCroston(0.5, true)
	require.NoError(t, err)
	assert.InDelta(t, 0.75*3.25/2.75, sba.Forecast(history), 1e-12, "SBA takes off alpha/2")
	assert.Equal(t, "SBA", sba.Name())

	assert.Equal(t, 0.0, croston.Forecast(nil))
	assert.Equal(t, 0.0, croston.Forecast([]float64{0, 0, 0}))
	assert.InDelta(t, 2.0, croston.Forecast([]float64{0, 4}), 1e-12, "one demand of 4 in 2 periods")
	assert.Equal(t, croston.Forecast(history), croston.Forecast(append(history[:len(history):len(history)], 0, 0, 0)),
		"Croston's forecast does not move while no demand comes")
}

func TestTSBByHand(t *testing.T) {
	tsb, err := forecast.NewTSB(0.5, 0.2)
	require.NoError(t, err)
	// Size as Croston's; the probability starts at 1/3 at the first
	// demand and moves by 0.2 towards 1 or 0 every period after.
	assert.InDelta(t, 1.3377866666666667, tsb.Forecast(history), 1e-12)
	quiet := append(history[:len(history):len(history)], 0, 0, 0)
	assert.InDelta(t, 1.3377866666666667*0.8*0.8*0.8, tsb.Forecast(quiet), 1e-12, "TSB decays while no demand comes")
	assert.Equal(t, 0.0, tsb.Forecast([]float64{0, 0}))
}

func TestSmoothingConstantsAreChecked(t *testing.T) {
	for _, a := range []float64{0, -0.1, 1.5} {
		_, err := forecast.NewCroston(a, false)
		assert.ErrorIs(t, err, forecast.ErrSmoothing, "%v", a)
		_, err = forecast.NewTSB(0.5, a)
		assert.ErrorIs(t, err, forecast.ErrSmoothing, "%v", a)
	}
	_, err := forecast.NewTSB(1, 1)
	assert.NoError(t, err)
}

func TestMovingAverage(t *testing.T) {
	assert.Equal(t, 3.0, forecast.MovingAverage{Window: 3}.Forecast([]float64{1, 2, 3, 4}))
	assert.Equal(t, 2.5, forecast.MovingAverage{Window: 10}.Forecast([]float64{1, 2, 3, 4}))
	assert.Equal(t, 0.0, forecast.MovingAverage{Window: 3}.Forecast(nil))
}

func TestMASEByHand(t *testing.T) {
	// Training changes 2, 2, 4: scale 8/3. Errors 1 and 2: MAE 1.5.
	mase, ok := forecast.MASE([]float64{0, 2, 0, 4}, []float64{1, 0}, []float64{2, 2})
	require.True(t, ok)
	assert.InDelta(t, 1.5/(8.0/3), mase, 1e-12)

	for name, args := range map[string][3][]float64{
		"flat training":    {{1, 1, 1}, {1}, {0}},
		"one training":     {{1}, {1}, {0}},
		"nothing to score": {{0, 1}, nil, nil},
		"lengths disagree": {{0, 1}, {1, 2}, {1}},
	} {
		_, ok := forecast.MASE(args[0], args[1], args[2])
		assert.False(t, ok, name)
	}
}

func TestBacktestUsesOnlyThePast(t *testing.T) {
	demand := []float64{0, 2, 0, 4, 1}
	forecasts, mase, ok := forecast.Backtest(forecast.MovingAverage{Window: 1}, demand, 2)
	require.True(t, ok)
	// Each period forecast by the one before: 2, 0, 4 against 0, 4, 1.
	assert.Equal(t, []float64{2, 0, 4}, forecasts)
	assert.InDelta(t, 3.0/2, mase, 1e-12, "MAE 3 over the training scale 2")

	_, _, ok = forecast.Backtest(forecast.MovingAverage{Window: 1}, demand, 5)
	assert.False(t, ok)
}
