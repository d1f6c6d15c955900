package plan

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Rolling batches and the failure budget.
//
// Apply can take the hosts that will change in batches, in plan order: a
// batch starts only when every host of the one before has finished, restart
// and SMTP verification included. After each batch the hosts that failed so
// far are counted against a failure budget; once it is exceeded no further
// batch starts and the hosts left end as skipped. With a first batch of one
// host, that host is a canary.
//
// What counts against the budget: a host that ended failed or stale, and a
// host that became unreachable or refused the credentials after its write
// was attempted (it may have been written, and it may be the change that
// broke it). A host that could not be reached or refused the credentials
// before anything was written to it is counted apart, as unreachable: a
// network or credentials problem says nothing about the change, and
// Ansible's history of mixing the two (max_fail_percentage counting dead
// hosts) shows how surprising that is. Hosts found unmanageable at apply
// time, and hosts skipped, do not count either.

// The events of a rolling apply. They are emitted only when ApplyOptions
// asks for batches or a failure budget.
const (
	EventBatchStart    EventType = "batch_start"    // a batch of hosts starts
	EventBatchComplete EventType = "batch_complete" // every host of a batch finished
)

// BatchSize is one entry of a list of batch sizes: a number of hosts, or a
// percentage of the hosts that will change.
type BatchSize struct {
	// N is the number of hosts, or the percentage (1 to 100) when Percent
	// is set.
	N       int
	Percent bool
}

// String returns s as it is written on the command line: "5" or "10%".
func (s BatchSize) String() string {
	if s.Percent {
		return strconv.Itoa(s.N) + "%"
	}
	return strconv.Itoa(s.N)
}

// hosts is how many of total hosts a batch of size s takes: a percentage
// is rounded down, but a batch always takes at least one host.
func (s BatchSize) hosts(total int) int {
	if !s.Percent {
		return s.N
	}
	return max(1, total*s.N/100)
}

// ParseBatchSizes reads a comma-separated list of batch sizes such as
// "1,10%,100%": each a number of hosts (1 or more) or a percentage of the
// hosts that will change (1% to 100%). The error says how to write it.
func ParseBatchSizes(s string) ([]BatchSize, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("no batch sizes: give sizes separated by commas, " +
			"such as 1,10%,100% (a number of hosts, or a percentage of the hosts that " +
			"will change)")
	}

	var sizes []BatchSize
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		n, percent, err := parseCount(f)
		switch {
		case err != nil:
			return nil, fmt.Errorf("%q is not a batch size: give a number of hosts, such as "+
				"5, or a percentage of the hosts that will change, such as 10%%", f)
		case n < 1:
			return nil, fmt.Errorf("batch size %s: a batch needs at least one host; give 1 "+
				"or more, or a percentage from 1%% to 100%%", f)
		case percent && n > 100:
			return nil, fmt.Errorf("batch size %s: a percentage of the hosts can be at most "+
				"100%%", f)
		}
		sizes = append(sizes, BatchSize{N: n, Percent: percent})
	}
	return sizes, nil
}

// FailLimit is a failure budget: how many hosts may fail, as a number or as
// a percentage of the hosts started so far, before no further batch starts.
// A limit of 0 stops after the first batch with a failure.
type FailLimit struct {
	// N is the number of hosts, or the percentage (0 to 100) when Percent
	// is set.
	N       int
	Percent bool
}

// String returns l as it is written on the command line: "1" or "10%".
func (l FailLimit) String() string {
	return BatchSize(l).String()
}

// ParseFailLimit reads a failure budget: a number of hosts (0 or more) or a
// percentage of the hosts started (0% to 100%). The error says how to
// write it.
func ParseFailLimit(s string) (FailLimit, error) {
	s = strings.TrimSpace(s)
	n, percent, err := parseCount(s)
	switch {
	case err != nil:
		return FailLimit{}, fmt.Errorf("%q is not a failure limit: give a number of hosts, "+
			"such as 0 or 2, or a percentage of the hosts started, such as 10%%", s)
	case n < 0:
		return FailLimit{}, fmt.Errorf("failure limit %s: give 0 (stop after any failure) "+
			"or more", s)
	case percent && n > 100:
		return FailLimit{}, fmt.Errorf("failure limit %s: a percentage of the hosts can be "+
			"at most 100%%", s)
	}
	return FailLimit{N: n, Percent: percent}, nil
}

