package tickets

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// codePattern is what a problem's code looks like: dotted lower-case words.
var codePattern = regexp.MustCompile(`^[a-z_][a-z0-9_]*(\.[a-z0-9_]+)*$`)

// paramPattern is what a param's name looks like: a template field name.
var paramPattern = regexp.MustCompile(`^[A-Z][A-Za-z]*$`)

// stillSentences are the files of the domain that may build a
// ValidationError with words: errors.go (Invalid given a sentence, from the
// edges), and the query language's parser (agents' searches), not yet moved
// to codes.
var stillSentences = []string{"errors.go", "query.go"}

// problemCall is one place the domain names a problem.
type problemCall struct {
	where  string
	code   string
	params []string
}

// problemCalls finds every Invalid(field, code, …), errs.add(field, code,
// …), conflict(code, …) and tickets.Invalid in the domain's (non-test)
// files; a code or a param name that is not a literal fails the test.
func problemCalls(t *testing.T) []problemCall {
	t.Helper()
	var files []string
	for _, dir := range []string{".", "sqlstore"} {
		m, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if !strings.HasSuffix(f, "_test.go") {
				files = append(files, f)
			}
		}
	}
	var out []problemCall
	fset := gotoken.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "ValidationError" && !slices.Contains(stillSentences, filepath.Base(f)) {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && kv.Key.(*ast.Ident).Name == "Message" && !isSelector(kv.Value, "ve", "Message") {
							t.Errorf("%s: a ValidationError with words (Message) instead of a code", fset.Position(n.Pos()))
						}
					}
				}
			case *ast.CallExpr:
				codeArg := -1
				switch fn := n.Fun.(type) {
				case *ast.Ident:
					switch fn.Name {
					case "Invalid":
						codeArg = 1
					case "conflict":
						codeArg = 0
					}
				case *ast.SelectorExpr:
					if x, ok := fn.X.(*ast.Ident); ok && (x.Name == "errs" && fn.Sel.Name == "add" || x.Name == "tickets" && fn.Sel.Name == "Invalid") {
						codeArg = 1
					}
				}
				if codeArg < 0 || len(n.Args) <= codeArg {
					return true
				}
				where := fset.Position(n.Pos()).String()
				lit, ok := n.Args[codeArg].(*ast.BasicLit)
				if !ok || lit.Kind != gotoken.STRING {
					t.Errorf("%s: the code is not a string literal", where)
					return true
				}
				code, _ := strconv.Unquote(lit.Value)
				call := problemCall{where: where, code: code}
				for i := codeArg + 1; i < len(n.Args); i += 2 {
					k, ok := n.Args[i].(*ast.BasicLit)
					name, _ := strconv.Unquote(k.Value)
					if !ok || !paramPattern.MatchString(name) {
						t.Errorf("%s: param %d of %s is not a literal name like \"Value\"", where, (i-codeArg+1)/2, code)
						continue
					}
					call.params = append(call.params, name)
				}
				if (len(n.Args)-codeArg-1)%2 != 0 {
					t.Errorf("%s: %s's params are not name, value pairs", where, code)
				}
				out = append(out, call)
			}
			return true
		})
	}
	return out
}

func isSelector(e ast.Expr, x, sel string) bool {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	id, ok := s.X.(*ast.Ident)
	return ok && id.Name == x && s.Sel.Name == sel
}

// No sentence is passed where the domain names a problem: every code is a
// code (dotted words, listed in ErrorCodes), and every code listed is used.
func TestNoSentencesInDomainErrors(t *testing.T) {
	calls := problemCalls(t)
	if len(calls) < 80 {
		t.Fatalf("the scan found %d problems; the domain names more", len(calls))
	}
	used := map[string]bool{}
	for _, c := range calls {
		used[c.code] = true
		if !codePattern.MatchString(c.code) {
			t.Errorf("%s: %q is a sentence, not a code (give a code and params; the words go in templates/locales)", c.where, c.code)
			continue
		}
		if !slices.Contains(ErrorCodes, c.code) {
			t.Errorf("%s: code %q is not in ErrorCodes", c.where, c.code)
		}
	}
	for _, code := range ErrorCodes {
		if !used[code] {
			t.Errorf("ErrorCodes lists %q, which the domain never gives", code)
		}
	}
	if !slices.IsSorted(ErrorCodes) {
		t.Error("ErrorCodes is not sorted")
	}
}

// The scan sees what it is meant to: a sentence passed as a code fails it.
func TestProblemScanCatchesSentences(t *testing.T) {
	for _, s := range []string{"the file is empty", "%q is not a flag", "Order.Missing", ""} {
		if codePattern.MatchString(s) {
			t.Errorf("%q passes as a code", s)
		}
	}
	for _, s := range []string{"order.not_digits", "invalid", "evidence.too_large"} {
		if !codePattern.MatchString(s) {
			t.Errorf("%q does not pass as a code", s)
		}
	}
}

// Error says something useful without the catalog: the field, the code and
// the params, sorted.
func TestValidationErrorForLogs(t *testing.T) {
	err := Invalid("evidence a.zip", "evidence.too_large", "Size", Bytes(5000), "Max", Bytes(4096))
	if got, want := err.Error(), "evidence a.zip: evidence.too_large (Max=4096 Size=5000)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if got, want := conflict("ticket.closed_change", "Ref", "RD-7").Error(), `ticket.closed_change (Ref="RD-7"): conflict`; got != want {
		t.Errorf("conflict Error() = %q, want %q", got, want)
	}
	if got, want := Invalid("amount", "invalid", "Error", "no amount given").Error(), "amount: no amount given"; got != want {
		t.Errorf("invalid Error() = %q, want %q", got, want)
	}
}
