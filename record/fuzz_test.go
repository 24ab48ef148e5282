package record

import (
	"testing"
	"time"
)

func FuzzSignedInWindow(f *testing.F) {
	for _, s := range []string{"3.13.5", "3.15.0a9", "3.16.0a1", "3.9.3", "3.12.0a1", "2.8.0", "3.13", "999.999.999rc999", ""} {
		f.Add(s, int64(1749663972), "3.13")
	}
	f.Fuzz(func(t *testing.T, v string, unix int64, line string) {
		ok, reason := SignedInWindow(v, time.Unix(unix, 0), line)
		if reason == "" {
			t.Fatalf("%q: no reason", v)
		}
		if ok {
			if _, valid := parseVersion(v); !valid {
				t.Fatalf("accepted malformed %q", v)
			}
		}
	})
}
