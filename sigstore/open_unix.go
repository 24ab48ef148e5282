//go:build unix

package sigstore

import "syscall"

// openFlags open without blocking: opening a FIFO for reading would wait
// for a writer, forever. Reads from regular files are unaffected by
// O_NONBLOCK.
const openFlags = syscall.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY
