// Package archtest keeps the package picture in docs/architecture.md true.
//
// The picture (a Mermaid graph) draws every package of the module and the
// import arrows it may have. TestImportArrows lists the packages as they are
// (go list) and fails on an arrow the picture does not draw, on a package it
// does not show, and, whatever the picture says, on the arrows the house
// never allows: the domain importing a channel, the words or a program; one
// channel importing another; a package importing a test helper under
// internal/ (only cmd/refunddesk's demo may use internal/devmail and
// internal/sample).
package archtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// module is the module path; picture paths are relative to it.
const module = "refunddesk"

// pictureFile is where the picture lives, from the module's root.
const pictureFile = "docs/architecture.md"

// channels deliver the desk to people; none imports another.
var channels = []string{"api", "bot", "mail", "web"}

// words are the packages that turn the domain's codes into sentences.
var words = []string{"templates"}

// demoHelpers are the helpers under internal/ that the demo (a program,
// not a test) runs: cmd/refunddesk may import them.
var demoHelpers = map[string][]string{
	"cmd/refunddesk": {"internal/devmail", "internal/sample"},
}

// deliveryLibraries are libraries that speak a channel's protocol, or put
// words together for people; the domain imports none of them.
var deliveryLibraries = []string{
	"github.com/bwmarrin/discordgo",
	"github.com/emersion/",
	"github.com/jhillyerd/enmime",
	"github.com/nicksnyder/go-i18n",
	"github.com/spf13/cobra",
	"github.com/prometheus/",
	"net/smtp",
}

// pkg is one package of the module, as go list gives it.
type pkg struct {
	ImportPath string
	GoFiles    []string
	Imports    []string
}

// arrow is one import: From imports To (paths relative to the module for
// the module's packages, full import paths otherwise).
type arrow struct{ From, To string }

func (a arrow) String() string { return a.From + " → " + a.To }

// picture is what docs/architecture.md draws.
type picture struct {
	nodes  map[string]bool   // package paths
	arrows map[arrow]bool    // allowed arrows
	ids    map[string]string // Mermaid node id → package path
}

var (
	nodeRe  = regexp.MustCompile(`^\s*([A-Za-z][\w]*)\s*\[\s*"([^"]+)"\s*\]\s*$`)
	arrowRe = regexp.MustCompile(`^\s*([A-Za-z][\w]*)\s*(-->|-\.->|==>)\s*([A-Za-z][\w]*)\s*$`)
)

// parsePicture reads the first ```mermaid block of a Markdown text: node
// lines `id["path"]` and arrow lines `a --> b` (or -.-> or ==>); other lines
// (the graph's direction, comments, subgraphs, styles) are skipped.
func parsePicture(r io.Reader) (*picture, error) {
	p := &picture{nodes: map[string]bool{}, arrows: map[arrow]bool{}, ids: map[string]string{}}
	type edge struct {
		from, to string
		line     int
	}
	var edges []edge
	sc := bufio.NewScanner(r)
	in, seen, n := false, false, 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case !in && !seen && line == "```mermaid":
			in, seen = true, true
			continue
		case in && line == "```":
			in = false
			continue
		case !in:
			continue
		}
		if m := nodeRe.FindStringSubmatch(line); m != nil {
			if prev, ok := p.ids[m[1]]; ok && prev != m[2] {
				return nil, fmt.Errorf("line %d: node %s is both %q and %q", n, m[1], prev, m[2])
			}
			p.ids[m[1]] = m[2]
			p.nodes[m[2]] = true
		} else if m := arrowRe.FindStringSubmatch(line); m != nil {
			edges = append(edges, edge{m[1], m[3], n})
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !seen {
		return nil, errors.New("no ```mermaid block")
	}
	if in {
		return nil, errors.New("the ```mermaid block is not closed")
	}
	for _, e := range edges {
		from, ok1 := p.ids[e.from]
		to, ok2 := p.ids[e.to]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("line %d: an arrow %s → %s names a node that is not declared as id[\"path\"]", e.line, e.from, e.to)
		}
		p.arrows[arrow{from, to}] = true
	}
	return p, nil
}

// rel is a module package's path relative to the module ("" for others).
func rel(importPath string) (string, bool) {
	if importPath == module {
		return ".", true
	}
	r, ok := strings.CutPrefix(importPath, module+"/")
	return r, ok
}

// under says whether path is root or below it.
func under(path, root string) bool {
	return path == root || strings.HasPrefix(path, root+"/")
}

func underAny(path string, roots []string) (string, bool) {
	for _, r := range roots {
		if under(path, r) {
			return r, true
		}
	}
	return "", false
}

