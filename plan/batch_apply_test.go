package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// These tests apply fleets of fake hosts in rolling batches.

// fleet returns n healthy fake hosts that will change, their provider and
// their plan.
func fleet(t *testing.T, n int) ([]*fakeHost, *fakeProvider, *Plan) {
	t.Helper()
	var hosts []*fakeHost
	cfgServersFor(n, func(i int, addr string) {
		hosts = append(hosts, newFakeHost(serverName(i), addr, verb.SchemaDefault))
	})
	fp := newFakeProvider(hosts...)
	return hosts, fp, planFor(t, fp, hosts, nil)
}

// eventLog records events from Apply's callback.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func (l *eventLog) add(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func mustBatches(t *testing.T, s string) []BatchSize {
	t.Helper()
	sizes, err := ParseBatchSizes(s)
	if err != nil {
		t.Fatal(err)
	}
	return sizes
}

func mustLimit(t *testing.T, s string) *FailLimit {
	t.Helper()
	l, err := ParseFailLimit(s)
	if err != nil {
		t.Fatal(err)
	}
	return &l
}

func outcomes(r *Result) []Outcome {
	var out []Outcome
	for _, hr := range r.Hosts {
		out = append(out, hr.Outcome)
	}
	return out
}

// TestApply_batchesRunOneAfterTheOther checks that every event of a host
// falls between the start and the end of its own batch, and that the
// batches take the hosts in plan order.
func TestApply_batchesRunOneAfterTheOther(t *testing.T) {
	_, fp, p := fleet(t, 6)
	opts := applyOptions(fp)
	opts.Batches = mustBatches(t, "1,2,100%")
	var log eventLog
	opts.Events = log.add

	r := Apply(context.Background(), p, opts)

	if got := outcomes(r); slices.ContainsFunc(got, func(o Outcome) bool {
		return o != OutcomeApplied
	}) {
		t.Fatalf("wrong outcomes\ngot:  %v\nwant: all applied", got)
	}
	wantBatch := map[string]int{"m00": 1, "m01": 2, "m02": 2, "m03": 3, "m04": 3, "m05": 3}
	batch, open := 0, false
	var sizes []int
	for _, e := range log.events {
		switch e.Type {
		case EventBatchStart:
			if open || e.Batch.Number != batch+1 || e.Batch.Of != 3 {
				t.Fatalf("wrong batch start\ngot:  %+v (batch %d open=%v)\nwant: batch %d of "+
					"3 after the end of the one before", *e.Batch, batch, open, batch+1)
			}
			batch, open = e.Batch.Number, true
			sizes = append(sizes, e.Batch.Hosts)
		case EventBatchComplete:
			if !open || e.Batch.Number != batch || e.Batch.Halted {
				t.Fatalf("wrong batch end\ngot:  %+v\nwant: the end of batch %d", *e.Batch,
					batch)
			}
			open = false
		default:
			if !open || wantBatch[e.Host.Name] != batch {
				t.Errorf("wrong batch for %s %s\ngot:  batch %d (open=%v)\nwant: inside "+
					"batch %d", e.Host.Name, e.Type, batch, open, wantBatch[e.Host.Name])
			}
		}
	}
	if !slices.Equal(sizes, []int{1, 2, 3}) {
		t.Errorf("wrong batch sizes\ngot:  %v\nwant: [1 2 3]", sizes)
	}
	if len(r.Batches) != 3 || r.Halted != "" {
		t.Errorf("wrong result\ngot:  %d batches, halted %q\nwant: 3 batches, not halted",
			len(r.Batches), r.Halted)
	}
}

// TestApply_failingCanaryStopsTheRest applies -batch 1,100% -max-fail 0 to
// a fleet whose first host keeps offering TURN: the canary fails and is
// rolled back, and nothing is written to the other hosts.
func TestApply_failingCanaryStopsTheRest(t *testing.T) {
	hosts, fp, p := fleet(t, 5)
	hosts[0].frozen = true
	opts := applyOptions(fp)
	opts.Batches = mustBatches(t, "1,100%")
	opts.MaxFail = mustLimit(t, "0")
	var log eventLog
	opts.Events = log.add

	r := Apply(context.Background(), p, opts)

	if hr := r.Hosts[0]; hr.Outcome != OutcomeFailed || !hr.RolledBack {
		t.Errorf("wrong canary\ngot:  %s rolled back=%v (%s)\nwant: failed, rolled back",
			hr.Outcome, hr.RolledBack, hr.Reason)
	}
	const reason = "not started: 1 host failed in batch 1, over -max-fail 0"
	for i, hr := range r.Hosts[1:] {
		if hr.Outcome != OutcomeSkipped || hr.Reason != reason || hosts[i+1].writeCount() != 0 {
			t.Errorf("wrong host %s\ngot:  %s (%s), %d writes\nwant: skipped (%s), 0 writes",
				hr.Host.Name, hr.Outcome, hr.Reason, hosts[i+1].writeCount(), reason)
		}
	}
	if got := []int{r.Hosts[0].Batch, r.Hosts[1].Batch, r.Hosts[4].Batch}; !slices.Equal(got,
		[]int{1, 2, 2}) {
		t.Errorf("wrong batch numbers\ngot:  %v\nwant: [1 2 2]", got)
	}
	if r.Halted != "1 host failed in batch 1, over -max-fail 0" || r.ExitCode() != 1 {
		t.Errorf("wrong result\ngot:  halted %q, exit %d\nwant: halted, exit 1", r.Halted,
			r.ExitCode())
	}

	var types []EventType
	for _, e := range log.events {
		if e.Batch != nil {
			types = append(types, e.Type)
			if e.Type == EventBatchComplete && (!e.Batch.Halted || e.Batch.Failed != 1 ||
				!strings.Contains(e.Message, "no further batch starts")) {
				t.Errorf("wrong batch end\ngot:  %+v %q\nwant: halted, 1 failed", *e.Batch,
					e.Message)
			}
		}
	}
	if want := []EventType{EventBatchStart, EventBatchComplete}; !slices.Equal(types, want) {
		t.Errorf("wrong batch events\ngot:  %v\nwant: %v", types, want)
	}
}

