package aftercare

import (
	"strings"
	"unicode/utf8"
)

// TextProblem says why s cannot be kept as text, or "" when it can: text
// is valid UTF-8 and holds no NUL byte, which PostgreSQL's text refuses.
func TextProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.IndexByte(s, 0) >= 0:
		return "contains a NUL byte, which text may not hold"
	}
	return ""
}
