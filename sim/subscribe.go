package sim

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/coder/websocket"
)

// subscriptions has each account's corporate IT follow its incidents'
// events over a WebSocket (graphql-transport-ws), as a service desk
// integration does: an event assigning an engineer wakes that engineer,
// and a connection that drops is opened again.
func (s *sim) subscriptions(ctx context.Context) {
	for _, a := range s.w.accounts {
		go s.follow(ctx, a)
	}
	<-ctx.Done()
}

// follow keeps one account's subscription open until ctx ends.
func (s *sim) follow(ctx context.Context, a *account) {
	token, err := s.token(ctx, a.itUser)
	if err != nil {
		return
	}
	for attempt := 0; ctx.Err() == nil; attempt++ {
		url := s.env.URLs[attempt%len(s.env.URLs)]
		if s.listen(ctx, url, token, a.id) {
			attempt = 0
		}
		if ctx.Err() == nil {
			s.out.add("subscriptions reconnected", 1)
			sleep(ctx, backoff(attempt))
		}
	}
}

// listen opens one subscription and reads its events until it ends; it
// reports whether the server acknowledged it.
func (s *sim) listen(ctx context.Context, baseURL, token, accountID string) bool {
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(baseURL, "http")+"/query",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return false
	}
	defer conn.CloseNow()
	conn.SetReadLimit(1 << 20)
	send := func(v any) error {
		b, _ := json.Marshal(v)
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		return conn.Write(wctx, websocket.MessageText, b)
	}
	if send(map[string]any{"type": "connection_init", "payload": map[string]any{"Authorization": "Bearer " + token}}) != nil {
		return false
	}
	acked := false
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return acked
		}
		var msg struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(b, &msg) != nil {
			continue
		}
		switch msg.Type {
		case "connection_ack":
			acked = true
			if send(map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{
				"query":     `subscription($a: ID!) { accountEvents(accountId: $a) { kind data } }`,
				"variables": map[string]any{"a": accountID}}}) != nil {
				return acked
			}
		case "ping":
			_ = send(map[string]any{"type": "pong"})
		case "next":
			s.event(msg.Payload)
		case "error", "complete":
			return acked
		}
	}
}

// event counts an incident event and wakes the engineer it assigns.
func (s *sim) event(payload json.RawMessage) {
	var p struct {
		Data struct {
			AccountEvents struct {
				Kind string `json:"kind"`
				Data string `json:"data"`
			} `json:"accountEvents"`
		} `json:"data"`
	}
	if json.Unmarshal(payload, &p) != nil {
		return
	}
	s.out.add("events received", 1)
	var data struct {
		EngineerID string `json:"engineer_id"`
	}
	if p.Data.AccountEvents.Kind == "assigned" && json.Unmarshal([]byte(p.Data.AccountEvents.Data), &data) == nil && data.EngineerID != "" {
		s.engines.wake(data.EngineerID)
	}
}