// check returns what is wrong with the module's packages, one sentence an
// arrow, each naming it; pic may be nil (the house rules alone).
func check(pkgs []pkg, pic *picture) []string {
	var bad []string
	for _, p := range pkgs {
		from, ok := rel(p.ImportPath)
		if !ok || len(p.GoFiles) == 0 {
			continue // not ours, or tests only: test imports are free
		}
		if pic != nil && !pic.nodes[from] {
			bad = append(bad, fmt.Sprintf("%s is not in the picture in %s: draw it, with its arrows", from, pictureFile))
		}
		for _, imp := range p.Imports {
			to, ours := rel(imp)
			if !ours {
				if under(from, "tickets") {
					for _, lib := range deliveryLibraries {
						if strings.HasPrefix(imp, lib) {
							bad = append(bad, fmt.Sprintf("%s → %s: the domain imports no channel library (it speaks in codes; channels deliver)", from, imp))
						}
					}
				}
				continue
			}
			a := arrow{from, to}
			bad = append(bad, houseRules(a)...)
			if pic != nil && !pic.arrows[a] {
				bad = append(bad, fmt.Sprintf("%s: an arrow the picture in %s does not draw (draw it if it belongs there)", a, pictureFile))
			}
		}
	}
	return bad
}

// houseRules are the arrows never allowed, whatever the picture says.
func houseRules(a arrow) []string {
	var bad []string
	if under(a.From, "tickets") && !under(a.To, "tickets") {
		what := "a package of the module outside tickets/"
		if c, ok := underAny(a.To, channels); ok {
			what = "the channel " + c
		} else if w, ok := underAny(a.To, words); ok {
			what = "the words (" + w + ")"
		} else if under(a.To, "cmd") {
			what = "a program"
		} else if under(a.To, "internal") {
			what = "a test helper"
		}
		bad = append(bad, fmt.Sprintf("%s: the domain imports no channel, no words, no program and no helper; this is %s", a, what))
	}
	if fc, ok := underAny(a.From, channels); ok {
		if tc, ok := underAny(a.To, channels); ok && tc != fc {
			bad = append(bad, fmt.Sprintf("%s: a channel imports no other channel (what both need belongs in tickets or templates)", a))
		}
	}
	if _, ok := underAny(a.From, words); ok && !under(a.To, "tickets") {
		if _, ok := underAny(a.To, words); !ok {
			bad = append(bad, fmt.Sprintf("%s: templates render the domain's data for every channel and import only tickets", a))
		}
	}
	if under(a.To, "internal") && !under(a.From, "internal") && !slices.Contains(demoHelpers[a.From], a.To) {
		bad = append(bad, fmt.Sprintf("%s: internal/ holds test and demo helpers; only cmd/refunddesk's demo may import internal/devmail and internal/sample, and tests import the rest", a))
	}
	if under(a.To, "cmd") {
		bad = append(bad, fmt.Sprintf("%s: nothing imports a program", a))
	}
	return bad
}

// moduleRoot is the folder of go.mod, two levels up from this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatalf("the module's go.mod: %v", err)
	}
	if !bytes.Contains(b, []byte("module "+module+"\n")) {
		t.Fatalf("%s/go.mod is not module %s", root, module)
	}
	return root
}

// listPackages runs go list over the module: each package's own imports
// (not its tests').
func listPackages(t *testing.T, root string) []pkg {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to list the packages: %v", err)
	}
	cmd := exec.Command(goBin, "list", "-e", "-json=ImportPath,GoFiles,Imports", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./...: %v\n%s", err, stderr.String())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("go list's answer: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestImportArrows(t *testing.T) {
	root := moduleRoot(t)
	f, err := os.Open(filepath.Join(root, pictureFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pic, err := parsePicture(f)
	if err != nil {
		t.Fatalf("%s: %v", pictureFile, err)
	}
	// The picture itself keeps the house rules.
	for a := range pic.arrows {
		for _, why := range houseRules(a) {
			t.Errorf("%s draws %s", pictureFile, why)
		}
	}
	pkgs := listPackages(t, root)
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages; expected the whole module", len(pkgs))
	}
	for _, why := range check(pkgs, pic) {
		t.Error(why)
	}
	// A node drawn for a package that is gone is a stale picture too.
	have := map[string]bool{}
	for _, p := range pkgs {
		if r, ok := rel(p.ImportPath); ok && len(p.GoFiles) > 0 {
			have[r] = true
		}
	}
	for n := range pic.nodes {
		if !have[n] {
			t.Errorf("%s draws %s, which is not a package of the module (any more)", pictureFile, n)
		}
	}
}
