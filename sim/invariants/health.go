package invariants

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
)

const (
	healthName = "no server error or panic"
	healthRule = `no response had HTTP status 500 (an unavailable dependency answers 503 or EUNAVAILABLE, which clients retry), and no line of any process log contains ` +
		`"panic:" or "fatal error:"`
)

// panicMarks are what the Go runtime writes when a process panics or dies
// of a fatal error.
var panicMarks = []string{"panic:", "fatal error:"}

// checkHealth checks invariant 9: no HTTP 500 and no panic in any log.
func (c *checker) checkHealth(context.Context) Result {
	var p problems
	if c.rec.HTTP500 > 0 {
		p.add("%d responses had HTTP status 500", c.rec.HTTP500)
	}
	var lines int
	for _, path := range c.rec.LogFiles {
		n, err := scanLog(path, &p)
		if err != nil {
			return failed(healthName, healthRule, err)
		}
		lines += n
	}
	return p.result(healthName, healthRule, fmt.Sprintf("%d HTTP 500; %d log files, %d lines",
		c.rec.HTTP500, len(c.rec.LogFiles), lines))
}

// scanLog reports each line of a log file that shows a panic, and returns
// how many lines it read.
func scanLog(path string, p *problems) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("open log: %w", err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64*1024), 16*1024*1024)
	n := 0
	for s.Scan() {
		n++
		line := s.Text()
		for _, mark := range panicMarks {
			if strings.Contains(line, mark) {
				if len(line) > 200 {
					line = line[:200] + "…"
				}
				p.add("%s:%d: %s", path, n, line)
				break
			}
		}
	}
	if err := s.Err(); err != nil {
		return n, fmt.Errorf("read log %s: %w", path, err)
	}
	return n, nil
}
