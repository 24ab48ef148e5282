//go:build ignore

// fuzzseed writes files as `go test -fuzz` corpus entries:
//
//	go run scripts/fuzzseed.go DIR FILE...
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	dir := os.Args[1]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		panic(err)
	}
	for _, f := range os.Args[2:] {
		b, err := os.ReadFile(f)
		if err != nil {
			panic(err)
		}
		out := fmt.Sprintf("go test fuzz v1\n[]byte(%s)\n", strconv.Quote(string(b)))
		if err := os.WriteFile(filepath.Join(dir, "seed-"+filepath.Base(f)), []byte(out), 0o644); err != nil {
			panic(err)
		}
	}
}
