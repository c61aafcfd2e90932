package dispatch

import "time"

// shortlist keeps the k best candidates offered to it, best first.
type shortlist struct {
	k     int
	picks []pick
}

// pick is a candidate on a shortlist with where its data lives in the index.
type pick struct {
	Candidate
	slot  int32
	depot int32 // -1 when the van holds every part
}

func (s *shortlist) full() bool { return len(s.picks) == s.k }

// worst returns the last candidate; the shortlist must not be empty.
func (s *shortlist) worst() *Candidate { return &s.picks[len(s.picks)-1].Candidate }

// outranked reports whether a candidate with the deadline flag and travel
// time cannot enter the full shortlist whatever its load and ID, which spares
// reading them.
func (s *shortlist) outranked(makes bool, travel time.Duration) bool {
	if !s.full() {
		return false
	}
	w := s.worst()
	if makes != w.MakesDeadline {
		return !makes
	}
	return travel > w.Travel
}

// offer inserts p in rank order if it ranks within the first k.
func (s *shortlist) offer(p pick) {
	if s.full() && !p.before(s.worst()) {
		return
	}
	if !s.full() {
		s.picks = append(s.picks, p)
	}
	i := len(s.picks) - 1
	for i > 0 && p.before(&s.picks[i-1].Candidate) {
		s.picks[i] = s.picks[i-1]
		i--
	}
	s.picks[i] = p
}
