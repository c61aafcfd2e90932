package dispatch

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

func (s *shortlist) reset() { s.picks = s.picks[:0] }

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
