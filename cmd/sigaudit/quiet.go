package main

import (
	"bufio"
	"io"
	"os"
)

// libraryNoise are lines a dependency writes straight to os.Stderr
// (sigstore-go v1.3.0 pkg/verify/signature.go, on every v0.x bundle whose
// signature needs its compatibility verifier). They are not ours to print.
var libraryNoise = map[string]bool{
	"Failed to verify signature with default verifier, trying compatibility verifier": true,
}

// quietLibraries points os.Stderr at a pipe that drops libraryNoise and
// forwards every other line to the real stderr. sigaudit's own messages go
// to the stderr writer it was given, not through the pipe.
func quietLibraries() (restore func()) {
	r, w, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	real := os.Stderr
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			if !libraryNoise[sc.Text()] {
				real.Write(append(sc.Bytes(), '\n'))
			}
		}
		io.Copy(real, r) // a line too long for the scanner
	}()
	return func() {
		os.Stderr = real
		w.Close()
		<-done
		r.Close()
	}
}
