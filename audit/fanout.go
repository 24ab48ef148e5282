package audit

import (
	"context"
	"io"
)

// chunkSize is what one read takes from an artifact.
const chunkSize = 256 << 10

// fanOut reads r once and writes every chunk to each writer, each writer in
// its own goroutine, while the next chunk is read: the hashes that the
// methods need (SHA-256 for Sigstore, the PGP signature's hash) run in
// parallel over a single pass, with two chunks in memory at most.
func fanOut(ctx context.Context, r io.Reader, ws ...io.Writer) (int64, error) {
	if len(ws) == 1 {
		return copyCtx(ctx, ws[0], r)
	}
	type worker struct {
		in   chan []byte
		done chan error
	}
	workers := make([]worker, len(ws))
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
	defer func() {
		for _, wk := range workers {
			close(wk.in)
		}
	}()
	bufs := [2][]byte{make([]byte, chunkSize), make([]byte, chunkSize)}
	var total int64
	cur := 0
	n, rerr := io.ReadFull(r, bufs[cur])
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		if n > 0 {
			for _, wk := range workers {
				wk.in <- bufs[cur][:n]
			}
			total += int64(n)
		}
		last := rerr != nil
		var nn int
		var nerr error
		if !last {
			nn, nerr = io.ReadFull(r, bufs[1-cur])
		}
		var werr error
		if n > 0 {
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
