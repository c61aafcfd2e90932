package dispatch

// interned keeps values that many engineers share once: a calendar, a set
// of skills. A value is found by a key of its content and counts the
// engineers that use it, so the one nobody uses any more is dropped and its
// slot reused.
type interned[T any] struct {
	values []T
	refs   []int32
	keys   []string
	slots  map[string]int32
	free   []int32
}

// acquire returns the slot of the value of key, made by newValue if no
// engineer uses one yet, and counts one more user.
func (t *interned[T]) acquire(key []byte, newValue func() T) int32 {
	if slot, ok := t.slots[string(key)]; ok {
		t.refs[slot]++
		return slot
	}
	if t.slots == nil {
		t.slots = make(map[string]int32)
	}
	k := string(key)
	var slot int32
	if n := len(t.free); n > 0 {
		slot, t.free = t.free[n-1], t.free[:n-1]
		t.values[slot], t.refs[slot], t.keys[slot] = newValue(), 1, k
	} else {
		slot = int32(len(t.values))
		t.values = append(t.values, newValue())
		t.refs = append(t.refs, 1)
		t.keys = append(t.keys, k)
	}
	t.slots[k] = slot
	return slot
}

// release counts one user fewer of the value in slot, and drops it when
// none is left.
func (t *interned[T]) release(slot int32) {
	t.refs[slot]--
	if t.refs[slot] > 0 {
		return
	}
	var zero T
	delete(t.slots, t.keys[slot])
	t.values[slot], t.keys[slot] = zero, ""
	t.free = append(t.free, slot)
}

// len returns how many values are in use.
func (t *interned[T]) len() int { return len(t.slots) }
