//go:build !linux

package bench

import "time"

// threadCPU reports false: the thread's CPU clock is read on Linux only.
func threadCPU() (time.Duration, bool) { return 0, false }

// postgresCPU reports 0: PostgreSQL's CPU time is read on Linux only.
func postgresCPU() time.Duration { return 0 }
