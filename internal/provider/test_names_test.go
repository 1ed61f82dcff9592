package provider

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// cliHarnesses are the calls that run a Terraform or OpenTofu CLI. Each runs
// only with TF_ACC set: resource.Test by itself, newTFWorkdir through
// skipUnlessAcc.
var cliHarnesses = map[string]bool{"resource.Test": true, "resource.ParallelTest": true, "resource.UnitTest": true, "newTFWorkdir": true}

// Test names say what a test needs: a test that runs a CLI, directly or
// through a helper of this package, is named TestAcc… (so it runs only with
// TF_ACC, as terraform-plugin-testing's tests do), and a TestAcc… test runs
// one. The check reads this package's test files, so a test that gets its
// name wrong fails here without any CLI installed.
func TestTestNames_saySomethingNeedsACLI(t *testing.T) {
	calls := testFileCalls(t)
	var reachesCLI func(fn string, seen map[string]bool) bool
	reachesCLI = func(fn string, seen map[string]bool) bool {
		if cliHarnesses[fn] || seen[fn] {
			return cliHarnesses[fn]
		}
		seen[fn] = true
		for callee := range calls[fn] {
			if reachesCLI(callee, seen) {
				return true
			}
		}
		return false
	}
	// The analysis itself: one test known to run a CLI, one known not to.
	for name, want := range map[string]bool{"TestAccSession_label": true, "TestBadInput_docsInSync": false} {
		if got := reachesCLI(name, map[string]bool{}); got != want {
			t.Fatalf("the call graph is wrong: %s reaches a CLI = %t", name, got)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		if !strings.HasPrefix(name, "Test") || name == "TestMain" {
			continue
		}
		switch acc, cli := strings.HasPrefix(name, "TestAcc"), reachesCLI(name, map[string]bool{}); {
		case cli && !acc:
			t.Errorf("%s runs a CLI: name it TestAcc%s", name, strings.TrimPrefix(name, "Test"))
		case acc && !cli:
			t.Errorf("%s runs no CLI: drop the Acc from its name, it must run without TF_ACC", name)
		}
	}
}

// testFileCalls reads this package's test files and returns, for each
// function and method, the names it calls: "pkg.Func" for another package,
// the bare name for this package's functions and methods (a method is known
// by its name alone, so two of one name count as one).
func testFileCalls(t *testing.T) map[string]map[string]bool {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	files, err := filepath.Glob(filepath.Join(filepath.Dir(file), "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files: %v", err)
	}
	calls := map[string]map[string]bool{}
	for _, f := range files {
		parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range parsed.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			callees := calls[fn.Name.Name]
			if callees == nil {
				callees = map[string]bool{}
				calls[fn.Name.Name] = callees
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				if call, ok := n.(*ast.CallExpr); ok {
					switch f := call.Fun.(type) {
					case *ast.Ident:
						callees[f.Name] = true
					case *ast.SelectorExpr:
						if pkg, ok := f.X.(*ast.Ident); ok {
							callees[pkg.Name+"."+f.Sel.Name] = true
						}
						callees[f.Sel.Name] = true
					}
				}
				return true
			})
		}
	}
	return calls
}
