package fanout

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
	for _, size := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 17} {
		data := bytes.Repeat([]byte{0x5a}, size)
		for i := range data {
			data[i] = byte(i * 7)
		}
		h1, h2 := sha256.New(), sha512.New()
		n, err := Copy(context.Background(), iotest.HalfReader(bytes.NewReader(data)), h1, h2)
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
	if _, err := Copy(context.Background(), io.MultiReader(bytes.NewReader(make([]byte, 3*ChunkSize)), iotest.ErrReader(boom)), sha256.New(), sha512.New()); !errors.Is(err, boom) {
		t.Errorf("read error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Copy(ctx, bytes.NewReader(make([]byte, 3*ChunkSize)), sha256.New(), sha512.New()); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// CopyWhen gives the same digests whatever parallel says, chunk by chunk,
// and stops at the first writer error in either mode.
func TestCopyWhen(t *testing.T) {
	data := make([]byte, 5*ChunkSize+123)
	for i := range data {
		data[i] = byte(i * 13)
	}
	w1, w2 := sha256.Sum256(data), sha512.Sum512(data)
	for name, par := range map[string]func() bool{
		"serial":      func() bool { return false },
		"parallel":    func() bool { return true },
		"alternating": alternate(),
	} {
		h1, h2 := sha256.New(), sha512.New()
		n, err := CopyWhen(context.Background(), iotest.OneByteReader(bytes.NewReader(data)), par, h1, h2)
		if err != nil || n != int64(len(data)) {
			t.Fatalf("%s: n %d err %v", name, n, err)
		}
		if !bytes.Equal(h1.Sum(nil), w1[:]) || !bytes.Equal(h2.Sum(nil), w2[:]) {
			t.Fatalf("%s: wrong digests", name)
		}
		boom := errors.New("boom")
		if _, err := CopyWhen(context.Background(), bytes.NewReader(data), par, sha256.New(), failAfter{boom}); !errors.Is(err, boom) {
			t.Errorf("%s: writer error: %v", name, err)
		}
	}
}

func alternate() func() bool {
	i := 0
	return func() bool { i++; return i%2 == 0 }
}

type failAfter struct{ err error }

func (f failAfter) Write(p []byte) (int, error) { return 0, f.err }

func BenchmarkFanOut(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		Copy(context.Background(), bytes.NewReader(data), sha256.New(), sha512.New())
	}
}

func BenchmarkSequential(b *testing.B) {
	data := make([]byte, 64<<20)
	b.SetBytes(int64(len(data)))
	for i := 0; i < b.N; i++ {
		CopyWhen(context.Background(), bytes.NewReader(data), func() bool { return false }, sha256.New(), sha512.New())
	}
}