// TestApply_failBudget checks what counts against -max-fail and when the
// budget stops the apply.
func TestApply_failBudget(t *testing.T) {
	unreachable := &providers.HostError{Kind: providers.KindUnreachable,
		Err: errors.New("connection refused")}
	denied := func(h *fakeHost) { h.writeErr = errors.New("access denied") }
	gone := func(h *fakeHost) { h.readErr, h.openErr = unreachable, unreachable }
	tests := []struct {
		name        string
		hosts       int
		parallelism int
		batches     string // "" for none
		maxFail     string
		faults      map[int]func(*fakeHost) // after the plan, by host index
		want        string                  // outcomes: a applied, f failed, s skipped, ...
		wantHalted  string
	}{
		{
			name: "under the count", hosts: 6, batches: "2", maxFail: "1",
			faults: map[int]func(*fakeHost){1: denied},
			want:   "afaaaa",
		},
		{
			name: "over the count across batches", hosts: 8, batches: "2", maxFail: "1",
			faults: map[int]func(*fakeHost){1: denied, 2: denied},
			want:   "affassss", wantHalted: "2 hosts failed in batches 1 and 2, over -max-fail 1",
		},
		{
			name: "exactly the percentage", hosts: 10, batches: "5", maxFail: "20%",
			faults: map[int]func(*fakeHost){0: denied},
			want:   "faaaaaaaaa",
		},
		{
			name: "over the percentage", hosts: 10, batches: "5", maxFail: "20%",
			faults: map[int]func(*fakeHost){0: denied, 4: denied},
			want:   "faaafsssss",
			wantHalted: "2 of 5 hosts started (40%) failed in batch 1, " +
				"over -max-fail 20%",
		},
		{
			name: "stale counts", hosts: 3, batches: "1", maxFail: "0",
			faults: map[int]func(*fakeHost){0: func(h *fakeHost) { h.set(1, 0x7574c0) }},
			want:   "Tss", wantHalted: "1 host failed in batch 1, over -max-fail 0",
		},
		{
			name: "unreachable before writing does not count", hosts: 3, batches: "1",
			maxFail: "0", faults: map[int]func(*fakeHost){0: gone},
			want: "uaa",
		},
		{
			name: "unreachable while writing counts", hosts: 3, batches: "1", maxFail: "0",
			faults: map[int]func(*fakeHost){0: func(h *fakeHost) { h.writeErr = unreachable }},
			want:   "uss", wantHalted: "1 host failed in batch 1, over -max-fail 0",
		},
		{
			name: "-max-fail alone: batches of -parallelism", hosts: 5, parallelism: 2,
			maxFail: "0", faults: map[int]func(*fakeHost){1: denied},
			want: "afsss", wantHalted: "1 host failed in batch 1, over -max-fail 0",
		},
		{
			name: "a failure in the last batch stops nothing", hosts: 3, batches: "2",
			maxFail: "0", faults: map[int]func(*fakeHost){2: denied},
			want: "aaf",
		},
	}
	letter := map[Outcome]byte{OutcomeApplied: 'a', OutcomeFailed: 'f', OutcomeSkipped: 's',
		OutcomeStale: 'T', OutcomeUnreachable: 'u'}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hosts, fp, p := fleet(t, tt.hosts)
			for i, fault := range tt.faults {
				fault(hosts[i])
			}
			opts := applyOptions(fp)
			opts.Parallelism = tt.parallelism
			if tt.batches != "" {
				opts.Batches = mustBatches(t, tt.batches)
			}
			opts.MaxFail = mustLimit(t, tt.maxFail)

			r := Apply(context.Background(), p, opts)

			var got []byte
			for _, o := range outcomes(r) {
				got = append(got, letter[o])
			}
			if string(got) != tt.want || r.Halted != tt.wantHalted {
				t.Errorf("wrong result\ngot:  %s halted %q\nwant: %s halted %q", got, r.Halted,
					tt.want, tt.wantHalted)
			}
			for i, hr := range r.Hosts {
				if hr.Outcome == OutcomeSkipped && hosts[i].writeCount() != 0 {
					t.Errorf("skipped host %s was written", hr.Host.Name)
				}
			}
		})
	}
}

