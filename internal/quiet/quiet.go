// Package quiet filters the lines a dependency writes straight to
// os.Stderr. cmd/sigaudit installs the filter for the process; the tests
// of the packages that run the CLI in-process install it once in TestMain.
package quiet

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// noise are lines a dependency writes straight to os.Stderr (sigstore-go
// v1.3.0 pkg/verify/signature.go, on every v0.x bundle whose signature
// needs its compatibility verifier). They are not ours to print.
var noise = map[string]bool{
	"Failed to verify signature with default verifier, trying compatibility verifier": true,
}

// IsNoise reports whether line (without its newline) is dropped.
func IsNoise(line string) bool { return noise[line] }

// Filter copies r to w line by line, dropping the noise lines, until r
// ends.
func Filter(w io.Writer, r io.Reader) {
	br := bufio.NewReaderSize(r, 64<<10)
	long := false // inside a line longer than the buffer: never noise
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			text := strings.TrimSuffix(string(line), "\n")
			if long || err != nil || !noise[text] {
				w.Write(line)
			}
			long = err == bufio.ErrBufferFull
		}
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
	}
}

// Libraries points os.Stderr at a pipe that drops the noise lines and
// forwards every other line to the real stderr; restore puts os.Stderr
// back once every line written before it is forwarded. Call it once per
// process (main, or TestMain), never from parallel code.
func Libraries() (restore func()) {
	r, w, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	real := os.Stderr
	os.Stderr = w
	done := make(chan struct{})
	go func() {
		defer close(done)
		Filter(real, r)
	}()
	return func() {
		os.Stderr = real
		w.Close()
		<-done
		r.Close()
	}
}
