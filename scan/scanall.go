package scan

import (
	"context"
	"sync"
)

// ScanAll probes every target, at most opts.Parallelism at a time, and
// returns one Result per target in the order given. Once ctx is cancelled,
// targets not yet started are not dialled: their Result carries ctx's error.
func ScanAll(ctx context.Context, targets []string, opts Options) []*Result {
	opts = opts.withDefaults()
	out := make([]*Result, len(targets))
	sem := make(chan struct{}, opts.Parallelism)

	var wg sync.WaitGroup
	for i, t := range targets {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			out[i] = &Result{Target: t, Err: ctx.Err(), Server: Server{Family: FamilyUnknown,
				Product: "unknown"}}
			continue
		}

		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = Probe(ctx, t, opts)
		}()
	}
	wg.Wait()
	return out
}
