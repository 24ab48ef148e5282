package main

import (
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/sigaudit/sigaudit/internal/mirror"
)

var update = flag.Bool("update", false, "rewrite the golden files inside the scripts")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"sigaudit": func() { os.Exit(run(os.Args[1:])) },
	})
}

// TestScripts runs the txtar scripts in testdata/script. $REALDATA points at
// the real python.org material copied into the repository's testdata, and
// $SHARED at ../shared/realdata when it exists (large artifacts).
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../../testdata")
	if err != nil {
		t.Fatal(err)
	}
	shared, _ := filepath.Abs("../../../shared/realdata")
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(e *testscript.Env) error {
			e.Setenv("REALDATA", filepath.Join(root, "realdata"))
			e.Setenv("TESTDATA", root)
			if _, err := os.Stat(filepath.Join(shared, "artifacts", "Python-3.13.5.tar.xz")); err == nil {
				e.Setenv("SHARED", shared)
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// mkmirror REALDATA ARTIFACT DST: lay real data out like python.org.
			"mkmirror": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) != 3 {
					ts.Fatalf("usage: mkmirror REALDATA ARTIFACT DST")
				}
				if _, err := mirror.Build(ts.MkAbs(args[2]), mirror.Options{RealData: args[0], Artifact: args[1]}); err != nil {
					ts.Fatalf("mkmirror: %v", err)
				}
			},
			// exits N cmd args...: runs cmd and asserts its exact exit code,
			// keeping stdout and stderr for the assertions that follow.
			"exits": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 2 {
					ts.Fatalf("usage: exits CODE command [args...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("bad exit code %q", args[0])
				}
				got := 0
				if err := ts.Exec(args[1], args[2:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("%v", err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("%s exited %d, want %d", args[1], got, want)
				}
			},
		},
		Condition: func(cond string) (bool, error) {
			if cond == "shared" {
				_, err := os.Stat(filepath.Join(shared, "artifacts", "Python-3.13.5.tar.xz"))
				return err == nil, nil
			}
			return false, nil
		},
	})
}
