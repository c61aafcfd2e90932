package invariants

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestExcesses(t *testing.T) {
	base := time.Date(2026, 5, 6, 8, 0, 0, 0, time.UTC)
	at := func(m int) time.Time { return base.Add(time.Duration(m) * time.Minute) }
	job := func(id string, from, to int) span {
		s := span{id: id, from: at(from)}
		if to >= 0 {
			s.to = at(to)
		}
		return s
	}
	tests := []struct {
		name      string
		spans     []span
		limit     int
		tolerance time.Duration
		want      []excess
	}{
		{"one after another", []span{job("a", 0, 10), job("b", 10, 20)}, 1, 0, nil},
		{"overlapping within the limit", []span{job("a", 0, 10), job("b", 5, 20)}, 2, 0, nil},
		{"overlapping past the limit", []span{job("a", 0, 10), job("b", 5, 20), job("c", 30, 40)}, 1, 0,
			[]excess{{from: at(5), to: at(10), peak: 2, spans: []string{"a", "b"}}}},
		{"overlap within the tolerance", []span{job("a", 0, 10), job("b", 9, 20)}, 1, 2 * time.Minute, nil},
		{"overlap longer than the tolerance", []span{job("a", 0, 10), job("b", 7, 20)}, 1, 2 * time.Minute,
			[]excess{{from: at(7), to: at(10), peak: 2, spans: []string{"a", "b"}}}},
		{"a peak of three", []span{job("a", 0, 30), job("b", 5, 20), job("c", 10, 15)}, 1, 0,
			[]excess{{from: at(5), to: at(20), peak: 3, spans: []string{"a", "b"}}}},
		{"still active", []span{job("a", 0, -1), job("b", 5, -1)}, 1, time.Hour,
			[]excess{{from: at(5), peak: 2, spans: []string{"a", "b"}}}},
		{"ends and starts at one instant", []span{job("a", 0, 10), job("b", 10, 20), job("c", 10, 20)}, 2, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, excesses(tt.spans, tt.limit, tt.tolerance))
		})
	}
}
