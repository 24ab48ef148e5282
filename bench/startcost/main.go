// Command startcost times, once each in a fresh process, the lazy
// start-up work sigaudit's commands do before their real work (embedded
// trust root, record, timeline, policy), so that fixed cost can be
// attributed. Run it several times; GODEBUG=inittrace=1 covers package
// initialization.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/timeline"
)

func main() {
	t := func(name string, f func()) {
		s := time.Now()
		f()
		fmt.Fprintf(os.Stdout, "%-28s %8.3f ms\n", name, float64(time.Since(s).Microseconds())/1000)
	}
	t("timeline.EmbeddedInfo", func() { timeline.EmbeddedInfo() })
	t("sigstore.EmbeddedRootInfo", func() { sigstore.EmbeddedRootInfo() })
	t("record.Info", func() { record.Info() })
}
