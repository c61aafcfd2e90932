package sim

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/aftercare/aftercare"
)

// Receiver is the webhook endpoint of the simulated organisation: the
// mailer that escalations, stock alerts and survey invitations are
// delivered to. Survey invitations go on to their contacts, who answer.
type Receiver struct {
	srv  *http.Server
	url  string
	mu   sync.Mutex
	keys map[string]int // deliveries by idempotency key
	kind map[string]int // deliveries by kind, first deliveries only
	// surveys carries the tokens of survey links to answer.
	surveys chan string
}

// NewReceiver listens on a free port of the loopback interface.
func NewReceiver() (*Receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &Receiver{url: "http://" + ln.Addr().String() + "/hook", keys: map[string]int{}, kind: map[string]int{},
		surveys: make(chan string, 10000)}
	r.srv = &http.Server{Handler: r}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

// URL is the receiver's webhook URL, for the API and worker's
// --webhook-url.
func (r *Receiver) URL() string { return r.url }

// Close stops the receiver.
func (r *Receiver) Close() error { return r.srv.Close() }

// ServeHTTP takes one delivery.
func (r *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, err := io.ReadAll(req.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var body map[string]any
	_ = json.Unmarshal(b, &body)
	key := req.Header.Get("Idempotency-Key")
	r.mu.Lock()
	r.keys[key]++
	first := r.keys[key] == 1
	if first {
		kind, _ := body["kind"].(string)
		r.kind[kind]++
	}
	r.mu.Unlock()
	if link, _ := body["link"].(string); first && body["kind"] == aftercare.SurveyInvitationKind {
		if i := strings.LastIndex(link, aftercare.SurveyLinkPath); i >= 0 {
			select {
			case r.surveys <- link[i+len(aftercare.SurveyLinkPath):]:
			default:
			}
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// Kinds returns how many distinct deliveries of each kind arrived.
func (r *Receiver) Kinds() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for k, v := range r.kind {
		out[k] = v
	}
	return out
}

// answerSurveys has the contacts answer their survey invitations: most score
// the service 4 or 5, some lower, a few never answer.
func (s *sim) answerSurveys(ctx context.Context) {
	if s.env.Webhooks == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case token := <-s.env.Webhooks.surveys:
			if s.chance(0.2) {
				continue // not every contact answers
			}
			score := 5 - s.intn(2)
			if s.chance(0.15) {
				score = 1 + s.intn(3)
			}
			resp, err := s.c.do(ctx, token, "answerSurvey", `mutation($t: String!, $s: Int!) { answerSurvey(token: $t, score: $s,
				comment: "thanks to the engineer") { score } }`, map[string]any{"t": token, "s": score})
			switch {
			case err != nil:
				s.out.problem("answer a survey: %v", err)
			case resp.code() != "":
				s.out.add("surveys refused: "+resp.code(), 1)
			default:
				s.out.add("surveys answered", 1)
			}
		}
	}
}
