package tickets

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzLoadPolicy: whatever a policy file holds, loading it gives a policy
// that passes its own checks, or an error that names the file — never a
// panic; and the policy in force, written out (policy show) and loaded
// again, is the same policy.
func FuzzLoadPolicy(f *testing.F) {
	for _, s := range []string{
		"", "window_days = 14\n", "auto_approve_below = 50000\n", "[auto_approve_below]\nIDR = 50000\nUSD = \"5.50\"\n",
		"[auto_approve_below]\n\"*\" = 10\nusd = 2.5\n", "[under_delivery]\nthreshold_percent = 101\n",
		"[duplicate_charge]\nwindow = \"2d\"\n", "[non_refundable]\nreasons = [\"other\"]\n", "window_days = -1\n",
		"colour = \"red\"\n", "[auto_approve_below]\n\"a b\" = 1\n", "window_days = 1e3\n", "[[x]]\n", "a = \x00",
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, s string) {
		path := filepath.Join(dir, "policy.toml")
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := LoadPolicy(path)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "policy "+path) {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("loaded, yet invalid: %v", err)
		}
		text, err := p.TOML()
		if err != nil {
			t.Fatalf("policy show: %v", err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		again, err := LoadPolicy(path)
		if err != nil {
			t.Fatalf("what policy show wrote does not load: %v\n%s", err, text)
		}
		if !reflect.DeepEqual(p, again) {
			t.Fatalf("written out and loaded again, the policy changed:\n%+v\n%+v\n%s", p, again, text)
		}
	})
}
