package dispatch

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIndexPutOneByOneAnswersAsBuilt checks an index filled engineer by
// engineer and compacted, as a process builds it while the fleet streams
// in: it answers as BruteForce does, before and after more updates, and
// holds its engineers' records and entries without spare room.
func TestIndexPutOneByOneAnswersAsBuilt(t *testing.T) {
	g := newFleetGen(t, 31)
	cities := anyOf(around(31.23, 121.47, 30), around(22.54, 114.06, 30), around(-18.14, 179.9, 60))
	engineers := withExpiries(g.engineers(900, cities), 3)
	depots := g.depots(20, cities)
	x, err := NewIndex(nil, nil)
	require.NoError(t, err)
	for _, e := range engineers {
		require.NoError(t, x.Put(e))
	}
	for _, d := range depots {
		require.NoError(t, x.PutDepot(d))
	}
	x.Compact()
	// What is left spare is the allocator's rounding: up to a page for a
	// large slice, an eighth for a small one.
	spare := uintptr(cap(x.engineers)-len(x.engineers)) * unsafe.Sizeof(engineer{})
	assert.Less(t, spare, uintptr(8192), "spare records")
	for _, ln := range x.lines {
		for _, n := range ln.tree.nodes[len(ln.tree.levels)-1] {
			require.LessOrEqual(t, cap(n.entries), len(n.entries)*9/8+1, "spare entries")
		}
	}
	requireSharedAsHeld(t, x, engineers)
	check := func() {
		t.Helper()
		for range 60 {
			req := g.request(cities)
			want, err := BruteForce(engineers, depots, req)
			require.NoError(t, err)
			got, err := x.Candidates(req)
			require.NoError(t, err)
			require.Equal(t, want, got, "%+v", req)
		}
	}
	check()
	require.NoError(t, x.Remove(engineers[0].ID))
	engineers = engineers[1:]
	joining := g.engineers(1, cities)[0]
	joining.ID = "joined"
	require.NoError(t, x.Put(joining))
	engineers = append(engineers, joining)
	require.NoError(t, x.Move(engineers[5].ID, 22.6, 114.1))
	engineers[5].Lat, engineers[5].Lng = 22.6, 114.1
	check()
	requireSharedAsHeld(t, x, engineers)
}
