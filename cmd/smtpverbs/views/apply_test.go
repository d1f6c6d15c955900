package views

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/plan"
)

// haltedApply is a rolling apply of 1,2,100% with -max-fail 0 whose canary
// failed: the events it emits and its result. Besides the canary, the fleet
// has a compliant host and 24 hosts of later batches.
func haltedApply() ([]plan.Event, *plan.Result) {
	p := samplePlan()
	const halted = "1 host failed in batch 1, over -max-fail 0"
	canary := &plan.HostResult{Host: p.Hosts[0], Batch: 1, Outcome: plan.OutcomeFailed,
		RolledBack: true, Reason: "10.0.0.5:25 still offers TURN, ETRN after the restart"}
	r := &plan.Result{Halted: halted, Batches: []plan.BatchResult{{Hosts: 1, Failed: 1}},
		Hosts: []*plan.HostResult{canary, {Host: p.Hosts[1], Outcome: plan.OutcomeUnchanged}}}
	for i := range 24 {
		h := &plan.Host{Name: fmt.Sprintf("mail%02d", i+10), Address: "10.0.1.1",
			Status: plan.StatusChange}
		batch := 3
		if i < 2 {
			batch = 2
		}
		r.Hosts = append(r.Hosts, &plan.HostResult{Host: h, Batch: batch,
			Outcome: plan.OutcomeSkipped, Reason: "not started: " + halted,
			Remedy: "Find out why the hosts of the earlier batches failed."})
	}
	r.Summary = plan.ApplySummary{Failed: 1, Unchanged: 1, Skipped: 24, RolledBack: 1}

	at := func(e plan.Event) plan.Event {
		e.Time = planTime
		return e
	}
	events := []plan.Event{
		at(plan.Event{Type: plan.EventBatchStart, Message: "Batch 1 of 3: applying 1 host",
			Batch: &plan.BatchProgress{Number: 1, Of: 3, Hosts: 1}}),
		at(plan.Event{Type: plan.EventApplyStart, Host: p.Hosts[0],
			Message: "mail01: applying"}),
		at(plan.Event{Type: plan.EventApplyErrored, Host: p.Hosts[0],
			Outcome: plan.OutcomeFailed, Message: "mail01: failed: " + canary.Reason}),
		at(plan.Event{Type: plan.EventBatchComplete, Message: "Batch 1 of 3 finished: " +
			halted + "; no further batch starts", Batch: &plan.BatchProgress{Number: 1,
			Of: 3, Hosts: 1, Failed: 1, Halted: true}}),
		at(plan.Event{Type: plan.EventApplyErrored, Host: r.Hosts[2].Host,
			Outcome: plan.OutcomeSkipped, Message: "mail10: skipped: not started: " + halted}),
	}
	return events, r
}

// TestApplyHuman_halted renders what a person sees of a rolling apply that
// its canary stopped: a line per batch event, then the hosts that ran, the
// hosts never started on one line, and why the apply stopped.
func TestApplyHuman_halted(t *testing.T) {
	events, r := haltedApply()
	var buf bytes.Buffer
	for _, e := range events {
		ApplyProgress(&buf, e, Style{})
	}
	ApplyHuman(&buf, r, Style{})

	checkPlanGolden(t, "apply-halted.golden", buf.Bytes())
	checkWidth(t, buf.String())
	if got := strings.Count(buf.String(), "mail11"); got != 1 {
		t.Errorf("wrong result\ngot:  mail11 named %d times\nwant: once, in the list of "+
			"hosts not started", got)
	}
}

func TestApplyProgress_batchColours(t *testing.T) {
	tests := []struct {
		name string
		bp   plan.BatchProgress
		want string
	}{
		{"no failure", plan.BatchProgress{Number: 1, Of: 2}, ansiBold},
		{"failures under the budget", plan.BatchProgress{Number: 1, Of: 2, Failed: 1},
			ansiYellow},
		{"halted", plan.BatchProgress{Number: 1, Of: 2, Failed: 2, Halted: true}, ansiRed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			ApplyProgress(&buf, plan.Event{Type: plan.EventBatchComplete, Batch: &tt.bp,
				Message: "Batch 1 of 2 finished"}, Style{Color: true})
			want := "\x1b[" + tt.want + "m"
			if !strings.HasPrefix(buf.String(), want) {
				t.Errorf("wrong result\ngot:  %q\nwant: starting with %q", buf.String(), want)
			}
		})
	}
}

// TestJSONStream_batches checks the batch object of the batch events.
func TestJSONStream_batches(t *testing.T) {
	events, r := haltedApply()
	var buf bytes.Buffer
	s := NewJSONStream(&buf, func() time.Time { return planTime })
	for _, e := range events {
		s.Event(e)
	}
	s.ApplySummary(r)

	checkPlanGolden(t, "events-batches.jsonl.golden", buf.Bytes())

	var end struct {
		Level string `json:"@level"`
		Type  string `json:"type"`
		Batch struct {
			Number      int  `json:"number"`
			Of          int  `json:"of"`
			Hosts       int  `json:"hosts"`
			FailedSoFar int  `json:"failed_so_far"`
			Halted      bool `json:"halted"`
		} `json:"batch"`
	}
	line := strings.Split(buf.String(), "\n")[3]
	if err := json.Unmarshal([]byte(line), &end); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, line)
	}
	b := end.Batch
	if end.Type != "batch_complete" || end.Level != "error" || b.Number != 1 || b.Of != 3 ||
		b.Hosts != 1 || b.FailedSoFar != 1 || !b.Halted {
		t.Errorf("wrong result\ngot:  %s\nwant: an error-level batch_complete of batch 1 of 3, "+
			"1 host, 1 failed, halted", line)
	}
}

func TestBatchPlan(t *testing.T) {
	five := make([]int, 99)
	for i := range five {
		five[i] = 5
	}
	tests := []struct {
		name  string
		hosts []int
		limit *plan.FailLimit
		want  string
	}{
		{"no batches", nil, nil, ""},
		{"canary", []int{1, 4, 43}, &plan.FailLimit{N: 0}, "Rolling apply in 3 batches: 1 " +
			"host, then 4 hosts, then 43 hosts. A batch starts only when every host of the " +
			"one before has finished. No further batch starts once more than 0 hosts have " +
			"failed (-max-fail 0)."},
		{"runs of one size", append(five, 4), &plan.FailLimit{N: 10, Percent: true},
			"Rolling apply in 100 batches: 99 batches of 5 hosts, then 4 hosts. A batch " +
				"starts only when every host of the one before has finished. No further " +
				"batch starts once more than 10% of the hosts started have failed " +
				"(-max-fail 10%)."},
		{"no limit", []int{2}, nil, "Rolling apply in 1 batch: 2 hosts. A batch starts " +
			"only when every host of the one before has finished. Failures do not stop " +
			"later batches (no -max-fail)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			BatchPlan(&buf, tt.hosts, tt.limit, Style{})
			checkWidth(t, buf.String())
			if got := strings.Join(strings.Fields(buf.String()), " "); got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
		})
	}
}
