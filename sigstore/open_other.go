//go:build !unix

package sigstore

import "os"

const openFlags = os.O_RDONLY

// lockDir does not lock on systems without flock: renames still keep the
// installed root whole.
func lockDir(string) (func(), error) { return func() {}, nil }
