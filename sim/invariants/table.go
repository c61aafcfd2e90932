package invariants

import (
	"fmt"
	"io"
	"strings"
)

// WriteTable writes the results as a Markdown table whose columns are
// padded to line up as plain text too — invariant, pass or FAIL, counts —
// followed by each invariant's rule and, under a failed one, its problems.
func WriteTable(w io.Writer, results []Result) {
	rows := [][3]string{{"invariant", "result", "counts"}}
	for _, r := range results {
		verdict := "pass"
		if !r.Pass {
			verdict = "FAIL"
		}
		rows = append(rows, [3]string{r.Name, verdict, r.Counts})
	}
	var width [3]int
	for _, row := range rows {
		for i, cell := range row {
			width[i] = max(width[i], len([]rune(cell)))
		}
	}
	var b strings.Builder
	line := func(cells [3]string) {
		for i, cell := range cells {
			fmt.Fprintf(&b, "| %s%s ", cell, strings.Repeat(" ", width[i]-len([]rune(cell))))
		}
		b.WriteString("|\n")
	}
	line(rows[0])
	line([3]string{strings.Repeat("-", width[0]), strings.Repeat("-", width[1]), strings.Repeat("-", width[2])})
	for _, row := range rows[1:] {
		line(row)
	}
	b.WriteString("\n")
	for _, r := range results {
		fmt.Fprintf(&b, "- %s: %s\n", r.Name, r.Rule)
		if !r.Pass {
			for _, p := range r.Problems {
				fmt.Fprintf(&b, "  - %s\n", p)
			}
		}
	}
	_, _ = io.WriteString(w, b.String())
}