// TestApply_unreachableCountedApart checks that the batch events count
// hosts unreachable before writing apart from the failures.
func TestApply_unreachableCountedApart(t *testing.T) {
	hosts, fp, p := fleet(t, 3)
	err := &providers.HostError{Kind: providers.KindUnreachable, Err: errors.New("refused")}
	hosts[0].readErr, hosts[0].openErr = err, err
	opts := applyOptions(fp)
	opts.Batches = mustBatches(t, "1")
	opts.MaxFail = mustLimit(t, "0")
	var log eventLog
	opts.Events = log.add

	r := Apply(context.Background(), p, opts)

	var last *BatchProgress
	for _, e := range log.events {
		if e.Type == EventBatchComplete {
			last = e.Batch
			if e.Batch.Number == 1 && !strings.Contains(e.Message,
				"0 hosts failed so far, 1 unreachable (not counted) (-max-fail 0)") {
				t.Errorf("wrong message\ngot:  %s\nwant: counting the unreachable host apart",
					e.Message)
			}
		}
	}
	if last == nil || last.Failed != 0 || last.Unreachable != 1 || last.Number != 3 {
		t.Errorf("wrong last batch\ngot:  %+v\nwant: batch 3, 0 failed, 1 unreachable", last)
	}
	want := []BatchResult{{Hosts: 1, Unreachable: 1}, {Hosts: 1}, {Hosts: 1}}
	if !slices.Equal(r.Batches, want) {
		t.Errorf("wrong batches\ngot:  %+v\nwant: %+v", r.Batches, want)
	}
}

// TestApply_interruptedBetweenBatches cancels when the first batch ends:
// no further batch starts and its hosts are skipped as interrupted.
func TestApply_interruptedBetweenBatches(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	hosts, fp, p := fleet(t, 5)
	opts := applyOptions(fp)
	opts.Batches = mustBatches(t, "2")
	var log eventLog
	opts.Events = func(e Event) {
		log.add(e)
		if e.Type == EventBatchComplete {
			cancel() // Ctrl-C as the first batch ends
		}
	}

	r := Apply(ctx, p, opts)

	if got, want := outcomes(r), []Outcome{OutcomeApplied, OutcomeApplied, OutcomeSkipped,
		OutcomeSkipped, OutcomeSkipped}; !slices.Equal(got, want) {
		t.Errorf("wrong outcomes\ngot:  %v\nwant: %v", got, want)
	}
	for i, hr := range r.Hosts[2:] {
		if hr.Reason != reasonInterrupted || hosts[i+2].writeCount() != 0 {
			t.Errorf("wrong host %s\ngot:  %q, %d writes\nwant: %q, 0 writes", hr.Host.Name,
				hr.Reason, hosts[i+2].writeCount(), reasonInterrupted)
		}
	}
	starts := 0
	for _, e := range log.events {
		if e.Type == EventBatchStart {
			starts++
		}
	}
	if starts != 1 || !r.Interrupted || r.Halted != "" {
		t.Errorf("wrong result\ngot:  %d batches started, interrupted=%v, halted %q\nwant: 1, "+
			"true, not halted", starts, r.Interrupted, r.Halted)
	}
}

// TestApply_noBatchesByDefault checks that an apply without batches or a
// budget reports no batch.
func TestApply_noBatchesByDefault(t *testing.T) {
	_, fp, p := fleet(t, 3)
	opts := applyOptions(fp)
	var log eventLog
	opts.Events = log.add

	r := Apply(context.Background(), p, opts)

	for _, e := range log.events {
		if e.Batch != nil || e.Type == EventBatchStart || e.Type == EventBatchComplete {
			t.Errorf("unexpected batch event: %s %q", e.Type, e.Message)
		}
	}
	if r.Batches != nil || r.Summary.Applied != 3 {
		t.Errorf("wrong result\ngot:  batches %v, %d applied\nwant: none, 3 applied",
			r.Batches, r.Summary.Applied)
	}
}

func ExampleParseBatchSizes() {
	sizes, err := ParseBatchSizes("1,10%,100%")
	fmt.Println(sizes, err)
	_, err = ParseBatchSizes("150%")
	fmt.Println(err)
	// Output:
	// [1 10% 100%] <nil>
	// batch size 150%: a percentage of the hosts can be at most 100%
}
