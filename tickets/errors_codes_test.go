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
// ValidationError with words: errors.go (Invalidf, for the edges' own
// checks). Nothing else in the domain does.
var stillSentences = []string{"errors.go"}

// problemCall is one place the domain names a problem.
type problemCall struct {
	where  string
	code   string
	params []string
}

// problemMakers are the functions that name a problem, and which argument
// is its code (the params, name and value pairs, follow it): validation
// errors, conflicts, things not found and an import's bad rows, called in
// the package or from sqlstore as tickets.X.
var problemMakers = map[string]int{
	"Invalid": 1, "errs.add": 1, "conflict": 0, "NotFound": 0, "NewRowProblem": 1,
}

// domainSources are the domain's non-test files: tickets/ and tickets/sqlstore.
func domainSources(t *testing.T) []string {
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
	return files
}

// makerOf is the problem maker a call calls ("Invalid", "errs.add"), and
// its code's argument; -1 when it calls none.
func makerOf(call *ast.CallExpr) (string, int) {
	name := ""
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		name = fn.Name
	case *ast.SelectorExpr:
		x, ok := fn.X.(*ast.Ident)
		if !ok {
			return "", -1
		}
		name = fn.Sel.Name
		if x.Name != "tickets" {
			name = x.Name + "." + name
		}
	}
	arg, ok := problemMakers[name]
	if !ok {
		return "", -1
	}
	return name, arg
}

// problemCalls finds every call of a problem maker in the domain's
// (non-test) files; a code or a param name that is not a literal fails the
// test, and so does a ValidationError built with words.
func problemCalls(t *testing.T) []problemCall {
	t.Helper()
	var out []problemCall
	fset := gotoken.NewFileSet()
	for _, f := range domainSources(t) {
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
				_, codeArg := makerOf(n)
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
	for i := 1; i < len(ErrorCodes); i++ {
		if ErrorCodes[i-1] >= ErrorCodes[i] {
			t.Errorf("ErrorCodes is not sorted: %q before %q", ErrorCodes[i-1], ErrorCodes[i])
		}
	}
}

// No sentence comes back another way: the domain (tickets/, not sqlstore,
// whose lookups name what they miss for the logs) builds no not-found
// error or conflict of its own with fmt.Errorf, and returns no error made
// of words (errors.New or fmt.Errorf without %w) from a function; the
// errors it declares once (ErrNotFound, ErrChannelDown …) are kinds, and
// the ones listed in wordsForLogs are wrapped for logs, never shown.
func TestNoSentencesInDomainErrorsOtherwise(t *testing.T) {
	fset := gotoken.NewFileSet()
	found := 0
	for _, f := range domainSources(t) {
		if strings.HasPrefix(f, "sqlstore") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				x, _ := sel.X.(*ast.Ident)
				if x == nil || !(x.Name == "fmt" && sel.Sel.Name == "Errorf" || x.Name == "errors" && sel.Sel.Name == "New") {
					return true
				}
				found++
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok {
					t.Errorf("%s: an error made from a format that is not a literal", fset.Position(call.Pos()))
					return true
				}
				format, _ := strconv.Unquote(lit.Value)
				where := fset.Position(call.Pos())
				for _, a := range call.Args[1:] {
					if id, ok := a.(*ast.Ident); ok && (id.Name == "ErrNotFound" || id.Name == "ErrConflict") {
						t.Errorf("%s: %s with fmt.Errorf: give a code (NotFound, conflict)", where, id.Name)
					}
				}
				if !strings.Contains(format, "%w") && !slices.Contains(wordsForLogs, format) {
					t.Errorf("%s: an error in words, %q: give a code (Invalid, conflict, NotFound), or wrap an error for the logs with %%w", where, format)
				}
				return true
			})
		}
	}
	if found < 10 {
		t.Fatalf("the scan found %d errors made in the domain; it is not looking", found)
	}
}

// wordsForLogs are errors the domain makes of words that no user reads:
// they go to the logs (a bug, a store's row that makes no sense).
var wordsForLogs = []string{
	"unknown follow-up kind %q", // a stored follow-up this build does not know: a bug, for the logs
}

// The scans see what they are meant to: each maker is found with its code.
func TestProblemMakersFound(t *testing.T) {
	src := `package x
func f() {
	Invalid("f", "a.b", "Value", 1)
	errs.add("f", "a.c")
	conflict("a.d", "Ref", "RD-1")
	NotFound("a.e", "Ref", "RD-1")
	tickets.NotFound("a.f")
	tickets.NewRowProblem("col", "a.g")
	NewRowProblem("col", "a.h", "Value", "x")
	other("a.i")
}`
	file, err := parser.ParseFile(gotoken.NewFileSet(), "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(file, func(n ast.Node) bool {
		if call, ok := n.(*ast.CallExpr); ok {
			if _, arg := makerOf(call); arg >= 0 {
				code, _ := strconv.Unquote(call.Args[arg].(*ast.BasicLit).Value)
				codes = append(codes, code)
			}
		}
		return true
	})
	if want := []string{"a.b", "a.c", "a.d", "a.e", "a.f", "a.g", "a.h"}; !slices.Equal(codes, want) {
		t.Errorf("codes found %v, want %v", codes, want)
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
