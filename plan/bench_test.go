package plan

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/lab"
)

// benchLatency is the time the lab adds to every WinRM answer in BenchmarkMake.
const benchLatency = 20 * time.Millisecond

// BenchmarkMake plans 200 lab hosts whose WinRM answers each take 20 ms
// longer, at parallelism 1 and 50, over HTTPS (the default) and plain HTTP,
// and reports the plan time, hosts per second, WinRM requests per host, and
// the ratio to the floor: batches x requests per host x latency. The SMTP
// probe is off so the figure is the WinRM cost alone.
//
// The lab runs in the same process on the same two cores, so its TLS and
// XML work competes with the client's; against real hosts that work happens
// on the hosts.
func BenchmarkMake(b *testing.B) {
	spec := lab.Generate(200)
	for i := range spec.Hosts {
		spec.Hosts[i].Faults.Latency = benchLatency
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

	for _, transport := range []string{"https", "http"} {
		for _, par := range []int{1, 50} {
			name := fmt.Sprintf("%s/parallelism=%d", transport, par)
			b.Run(name, func(b *testing.B) {
				benchMake(b, cfg, transport, par)
			})
		}
	}
}

// benchMake plans every server of cfg over transport at parallelism par.
func benchMake(b *testing.B, cfg *config.Config, transport string, par int) {
	for _, c := range cfg.Connections {
		c.HTTPS = transport == "https"
		c.Port = map[string]int{"https": 5986, "http": 5985}[transport]
	}
	{
		{
			opts := Options{Provider: labOptions(cfg).Provider, Parallelism: par}
			var p *Plan
			var err error
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
			perHost := float64(requests) / float64(len(p.Hosts))
			batches := (len(p.Hosts) + par - 1) / par
			floor := float64(batches) * perHost * benchLatency.Seconds()
			b.ReportMetric(perHost, "requests/host")
			b.ReportMetric(perPlan/floor, "x-floor")
		}
	}
}
