package tickets

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// domainFiles parses the domain's (non-test) files of tickets/.
func domainFiles(t *testing.T) (*gotoken.FileSet, map[string]*ast.File) {
	t.Helper()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := gotoken.NewFileSet()
	files := map[string]*ast.File{}
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = f
	}
	return fset, files
}

// stringConsts are the domain's string constants, by name.
func stringConsts(files map[string]*ast.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != gotoken.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == gotoken.STRING {
							out[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	return out
}

// codeOf is the code an expression gives: a string literal or one of the
// domain's string constants; ok is false for anything else.
func codeOf(e ast.Expr, consts map[string]string) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == gotoken.STRING {
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	}
	return "", false
}

// auditUse is one code the domain gives somewhere, and where.
type auditUse struct{ where, code string }

// auditScan reads every AuditEntry literal of the domain: its Code, and
// the problems of a literal that says something in words (Detail) or says
// who did what with no code; and the causes given to evaluate and
// reevaluate (their why).
func auditScan(t *testing.T) (codes, causes []auditUse, problems []string) {
	t.Helper()
	return scanAudit(domainFiles(t))
}

func scanAudit(fset *gotoken.FileSet, files map[string]*ast.File) (codes, causes []auditUse, problems []string) {
	consts := stringConsts(files)
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); !ok || id.Name != "AuditEntry" {
					return true
				}
				where := fset.Position(n.Pos()).String()
				hasCode := false
				for _, el := range n.Elts {
					kv, ok := el.(*ast.KeyValueExpr)
					if !ok {
						problems = append(problems, where+": an AuditEntry without field names")
						continue
					}
					switch kv.Key.(*ast.Ident).Name {
					case "Detail":
						problems = append(problems, where+": an AuditEntry with words (Detail) instead of a code")
					case "Code":
						hasCode = true
						code, ok := codeOf(kv.Value, consts)
						if !ok {
							problems = append(problems, where+": the code is not a string literal or constant")
							continue
						}
						codes = append(codes, auditUse{where, code})
					}
				}
				if !hasCode && len(n.Elts) > 0 {
					problems = append(problems, where+": an AuditEntry with no Code")
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "evaluate" && sel.Sel.Name != "reevaluate") || len(n.Args) != 5 {
					return true
				}
				where := fset.Position(n.Pos()).String()
				why, ok := codeOf(n.Args[3], consts)
				if !ok {
					if id, isIdent := n.Args[3].(*ast.Ident); isIdent && id.Name == "why" {
						return true // passed on from the caller, checked there
					}
					problems = append(problems, where+": the cause is not a string literal or constant")
					return true
				}
				causes = append(causes, auditUse{where, why})
			}
			return true
		})
	}
	return codes, causes, problems
}

// No sentence is written into the audit trail: every AuditEntry the domain
// builds has a code (dotted lower-case words, listed in AuditCodes) and no
// Detail, every code listed is given, and every cause of a verdict
// computed again is one of Causes (or none).
func TestNoSentencesInAuditTrail(t *testing.T) {
	codes, causes, problems := auditScan(t)
	for _, p := range problems {
		t.Error(p)
	}
	if len(codes) < 20 {
		t.Fatalf("the scan found %d audit entries; the domain writes more", len(codes))
	}
	check := func(what string, uses []auditUse, list []string, allowEmpty bool) {
		t.Helper()
		used := map[string]bool{}
		for _, u := range uses {
			used[u.code] = true
			switch {
			case u.code == "" && allowEmpty:
			case !codePattern.MatchString(u.code):
				t.Errorf("%s: %q is a sentence, not a code (give a code and params; the words go in templates/locales/audit)", u.where, u.code)
			case !slices.Contains(list, u.code):
				t.Errorf("%s: %s %q is not listed", u.where, what, u.code)
			}
		}
		for _, code := range list {
			if !used[code] {
				t.Errorf("%s %q is listed and never given", what, code)
			}
		}
		if !slices.IsSorted(list) {
			t.Errorf("the list of %ss is not sorted", what)
		}
	}
	check("AuditCodes code", codes, AuditCodes, false)
	// Causes are given through constants; one is also passed to
	// verdictAudit directly (reopening).
	check("cause", append(causes, auditUse{"reopen.go", CauseReopening}), Causes, true)
	if !slices.IsSorted(FollowupCancelCodes) {
		t.Error("FollowupCancelCodes is not sorted")
	}
}

// The scan sees what it is meant to: a literal with words, with no code,
// with a code that is neither a literal nor a constant, or a cause given
// as a variable, fails it; a constant's code is read through it.
func TestAuditScanCatchesSentences(t *testing.T) {
	src := `package tickets
const auditBounced = "Mail bounced"
func f(c *core, tx Tx, t *Ticket, code, because string) {
	_ = AuditEntry{Action: "x", Detail: "mail bounced"}
	_ = AuditEntry{Action: "y", Code: auditBounced}
	_ = AuditEntry{Action: "z"}
	_ = AuditEntry{Action: "w", Code: code}
	_ = AuditEntry{}
	_ = c.evaluate(tx, t, "agent", because, false)
	_ = c.evaluate(tx, t, "agent", "fields changed", false)
}`
	fset := gotoken.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes, causes, problems := scanAudit(fset, map[string]*ast.File{"x.go": f})
	var got []string
	for _, p := range problems {
		got = append(got, p[strings.LastIndex(p, ": ")+2:])
	}
	want := []string{"an AuditEntry with words (Detail) instead of a code", "an AuditEntry with no Code",
		"an AuditEntry with no Code", "the code is not a string literal or constant", "the cause is not a string literal or constant"}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n%q\nwant\n%q", got, want)
	}
	if len(codes) != 1 || codes[0].code != "Mail bounced" || codePattern.MatchString(codes[0].code) {
		t.Errorf("codes %+v", codes)
	}
	if len(causes) != 1 || causes[0].code != "fields changed" || codePattern.MatchString(causes[0].code) {
		t.Errorf("causes %+v", causes)
	}
}
