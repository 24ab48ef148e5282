//go:build !unix

package sigstore

import "os"

const openFlags = os.O_RDONLY