// exceeded reports whether failed hosts out of started go over l.
func (l FailLimit) exceeded(failed, started int) bool {
	if l.Percent {
		return failed*100 > l.N*started
	}
	return failed > l.N
}

// parseCount reads "7" or "7%". Only decimal integers are accepted.
func parseCount(s string) (n int, percent bool, err error) {
	digits, percent := strings.CutSuffix(s, "%")
	n, err = strconv.Atoi(digits)
	return n, percent, err
}

// splitBatches cuts hosts, in order, into batches of the given sizes; the
// last size repeats until every host has a batch. No sizes means one batch
// of everything.
func splitBatches[T any](hosts []T, sizes []BatchSize) [][]T {
	if len(hosts) == 0 {
		return nil
	}
	if len(sizes) == 0 {
		return [][]T{hosts}
	}

	var batches [][]T
	for i, rest := 0, hosts; len(rest) > 0; i++ {
		n := sizes[min(i, len(sizes)-1)].hosts(len(hosts))
		n = min(n, len(rest))
		batches = append(batches, rest[:n:n])
		rest = rest[n:]
	}
	return batches
}

// applyBatches applies one batch after the other, counting failures
// against the budget after each, and gives the hosts of batches that do not
// start an outcome that says why.
func (a *applier) applyBatches(ctx context.Context, r *Result, batches [][]*HostResult) {
	if a.opts.rolling() {
		for i, batch := range batches {
			for _, hr := range batch {
				hr.Batch = i + 1
			}
		}
	}

	var started, failed, unreachable int
	for i, batch := range batches {
		if ctx.Err() != nil {
			skipAll(a, batches[i:], reasonInterrupted, skipRemedy)
			return
		}
		progress := &BatchProgress{Number: i + 1, Of: len(batches), Hosts: len(batch),
			Failed: failed, Unreachable: unreachable}
		a.emitBatch(EventBatchStart, progress, fmt.Sprintf("Batch %d of %d: applying %d %s",
			i+1, len(batches), len(batch), plural(len(batch), "host", "hosts")))

		a.applyBatch(ctx, batch)
		if !a.opts.rolling() {
			continue
		}

		// Count the finished batch against the budget.
		br := tally(batch)
		r.Batches = append(r.Batches, br)
		failed += br.Failed
		unreachable += br.Unreachable
		started += br.Hosts
		done := *progress
		done.Failed, done.Unreachable = failed, unreachable
		limit := a.opts.MaxFail
		more := i+1 < len(batches)
		done.Halted = more && limit != nil && limit.exceeded(failed, started)
		if done.Halted {
			r.Halted = haltReason(*limit, r.Batches)
		}
		a.emitBatch(EventBatchComplete, &done, batchDoneMessage(&done, limit, r.Halted))

		if done.Halted {
			skipAll(a, batches[i+1:], "not started: "+r.Halted, remedyHalted)
			return
		}
	}
}

// skipAll gives every host of batches the skipped outcome.
func skipAll(a *applier, batches [][]*HostResult, reason, remedy string) {
	for _, batch := range batches {
		for _, hr := range batch {
			hr.finish(OutcomeSkipped, reason, remedy)
			a.done(hr)
		}
	}
}

// emitBatch reports the start or end of a batch of a rolling apply.
func (a *applier) emitBatch(t EventType, bp *BatchProgress, msg string) {
	if a.opts.rolling() {
		a.em.emit(Event{Type: t, Batch: bp, Message: msg})
	}
}

// batchDoneMessage is the message of a batch_complete event, e.g. "Batch 1
// of 3 finished: 1 host failed so far (-max-fail 2)".
func batchDoneMessage(bp *BatchProgress, limit *FailLimit, halted string) string {
	head := fmt.Sprintf("Batch %d of %d finished", bp.Number, bp.Of)
	if bp.Halted {
		return fmt.Sprintf("%s: %s; no further batch starts", head, halted)
	}
	msg := fmt.Sprintf("%s: %d %s failed so far", head, bp.Failed,
		plural(bp.Failed, "host", "hosts"))
	if bp.Unreachable > 0 {
		msg += fmt.Sprintf(", %d unreachable (not counted)", bp.Unreachable)
	}
	if limit != nil {
		msg += fmt.Sprintf(" (-max-fail %s)", limit)
	}
	return msg
}

