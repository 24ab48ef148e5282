package audit

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneEmitterPerCode pins issue 17's "one emitter per finding code":
// findings are made only in findings.go, by finding(), and each finding
// code is passed to finding() by one function only.
func TestOneEmitterPerCode(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	emitters := map[string]map[string]bool{} // code -> functions
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if sel, ok := n.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "Finding" && len(n.Elts) > 0 && fn.Name.Name != "finding" {
						t.Errorf("%s: %s builds a report.Finding literal: use an emitter of findings.go", fset.Position(n.Pos()), fn.Name.Name)
					}
				case *ast.CallExpr:
					id, ok := n.Fun.(*ast.Ident)
					if !ok || id.Name != "finding" {
						return true
					}
					if name != "findings.go" {
						t.Errorf("%s: %s calls finding(): only findings.go makes findings", fset.Position(n.Pos()), fn.Name.Name)
					}
					if len(n.Args) > 1 {
						if sel, ok := n.Args[1].(*ast.SelectorExpr); ok {
							if emitters[sel.Sel.Name] == nil {
								emitters[sel.Sel.Name] = map[string]bool{}
							}
							emitters[sel.Sel.Name][fn.Name.Name] = true
						}
					}
				}
				return true
			})
		}
	}
	for code, fns := range emitters {
		if len(fns) > 1 {
			t.Errorf("%s is emitted by %d functions: %v", code, len(fns), fns)
		}
	}
	if len(emitters) < 10 {
		t.Errorf("found %d emitted codes: the test no longer sees the emitters", len(emitters))
	}
}
