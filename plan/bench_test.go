package plan

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/lab"
)

// BenchmarkMake plans 200 lab hosts whose WinRM answers each take 20 ms
// longer, at parallelism 1 and 50, and reports the plan time, hosts per
// second and WinRM requests per host. The SMTP probe is off so the figure
// is the WinRM cost alone.
func BenchmarkMake(b *testing.B) {
	spec := lab.Generate(200)
	for i := range spec.Hosts {
		spec.Hosts[i].Faults.Latency = 20 * time.Millisecond
	}
	dir := b.TempDir()
	l, err := lab.Start(context.Background(), spec, lab.Options{Dir: dir})
	if err != nil {
		b.Fatalf("start lab: %v", err)
	}
	defer l.Close()
	cfg, diags := config.Load(dir, config.Inputs{})
	if diags.HasErrors() {
		b.Fatalf("load lab configuration: %v", diags)
	}

	for _, par := range []int{1, 50} {
		b.Run(fmt.Sprintf("parallelism=%d", par), func(b *testing.B) {
			opts := Options{Provider: labOptions(cfg).Provider, Parallelism: par}
			var p *Plan
			start := time.Now()
			for b.Loop() {
				p, err = Make(context.Background(), cfg, nil, opts)
				if err != nil {
					b.Fatal(err)
				}
			}
			perPlan := time.Since(start).Seconds() / float64(b.N)

			requests := 0
			for _, h := range p.Hosts {
				if h.Status != StatusChange && h.Status != StatusCompliant {
					b.Fatalf("host %s: %s: %s", h.Name, h.Status, h.Reason)
				}
				requests += h.Requests
			}
			b.ReportMetric(perPlan, "s/plan")
			b.ReportMetric(float64(len(p.Hosts))/perPlan, "hosts/s")
			b.ReportMetric(float64(requests)/float64(len(p.Hosts)), "requests/host")
		})
	}
}
