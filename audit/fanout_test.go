package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

func TestFanOut(t *testing.T) {
	for _, size := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + 17} {
		data := bytes.Repeat([]byte{0x5a}, size)
		for i := range data {
			data[i] = byte(i * 7)
		}
		h1, h2 := sha256.New(), sha512.New()
		n, err := fanOut(context.Background(), iotest.HalfReader(bytes.NewReader(data)), h1, h2)
		if err != nil || n != int64(size) {
			t.Fatalf("size %d: n %d err %v", size, n, err)
		}
		w1, w2 := sha256.Sum256(data), sha512.Sum512(data)
		if !bytes.Equal(h1.Sum(nil), w1[:]) || !bytes.Equal(h2.Sum(nil), w2[:]) {
			t.Fatalf("size %d: wrong digests", size)
		}
	}
	// A read error surfaces; so does a cancelled context.
	boom := errors.New("boom")
	if _, err := fanOut(context.Background(), io.MultiReader(bytes.NewReader(make([]byte, 3*chunkSize)), iotest.ErrReader(boom)), sha256.New(), sha512.New()); !errors.Is(err, boom) {
		t.Errorf("read error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := fanOut(ctx, bytes.NewReader(make([]byte, 3*chunkSize)), sha256.New(), sha512.New()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func BenchmarkFanOut(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		fanOut(context.Background(), bytes.NewReader(data), sha256.New(), sha512.New())
	}
}

func BenchmarkSequential(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		copyCtx(context.Background(), io.MultiWriter(sha256.New(), sha512.New()), bytes.NewReader(data))
	}
}
