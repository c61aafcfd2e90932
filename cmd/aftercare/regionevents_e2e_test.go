package main

import (
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRegionEventsFollowTheBoard subscribes to a region as its board does
// and sees, without asking again, an incident filed at one of its sites
// and an engineer of the region moving; a region that does not exist is
// refused.
func TestRegionEventsFollowTheBoard(t *testing.T) {
	env := mustTestEnv(t)
	m := env.startMain(t)
	admin := env.token(t, "admin")
	serial := env.summary.Serials[aftercare.TierPlatinum]
	asset := gql(t, m.URL(), admin, `query($s: String!) { assetBySerial(serialNumber: $s) { account { code } site { region } } }`,
		map[string]any{"s": serial})
	require.Empty(t, asset.Errors)
	region := dig(asset.Data, "assetBySerial", "site", "region").(string)
	engineers := gql(t, m.URL(), admin, `query($r: String!) { engineers(region: $r, first: 1) { edges { node { id } } } }`,
		map[string]any{"r": region})
	edges := dig(engineers.Data, "engineers", "edges").([]any)
	require.NotEmpty(t, edges, "the demo region %s has engineers", region)
	engineerID := dig(edges[0], "node", "id").(string)

	ws := dialWS(t, m.URL(), admin)
	ws.start("1", `subscription($r: String!) { regionEvents(region: $r) {
		incidentEvent { incidentId kind } engineer { id lat lng load } } }`, map[string]any{"r": region})
	// The subscription starts as the server gets to it: a move reported
	// before that is where it starts from, so the engineer moves until one
	// move is seen.
	var lat float64
	waitFor(t, 30*time.Second, "the engineer's move on the board", func() bool {
		lat = 31.2 + float64(time.Now().UnixMilli()%1000)/1e5
		moved := gql(t, m.URL(), admin, `mutation($e: ID!, $lat: Float!) { reportLocation(engineerId: $e, lat: $lat, lng: 121.4737) { id } }`,
			map[string]any{"e": engineerID, "lat": lat})
		require.Empty(t, moved.Errors)
		for {
			select {
			case msg := <-ws.msgs:
				require.Equal(t, "next", msg["type"], "%v", msg)
				if dig(msg, "payload", "data", "regionEvents", "engineer", "lat") == lat {
					return true
				}
			case <-time.After(time.Second):
				return false
			}
		}
	})

	customer := env.token(t, customerOf(dig(asset.Data, "assetBySerial", "account", "code").(string)))
	filed := gql(t, m.URL(), customer, createIncidentMutation, map[string]any{"input": incidentInput(serial, uniqueID("region"))})
	require.Empty(t, filed.Errors)
	incidentID := dig(filed.Data, "createIncident", "id").(string)
	for {
		msg := ws.next()
		require.Equal(t, "next", msg["type"], "%v", msg)
		if dig(msg, "payload", "data", "regionEvents", "incidentEvent", "incidentId") == incidentID {
			assert.Equal(t, "created", dig(msg, "payload", "data", "regionEvents", "incidentEvent", "kind"))
			break
		}
	}

	ws.start("2", `subscription { regionEvents(region: "atlantis") { incidentEvent { kind } } }`, nil)
	for {
		msg := ws.next()
		if msg["id"] == "2" {
			assert.Equal(t, aftercare.ENOTFOUND, errorCode(msg))
			assert.True(t, strings.Contains(mustJSON(t, msg), "atlantis"))
			break
		}
	}
}
