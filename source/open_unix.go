//go:build unix

package source

import "syscall"

// openFlags open without blocking: opening a FIFO for reading would wait
// for a writer, forever. Reads from the regular files this package accepts
// are unaffected by O_NONBLOCK.
const openFlags = syscall.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY
