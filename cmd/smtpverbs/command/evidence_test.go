package command

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab"
)

// TestApply_evidence applies to two hosts, one of which fails its SMTP
// verification, and checks that the evidence record says what happened on
// each, with the transcripts an auditor would ask for and no password.
func TestApply_evidence(t *testing.T) {
	startCommandLab(t,
		lab.HostSpec{Name: "good", ServiceValue: v32(7697601)},
		lab.HostSpec{Name: "frozen", Faults: lab.FaultSpec{FrozenSMTP: true}},
	)

	r := runMain(t, "", false, "apply", "-auto-approve", "-evidence=evidence.json")
	r.check(t, ExitFailure, "Evidence written to evidence.json.")

	data, err := os.ReadFile("evidence.json")
	if err != nil {
		t.Fatalf("read evidence: %v", err)
	}
	if strings.Contains(string(data), labPassword) {
		t.Fatal("the evidence holds the password")
	}
	var ev struct {
		FormatVersion string `json:"format_version"`
		ConfigDigest  string `json:"config_digest"`
		Hosts         []struct {
			Name      string `json:"name"`
			Outcome   string `json:"outcome"`
			Verified  bool   `json:"verified"`
			Rolled    bool   `json:"rolled_back"`
			Instances []struct {
				Before   string   `json:"before"`
				Source   string   `json:"before_source"`
				Target   string   `json:"target"`
				Disabled []string `json:"disabled"`
			} `json:"instances"`
			Steps []struct {
				Name string `json:"name"`
			} `json:"steps"`
			Transcript string `json:"winrm_transcript"`
			Probes     []struct {
				Transcript []string `json:"transcript"`
			} `json:"smtp_probes"`
		} `json:"hosts"`
		Summary struct {
			Applied, Failed int
		} `json:"summary"`
	}
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatalf("evidence is not JSON: %v", err)
	}
	if ev.FormatVersion != "1" || !strings.HasPrefix(ev.ConfigDigest, "sha256:") {
		t.Errorf("wrong header: version %q, digest %q", ev.FormatVersion, ev.ConfigDigest)
	}
	if len(ev.Hosts) != 2 || ev.Summary.Applied != 1 || ev.Summary.Failed != 1 {
		t.Fatalf("wrong hosts or summary: %+v", ev)
	}

	good, frozen := ev.Hosts[0], ev.Hosts[1]
	if good.Outcome != "applied" || !good.Verified {
		t.Errorf("good: outcome %s, verified %v", good.Outcome, good.Verified)
	}
	in := good.Instances[0]
	if in.Before != "0x7574c1" || in.Source != "inherited" || in.Target != "0x757041" ||
		strings.Join(in.Disabled, " ") != "TURN ATRN ETRN" {
		t.Errorf("good: wrong instance record %+v", in)
	}
	if !strings.Contains(good.Transcript, "0x757041") {
		t.Errorf("good: the WinRM transcript lacks the value written:\n%s", good.Transcript)
	}
	if len(good.Probes) == 0 || !strings.Contains(strings.Join(good.Probes[0].Transcript,
		"\n"), "EHLO") {
		t.Errorf("good: no SMTP transcript with EHLO: %+v", good.Probes)
	}
	var steps []string
	for _, s := range good.Steps {
		steps = append(steps, s.Name)
	}
	if !strings.Contains(strings.Join(steps, " "), "write") ||
		!strings.Contains(strings.Join(steps, " "), "verify") {
		t.Errorf("good: steps %v lack write and verify", steps)
	}

	if frozen.Outcome != "failed" || !frozen.Rolled {
		t.Errorf("frozen: outcome %s, rolled back %v; want failed and rolled back",
			frozen.Outcome, frozen.Rolled)
	}
}
