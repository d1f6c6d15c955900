package scan

import (
	"context"
	"fmt"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab/smtpd"
	"github.com/smtpverbs/smtpverbs/verb"
)

// BenchmarkScan probes 500 lab IIS SMTP listeners, each on its own loopback
// address, 50 at a time, with every active check on, and reports targets
// per second. The target is 500 or more.
func BenchmarkScan(b *testing.B) {
	const n = 500
	targets := make([]string, n)
	for i := range n {
		// Every other host still runs the schema default, the rest are clean.
		flags := verb.SchemaDefault
		if i%2 == 1 {
			flags &^= 0x480
		}
		addr := fmt.Sprintf("127.0.%d.%d:0", 10+i/250, 1+i%250)
		srv := labServerAt(b, addr, smtpd.Config{Version: "10.0.17763.1697", Flags: flags,
			Hostname: fmt.Sprintf("mail%03d.corp.example", i)})
		targets[i] = srv.Addr()
	}
	opts := Options{Relay: true, STARTTLS: true, Parallelism: 50}

	b.ResetTimer()
	for b.Loop() {
		for _, r := range ScanAll(context.Background(), targets, opts) {
			if r.Err != nil {
				b.Fatalf("%s: %v", r.Target, r.Err)
			}
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "targets/s")
}
