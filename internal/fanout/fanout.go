// Package fanout reads a stream once and feeds every chunk to several
// writers (hashes), in parallel when that helps. It is a leaf package, with
// no dependency beyond the standard library, so that the early-start
// hashing in internal/prehash can use it during program initialization.
package fanout

import (
	"context"
	"io"
)

// ChunkSize is what one read takes from an artifact.
const ChunkSize = 256 << 10

// Copy reads r once and writes every chunk to each writer, each writer in
// its own goroutine, while the next chunk is read: the hashes that the
// methods need (SHA-256 for Sigstore, the PGP signature's hash) run in
// parallel over a single pass, with two chunks in memory at most.
func Copy(ctx context.Context, r io.Reader, ws ...io.Writer) (int64, error) {
	return CopyWhen(ctx, r, nil, ws...)
}

// CopyWhen is Copy, but it asks parallel before each chunk: when parallel
// is not nil and returns false, the chunk is written to every writer in
// turn on the calling goroutine. Hashing serially is better while the
// other cores are busy (as during program initialization), and fanning out
// is better once they are free; the result is the same.
func CopyWhen(ctx context.Context, r io.Reader, parallel func() bool, ws ...io.Writer) (int64, error) {
	if len(ws) == 1 {
		return copyCtx(ctx, ws[0], r)
	}
	type worker struct {
		in   chan []byte
		done chan error
	}
	var workers []worker
	startWorkers := func() {
		workers = make([]worker, len(ws))
		for i, w := range ws {
			wk := worker{in: make(chan []byte), done: make(chan error)}
			workers[i] = wk
			go func(w io.Writer) {
				for b := range wk.in {
					_, err := w.Write(b)
					wk.done <- err
				}
			}(w)
		}
	}
	defer func() {
		for _, wk := range workers {
			close(wk.in)
		}
	}()
	bufs := [2][]byte{make([]byte, ChunkSize), make([]byte, ChunkSize)}
	var total int64
	cur := 0
	n, rerr := io.ReadFull(r, bufs[cur])
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		fan := n > 0 && (parallel == nil || parallel())
		var werr error
		if n > 0 {
			chunk := bufs[cur][:n]
			if fan {
				if workers == nil {
					startWorkers()
				}
				for _, wk := range workers {
					wk.in <- chunk
				}
			} else {
				for _, w := range ws {
					if _, err := w.Write(chunk); err != nil && werr == nil {
						werr = err
					}
				}
			}
			total += int64(n)
		}
		last := rerr != nil
		var nn int
		var nerr error
		if !last && werr == nil {
			nn, nerr = io.ReadFull(r, bufs[1-cur])
		}
		if fan {
			for _, wk := range workers {
				if err := <-wk.done; err != nil && werr == nil {
					werr = err
				}
			}
		}
		if werr != nil {
			return total, werr
		}
		if last {
			if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
				return total, nil
			}
			return total, rerr
		}
		cur, n, rerr = 1-cur, nn, nerr
	}
}

// copyCtx copies until EOF or until ctx is done.
func copyCtx(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, ChunkSize)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, err := io.ReadFull(r, buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return n, werr
			}
			n += int64(k)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
