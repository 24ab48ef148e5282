//go:build !unix

package recipe

import "os"

func openRegular(name string) (*os.File, error) { return os.Open(name) }
