package plan

import (
	"context"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/verb"
)

// BenchmarkApply_batches measures what the barrier between batches costs:
// 100 fake hosts whose write (with its restart) takes 2 to 10 ms, applied at
// parallelism 10 in one batch, in batches of 10, canary-style and with
// -max-fail alone. A batch lasts as long as its slowest host, so batches
// cost the difference between the sum of each batch's slowest write and
// the fleet's writes spread over 10 workers. It reports the wall time of an
// apply and its ratio to the best case, total write time / parallelism.
func BenchmarkApply_batches(b *testing.B) {
	const hosts, parallelism = 100, 10
	delay := func(i int) time.Duration {
		return time.Duration(2+(i*7)%9) * time.Millisecond
	}
	var floor time.Duration
	for i := range hosts {
		floor += delay(i)
	}
	floor /= parallelism

	cases := []struct {
		name    string
		batches string
		maxFail string
	}{
		{"one batch", "", ""},
		{"batch=10", "10", ""},
		{"batch=1,10%,100%", "1,10%,100%", ""},
		{"max-fail=0 alone", "", "0"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var total time.Duration
			for range b.N {
				b.StopTimer()
				p, opts := benchFleet(b, hosts, delay)
				opts.Parallelism = parallelism
				if c.batches != "" {
					opts.Batches, _ = ParseBatchSizes(c.batches)
				}
				if c.maxFail != "" {
					l, _ := ParseFailLimit(c.maxFail)
					opts.MaxFail = &l
				}
				b.StartTimer()

				start := time.Now()
				r := Apply(context.Background(), p, opts)
				total += time.Since(start)
				if r.Summary.Applied != hosts {
					b.Fatalf("wrong result: %+v", r.Summary)
				}
			}
			per := total / time.Duration(b.N)
			b.ReportMetric(per.Seconds()*1000, "ms/apply")
			b.ReportMetric(float64(per)/float64(floor), "x_floor")
		})
	}
}

// benchFleet plans n fake hosts whose writes take delay(i).
func benchFleet(b *testing.B, n int, delay func(int) time.Duration) (*Plan, ApplyOptions) {
	b.Helper()
	var hosts []*fakeHost
	servers := cfgServersFor(n, func(i int, addr string) {
		h := newFakeHost(serverName(i%100), addr, verb.SchemaDefault)
		h.beforeWrite = func() { time.Sleep(delay(i)) }
		hosts = append(hosts, h)
	})
	fp := newFakeProvider(hosts...)
	opts := testOptions(fp)
	opts.Probe = fp.probe
	p, err := Make(context.Background(), testConfig(servers...), nil, opts)
	if err != nil {
		b.Fatal(err)
	}
	return p, ApplyOptions{Options: opts}
}
