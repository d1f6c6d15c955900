package command

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab"
)

// These tests run rolling applies through Main against a lab whose first
// host, the canary, fails.

// checkUntouched fails when a host of l was written: its value must still
// be the schema default, set nowhere.
func checkUntouched(t *testing.T, l *lab.Lab, names ...string) {
	t.Helper()
	for _, name := range names {
		v, source := l.Host(name).Machine.Value(1)
		if v != 0x7574c1 || source != "default" {
			t.Errorf("wrong value of %s\ngot:  %#x from %s\nwant: 0x7574c1, the schema "+
				"default (never written)", name, v, source)
		}
	}
}

// TestApply_canaryStopsTheFleet applies -batch 1,100% -max-fail 0 to a
// fleet whose first host keeps offering TURN after its restart: the canary
// fails and is rolled back, and the other hosts are never written.
func TestApply_canaryStopsTheFleet(t *testing.T) {
	l := startCommandLab(t,
		lab.HostSpec{Name: "canary", Faults: lab.FaultSpec{FrozenSMTP: true}},
		lab.HostSpec{Name: "mail02"},
		lab.HostSpec{Name: "mail03"},
		lab.HostSpec{Name: "mail04"},
	)

	r := runMain(t, "", false, "apply", "-auto-approve", "-batch", "1,100%", "-max-fail=0",
		"-evidence=evidence.json")

	r.check(t, ExitFailure,
		"Rolling apply in 2 batches: 1 host, then 3 hosts.",
		"No further batch starts once more than 0 hosts have failed (-max-fail 0).",
		"Batch 1 of 2: applying 1 host",
		"canary: failed: ",
		"Batch 1 of 2 finished: 1 host failed in batch 1, over -max-fail 0; no further batch",
		"rolled back: the previous values were restored",
		"Not started (3 hosts): mail02, mail03, mail04",
		"Stopped: 1 host failed in batch 1, over -max-fail 0.",
		"Apply: 0 applied, 1 failed, 3 skipped (1 rolled back).")
	if strings.Contains(r.stdout, "Batch 2 of 2") {
		t.Errorf("batch 2 started:\n%s", r.stdout)
	}
	checkUntouched(t, l, "canary", "mail02", "mail03", "mail04")

	// The evidence says why the apply stopped, which batches ran, and the
	// batch each host was given (batch 2 never started).
	data, err := os.ReadFile("evidence.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev struct {
		Halted  string `json:"halted"`
		Batches []struct {
			Hosts, Failed int
		} `json:"batches"`
		Hosts []struct {
			Name  string `json:"name"`
			Batch int    `json:"batch"`
		} `json:"hosts"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ev.Halted, "over -max-fail 0") || len(ev.Batches) != 1 ||
		ev.Batches[0].Failed != 1 || ev.Hosts[0].Batch != 1 || ev.Hosts[1].Batch != 2 {
		t.Errorf("wrong evidence of the rolling apply: %+v", ev)
	}
}

// TestApply_canaryStopsTheFleetFromPlanFile applies a saved plan in
// batches with -json, the canary's write denied: the stream reports each
// batch, and the hosts after the canary are skipped unwritten.
func TestApply_canaryStopsTheFleetFromPlanFile(t *testing.T) {
	l := startCommandLab(t,
		lab.HostSpec{Name: "canary", Faults: lab.FaultSpec{WriteDenied: true}},
		lab.HostSpec{Name: "mail02"},
		lab.HostSpec{Name: "mail03"},
	)
	runMain(t, "", false, "plan", "-out=fleet.plan").check(t, ExitOK, "Saved the plan")

	r := runMain(t, "", false, "apply", "-json", "-batch=1", "-max-fail", "0%", "fleet.plan")

	r.check(t, ExitFailure)
	type message struct {
		Type    string `json:"type"`
		Outcome string `json:"outcome"`
		Message string `json:"@message"`
		Host    struct {
			Name string `json:"name"`
		} `json:"host"`
		Batch *struct {
			Number      int  `json:"number"`
			Of          int  `json:"of"`
			Hosts       int  `json:"hosts"`
			FailedSoFar int  `json:"failed_so_far"`
			Halted      bool `json:"halted"`
		} `json:"batch"`
	}
	var batchEvents []message
	skipped := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var m message
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, sc.Text())
		}
		if m.Batch != nil {
			batchEvents = append(batchEvents, m)
		}
		if m.Type == "apply_errored" && m.Outcome == "skipped" {
			skipped[m.Host.Name] = m.Message
		}
	}

	if len(batchEvents) != 2 {
		t.Fatalf("wrong batch events\ngot:  %+v\nwant: batch_start and batch_complete of "+
			"batch 1", batchEvents)
	}
	start, end := batchEvents[0], batchEvents[1]
	if start.Type != "batch_start" || start.Batch.Number != 1 || start.Batch.Of != 3 ||
		start.Batch.Hosts != 1 {
		t.Errorf("wrong batch start\ngot:  %s %+v\nwant: batch_start, batch 1 of 3, 1 host",
			start.Type, *start.Batch)
	}
	if end.Type != "batch_complete" || !end.Batch.Halted || end.Batch.FailedSoFar != 1 {
		t.Errorf("wrong batch end\ngot:  %s %+v\nwant: batch_complete, 1 failed, halted",
			end.Type, *end.Batch)
	}
	const reason = "not started: 1 of 1 hosts started (100%) failed in batch 1, " +
		"over -max-fail 0%"
	for _, name := range []string{"mail02", "mail03"} {
		if !strings.Contains(skipped[name], reason) {
			t.Errorf("wrong event for %s\ngot:  %q\nwant: skipped, %s", name, skipped[name],
				reason)
		}
	}
	checkUntouched(t, l, "canary", "mail02", "mail03")
}

// TestApply_batchFlags checks that bad -batch and -max-fail values fail
// before any host is read, with the fix in the message.
func TestApply_batchFlags(t *testing.T) {
	t.Chdir(t.TempDir()) // no configuration: the flags must fail first
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-batch", "0"}, "-batch 0: batch size 0: a batch needs at least one host"},
		{[]string{"-batch=1,-5"}, "-batch 1,-5: batch size -5: a batch needs at least one host"},
		{[]string{"-batch", "150%"}, "-batch 150%: batch size 150%: a percentage of the " +
			"hosts can be at most 100%"},
		{[]string{"-batch", "some"}, `-batch some: "some" is not a batch size: give a ` +
			"number of hosts, such as 5, or a percentage"},
		{[]string{"-batch="}, "-batch : no batch sizes: give sizes separated by commas"},
		{[]string{"-max-fail", "-1"}, "-max-fail -1: failure limit -1: give 0 (stop after " +
			"any failure) or more"},
		{[]string{"-max-fail", "120%"}, "-max-fail 120%: failure limit 120%: a percentage"},
		{[]string{"-max-fail", "1.5"}, `-max-fail 1.5: "1.5" is not a failure limit`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append([]string{"apply", "-auto-approve"}, tt.args...)
			runMain(t, "", false, args...).check(t, ExitFailure, "Error: "+tt.want)
		})
	}
}
