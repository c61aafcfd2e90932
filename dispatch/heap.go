package dispatch

// keyed is an element of a minHeap.
type keyed interface {
	heapKey() float64
}

// minHeap is a binary heap of elements ordered by their key, smallest on
// top. It avoids container/heap's interface conversions on the hot path.
type minHeap[T keyed] struct {
	items []T
}

// init orders items into a heap in linear time.
func (h *minHeap[T]) init() {
	for i := len(h.items)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h *minHeap[T]) len() int { return len(h.items) }

// top returns the smallest element; the heap must not be empty.
func (h *minHeap[T]) top() T { return h.items[0] }

func (h *minHeap[T]) push(x T) {
	h.items = append(h.items, x)
	i := len(h.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if h.items[parent].heapKey() <= h.items[i].heapKey() {
			break
		}
		h.items[parent], h.items[i] = h.items[i], h.items[parent]
		i = parent
	}
}

// pop removes and returns the smallest element; the heap must not be empty.
func (h *minHeap[T]) pop() T {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	h.down(0)
	return top
}

func (h *minHeap[T]) down(i int) {
	n := len(h.items)
	for {
		small := i
		if l := 2*i + 1; l < n && h.items[l].heapKey() < h.items[small].heapKey() {
			small = l
		}
		if r := 2*i + 2; r < n && h.items[r].heapKey() < h.items[small].heapKey() {
			small = r
		}
		if small == i {
			return
		}
		h.items[i], h.items[small] = h.items[small], h.items[i]
		i = small
	}
}
