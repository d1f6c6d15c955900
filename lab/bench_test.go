package lab

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// BenchmarkStart1000 starts a generated lab of 1000 hosts (3000 listeners and
// 1000 simulated machines) and reports how long the start takes and how much
// memory the running lab holds. Targets on 2 cores: under 5 s and 400 MB.
func BenchmarkStart1000(b *testing.B) {
	spec := Generate(1000)
	for i := 0; i < b.N; i++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)

		start := time.Now()
		l, err := Start(context.Background(), spec, Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		elapsed := time.Since(start)

		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		held := float64(after.HeapInuse+after.StackInuse-before.HeapInuse-before.StackInuse) /
			(1 << 20)

		b.ReportMetric(elapsed.Seconds(), "s/start")
		b.ReportMetric(held, "MB-held")
		b.ReportMetric(float64(after.Sys)/(1<<20), "MB-sys")
		b.ReportMetric(float64(runtime.NumGoroutine()), "goroutines")
		if i == 0 {
			b.Logf("1000 hosts up in %v holding %.1f MB (heap+stacks), SMTP on port %d",
				elapsed.Round(time.Millisecond), held, l.SMTPPort)
		}
		l.Close()
	}
}
