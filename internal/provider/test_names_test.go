package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// runsCLI are the calls that start a Terraform or OpenTofu CLI.
var runsCLI = map[string]bool{
	"resource.Test":         true,
	"resource.ParallelTest": true,
	"resource.UnitTest":     true,
	"newTFWorkdir":          true,
	"newTFWorkdirFrom":      true,
}

// Test names say what a test needs: a test that runs a CLI, directly or
// through a helper of this package, is named TestAcc… (it runs only with
// TF_ACC, as terraform-plugin-testing's tests do), and a TestAcc… test runs
// one. The check reads this package's test files, so a new test that gets
// its name wrong fails here without any CLI installed.
func TestTestNames_saySomethingNeedsACLI(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(file), "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	fset := token.NewFileSet()
	calls := map[string]map[string]bool{} // function or method name -> names it calls
	var tests []string
	for _, f := range files {
		parsed, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range parsed.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			if calls[name] == nil {
				calls[name] = map[string]bool{}
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				switch f := call.Fun.(type) {
				case *ast.Ident:
					calls[name][f.Name] = true
				case *ast.SelectorExpr:
					if pkg, ok := f.X.(*ast.Ident); ok {
						calls[name][pkg.Name+"."+f.Sel.Name] = true
					}
					calls[name][f.Sel.Name] = true // a method of this package
				}
				return true
			})
			if fn.Recv == nil && strings.HasPrefix(name, "Test") && name != "TestMain" {
				tests = append(tests, name)
			}
		}
	}
	// Which functions reach a CLI, through any chain of this package's functions.
	reaches := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for fn, callees := range calls {
			if reaches[fn] {
				continue
			}
			for c := range callees {
				if runsCLI[c] || reaches[c] {
					reaches[fn], changed = true, true
					break
				}
			}
		}
	}
	sort.Strings(tests)
	for _, name := range tests {
		acc := strings.HasPrefix(name, "TestAcc")
		switch {
		case reaches[name] && !acc:
			t.Errorf("%s runs a CLI: name it TestAcc%s", name, strings.TrimPrefix(name, "Test"))
		case !reaches[name] && acc:
			t.Errorf("%s runs no CLI: drop the Acc from its name, it must run without TF_ACC", name)
		}
	}
	if !reaches["TestAccSession_label"] || reaches["TestBadInput_docsInSync"] {
		t.Errorf("the call graph is wrong: TestAccSession_label reaches a CLI = %t, TestBadInput_docsInSync = %t",
			reaches["TestAccSession_label"], reaches["TestBadInput_docsInSync"])
	}
}
