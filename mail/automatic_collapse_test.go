package mail

import (
	"regexp"
	"testing"
)

// collapse does what the regular expression it replaced did: every run of
// \s (tab, newline, form feed, carriage return, space) becomes one space;
// other white space (a no-break space, a vertical tab) is kept.
func TestCollapseIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`\s+`)
	for _, s := range []string{"", " ", "a", "  ", " a  b\t\n c \r\n", "x\u00a0 y\v z\f\f", "é  ü\n\n", "Halo,\r\n\r\nsaya sedang cuti.\r\n"} {
		if got, want := collapse(s), re.ReplaceAllString(s, " "); got != want {
			t.Errorf("collapse(%q) = %q, want %q", s, got, want)
		}
	}
}
