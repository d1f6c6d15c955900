package views

import (
	"bufio"
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/plan"
)

func TestJSONStream_golden(t *testing.T) {
	p := samplePlan()
	clock := func() time.Time { return planTime }
	var buf bytes.Buffer
	s := NewJSONStream(&buf, clock)

	s.Version("0.1.0-test")
	ev := func(typ plan.EventType, h *plan.Host, msg string) plan.Event {
		return plan.Event{Type: typ, Time: planTime, Host: h, Message: msg}
	}
	s.Event(ev(plan.EventHostRead, p.Hosts[0], "mail01: read 1 virtual servers"))
	s.Event(ev(plan.EventPlannedChange, p.Hosts[0], "mail01: will change"))
	s.Event(ev(plan.EventHostCompliant, p.Hosts[1], "mail02: compliant"))
	diag := ev(plan.EventDiagnostic, p.Hosts[3], "mail04: unreachable: connection refused")
	diag.Severity = "error"
	s.Event(diag)
	s.PlanSummary(p)

	s.Event(ev(plan.EventApplyStart, p.Hosts[0], "mail01: applying"))
	write := ev(plan.EventApplyWrite, p.Hosts[0], "mail01: wrote the new values")
	write.Elapsed = 1500 * time.Millisecond
	s.Event(write)
	s.Event(ev(plan.EventApplyRestart, p.Hosts[0], "mail01: SMTPSVC restarted"))
	verify := ev(plan.EventApplyVerify, p.Hosts[0], "mail01: verified over SMTP")
	verify.Elapsed = 250 * time.Millisecond
	s.Event(verify)
	done := ev(plan.EventApplyComplete, p.Hosts[0], "mail01: applied")
	done.Outcome = plan.OutcomeApplied
	s.Event(done)
	failed := ev(plan.EventApplyErrored, p.Hosts[4], "mail05: stale: /LM/SmtpSvc/2 is now "+
		"0x357040, the plan saw 0x3574c1")
	failed.Outcome = plan.OutcomeStale
	s.Event(failed)
	s.ApplySummary(&plan.Result{Summary: plan.ApplySummary{Applied: 1, Stale: 1}})

	checkPlanGolden(t, "events.jsonl.golden", buf.Bytes())

	// Every line is a JSON object with the common fields.
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line is not JSON: %v\n%s", err, sc.Text())
		}
		for _, k := range []string{"@level", "@message", "@timestamp", "type"} {
			if _, ok := m[k]; !ok {
				t.Errorf("line lacks %q: %s", k, sc.Text())
			}
		}
	}
}

func TestApplyHuman_golden(t *testing.T) {
	p := samplePlan()
	r := &plan.Result{Interrupted: true, Hosts: []*plan.HostResult{
		{Host: p.Hosts[0], Outcome: plan.OutcomeApplied, Verified: true, Restarted: true},
		{Host: p.Hosts[1], Outcome: plan.OutcomeUnchanged},
		{Host: p.Hosts[2], Outcome: plan.OutcomeCannotChange, Reason: p.Hosts[2].Reason,
			Remedy: p.Hosts[2].Remedy},
		{Host: p.Hosts[3], Outcome: plan.OutcomeUnreachable, Reason: p.Hosts[3].Reason},
		{Host: p.Hosts[4], Outcome: plan.OutcomeFailed, RolledBack: true,
			Reason: "10.0.0.9:25 still offers TURN, ETRN after the restart",
			Probes: []*plan.ProbeResult{{Addr: "10.0.0.9:25", Transcript: []string{
				"S: 220 mail05 Microsoft ESMTP MAIL Service ready", "C: EHLO smtpverbs.invalid",
				"S: 250-TURN", "S: 250 OK"}}}},
		{Host: p.Hosts[5], Outcome: plan.OutcomeApplied, Note: "SMTPSVC was not restarted"},
		{Host: p.Hosts[6], Outcome: plan.OutcomeSkipped, Reason: "not started"},
	}}
	r.Summary = plan.ApplySummary{Applied: 2, Unchanged: 1, CannotChange: 1, Unreachable: 1,
		Failed: 1, Skipped: 1, RolledBack: 1}

	var buf bytes.Buffer
	ApplyHuman(&buf, r, Style{})
	checkPlanGolden(t, "apply.golden", buf.Bytes())
	checkWidth(t, buf.String())
}