// BatchHosts returns how many hosts each batch of an Apply of p with o
// takes, in order, so that a person can see the batches before approving;
// nil when o asks for neither batches nor a failure budget.
func (o ApplyOptions) BatchHosts(p *Plan) []int {
	if !o.rolling() {
		return nil
	}
	o.Options = o.Options.withDefaults()
	var changing []*Host
	for _, h := range p.Hosts {
		if h.Status == StatusChange {
			changing = append(changing, h)
		}
	}

	var out []int
	for _, b := range splitBatches(changing, o.batchSizes()) {
		out = append(out, len(b))
	}
	return out
}

// BatchProgress is where a rolling apply stands, carried by the batch_start
// and batch_complete events.
type BatchProgress struct {
	// Number is the batch's position, from 1; Of is how many batches the
	// apply has in all.
	Number int
	Of     int

	// Hosts is how many hosts the batch takes.
	Hosts int

	// Failed counts the hosts of this and earlier batches that count
	// against the failure budget; Unreachable those that could not be
	// reached or refused the credentials before anything was written, which
	// do not.
	Failed      int
	Unreachable int

	// Halted is set on batch_complete when the failure budget is exceeded:
	// no further batch starts.
	Halted bool
}

// BatchResult is what one batch of a rolling apply did.
type BatchResult struct {
	// Hosts is how many hosts the batch took.
	Hosts int `json:"hosts"`

	// Failed counts the hosts of the batch that count against the failure
	// budget; Unreachable those that could not be reached or refused the
	// credentials before anything was written.
	Failed      int `json:"failed"`
	Unreachable int `json:"unreachable"`
}

// countsAsFailure reports whether hr counts against the failure budget.
func countsAsFailure(hr *HostResult) bool {
	switch hr.Outcome {
	case OutcomeFailed, OutcomeStale:
		return true
	case OutcomeUnreachable, OutcomeAuthFailed:
		return wroteTo(hr)
	}
	return false
}

// countsAsUnreachable reports whether hr could not be reached, or refused
// the credentials, before anything was written to it.
func countsAsUnreachable(hr *HostResult) bool {
	switch hr.Outcome {
	case OutcomeUnreachable, OutcomeAuthFailed:
		return !wroteTo(hr)
	}
	return false
}

// wroteTo reports whether a write to hr's host was attempted.
func wroteTo(hr *HostResult) bool {
	for _, st := range hr.Steps {
		if st.Name == "write" {
			return true
		}
	}
	return false
}

// tally counts the outcomes of a finished batch.
func tally(batch []*HostResult) BatchResult {
	br := BatchResult{Hosts: len(batch)}
	for _, hr := range batch {
		switch {
		case countsAsFailure(hr):
			br.Failed++
		case countsAsUnreachable(hr):
			br.Unreachable++
		}
	}
	return br
}

// haltReason says why no further batch starts, e.g. "2 hosts failed in
// batch 1, over -max-fail 1".
func haltReason(limit FailLimit, batches []BatchResult) string {
	failed, started := 0, 0
	var where []int
	for i, b := range batches {
		failed += b.Failed
		started += b.Hosts
		if b.Failed > 0 {
			where = append(where, i+1)
		}
	}

	count := fmt.Sprintf("%d %s", failed, plural(failed, "host", "hosts"))
	if limit.Percent {
		count = fmt.Sprintf("%d of %d hosts started (%s)", failed, started,
			percentOf(failed, started))
	}
	return fmt.Sprintf("%s failed in %s, over -max-fail %s", count, batchList(where), limit)
}

// percentOf writes part/whole as a percentage, with one decimal when it is
// not whole: "25%", "33.3%".
func percentOf(part, whole int) string {
	if part*100%whole == 0 {
		return fmt.Sprintf("%d%%", part*100/whole)
	}
	return fmt.Sprintf("%.1f%%", float64(part)*100/float64(whole))
}

// batchList names batches: "batch 1", "batches 1 and 3", "batches 1, 2 and 4".
func batchList(nums []int) string {
	if len(nums) == 1 {
		return fmt.Sprintf("batch %d", nums[0])
	}
	words := make([]string, len(nums))
	for i, n := range nums {
		words[i] = strconv.Itoa(n)
	}
	last := len(words) - 1
	return "batches " + strings.Join(words[:last], ", ") + " and " + words[last]
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
