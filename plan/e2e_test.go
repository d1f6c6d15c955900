package plan

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/lab"
	"github.com/smtpverbs/smtpverbs/providers/iis"
	"github.com/smtpverbs/smtpverbs/scan"
	"github.com/smtpverbs/smtpverbs/verb"
)

// These tests run the engine end to end: the IIS provider over real WinRM
// against the simulated hosts of package lab, and real SMTP probes.

func u32(v uint32) *uint32 { return &v }

// startLab starts hosts and loads the configuration the lab writes for
// them (HTTPS, Basic, the lab CA, the PCI baseline).
func startLab(t testing.TB, hosts ...lab.HostSpec) (*lab.Lab, *config.Config) {
	t.Helper()
	dir := t.TempDir()
	l, err := lab.Start(context.Background(), lab.Spec{Hosts: hosts}, lab.Options{Dir: dir})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })

	cfg, diags := config.Load(dir, config.Inputs{})
	if diags.HasErrors() {
		t.Fatalf("load lab configuration: %v", diags)
	}
	return l, cfg
}

// labProbe adapts the scanner as the command does.
func labProbe(ctx context.Context, addr string) (*ProbeResult, error) {
	r := scan.Probe(ctx, addr, scan.Options{})
	if r.Err != nil {
		return nil, r.Err
	}
	pr := &ProbeResult{Addr: addr, Advertised: r.EHLO}
	for _, v := range verb.All {
		if r.Accepts(v.Name) {
			pr.Accepted = append(pr.Accepted, v.Name)
		}
	}
	for _, l := range r.Transcript {
		pr.Transcript = append(pr.Transcript, l.String())
	}
	return pr, nil
}

func labOptions(cfg *config.Config) Options {
	return Options{Provider: iis.New(), Probe: labProbe, Secrets: cfg.Secrets(),
		ToolVersion: "e2e"}
}

// summary renders a host's plan as "status path=observed->target/source ...".
func summary(h *Host) string {
	parts := []string{string(h.Status)}
	for _, in := range h.Instances {
		parts = append(parts, fmt.Sprintf("%s=%s->%s/%s", in.Path, in.Observed, in.Target,
			in.Source))
	}
	return strings.Join(parts, " ")
}

func TestE2E_planApplyReplan(t *testing.T) {
	l, cfg := startLab(t,
		lab.HostSpec{Name: "explicit", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: u32(0x7574c1)}, {ID: 2, Value: u32(0x3574c1)}}},
		lab.HostSpec{Name: "inherited", ServiceValue: u32(0x7574c1)},
		lab.HostSpec{Name: "default", Windows: "2003"},
		lab.HostSpec{Name: "compliant", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: u32(0x757041)}}},
	)
	ctx := context.Background()

	p, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"change /LM/SmtpSvc/1=0x7574c1->0x757041/explicit " +
			"/LM/SmtpSvc/2=0x3574c1->0x357041/explicit",
		"change /LM/SmtpSvc/1=0x7574c1->0x757041/inherited",
		"change /LM/SmtpSvc/1=0x7574c1->0x757041/schema default",
		"compliant /LM/SmtpSvc/1=0x757041->0x757041/explicit",
	}
	for i, h := range p.Hosts {
		if got := summary(h); got != want[i] {
			t.Errorf("wrong plan of %s\ngot:  %s (%s)\nwant: %s", h.Name, got, h.Reason,
				want[i])
		}
		if h.Requests > 6 {
			t.Errorf("plan of %s took %d WinRM requests, budget 6", h.Name, h.Requests)
		}
	}

	// Apply a plan whose sessions were kept, as interactive apply does.
	opts := labOptions(cfg)
	opts.KeepSessions = true
	p, err = Make(ctx, cfg, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	r := Apply(ctx, p, ApplyOptions{Options: opts})
	for _, hr := range r.Hosts {
		wantOutcome := OutcomeApplied
		if hr.Host.Name == "compliant" {
			wantOutcome = OutcomeUnchanged
		}
		if hr.Outcome != wantOutcome || (wantOutcome == OutcomeApplied && !hr.Verified) {
			t.Errorf("wrong outcome of %s\ngot:  %s verified=%v (%s)\nwant: %s, verified",
				hr.Host.Name, hr.Outcome, hr.Verified, hr.Reason, wantOutcome)
		}
		// The budget counts one Receive per command; a command whose output
		// arrives in pieces (net stop and start) takes more, by protocol.
		st := l.Host(hr.Host.Name).WinRM.Stats()
		if limit := 12 + st.Receive - st.Command; hr.Requests > limit {
			t.Errorf("apply of %s took %d WinRM requests, budget 12 (+%d extra Receive)",
				hr.Host.Name, hr.Requests, limit-12)
		}
	}

	// A second plan finds nothing to do, and SMTP proves it.
	again, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	if again.Summary.Compliant != 4 || again.Summary.PendingRestart != 0 {
		t.Errorf("wrong second plan\ngot:  %+v\nwant: 4 compliant, no restart pending",
			again.Summary)
	}
	for _, h := range l.Hosts {
		r := scan.Probe(ctx, h.SMTP, scan.Options{})
		if r.Err != nil {
			t.Fatalf("probe %s: %v", h.SMTP, r.Err)
		}
		for _, v := range []string{"TURN", "ATRN", "ETRN"} {
			if r.Offers(v) {
				t.Errorf("%s still offers %s after apply", h.Name, v)
			}
		}
	}
}

func TestE2E_staleHostOnly(t *testing.T) {
	l, cfg := startLab(t, lab.HostSpec{Name: "a"}, lab.HostSpec{Name: "b"},
		lab.HostSpec{Name: "c"})
	ctx := context.Background()

	made, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	// Save and read back the plan as apply FILE does.
	data, err := Marshal(made)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Unmarshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Bind(cfg); err != nil {
		t.Fatal(err)
	}

	// Someone edits b by hand after the plan was made.
	if err := l.Host("b").Machine.SetValue("/LM/SmtpSvc/1", u32(0x7570c1)); err != nil {
		t.Fatal(err)
	}
	r := Apply(ctx, p, ApplyOptions{Options: labOptions(cfg)})

	got := []Outcome{r.Hosts[0].Outcome, r.Hosts[1].Outcome, r.Hosts[2].Outcome}
	want := []Outcome{OutcomeApplied, OutcomeStale, OutcomeApplied}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("wrong outcomes\ngot:  %v (%s)\nwant: %v", got, r.Hosts[1].Reason, want)
	}
	if v, _ := l.Host("b").Machine.Value(1); v != 0x7570c1 {
		t.Errorf("stale host was written\ngot:  %#x\nwant: 0x7570c1", v)
	}
}

func TestE2E_failuresAreIsolated(t *testing.T) {
	l, cfg := startLab(t,
		lab.HostSpec{Name: "good"},
		lab.HostSpec{Name: "denied", Faults: lab.FaultSpec{WriteDenied: true}},
		lab.HostSpec{Name: "frozen", Faults: lab.FaultSpec{FrozenSMTP: true}},
		lab.HostSpec{Name: "exchange", Windows: "2003", Exchange: "2003"},
		lab.HostSpec{Name: "notools", MdutilPath: "none", AdsutilPath: "none"},
		lab.HostSpec{Name: "badpass", Faults: lab.FaultSpec{WrongCredentials: true}},
		lab.HostSpec{Name: "down", Faults: lab.FaultSpec{Unreachable: true}},
	)
	ctx := context.Background()
	p, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}

	wantStatus := map[string]Status{
		"good": StatusChange, "denied": StatusChange, "frozen": StatusChange,
		"exchange": StatusCannotChange, "notools": StatusCannotChange,
		"badpass": StatusAuthFailed, "down": StatusUnreachable,
	}
	for _, h := range p.Hosts {
		if h.Status != wantStatus[h.Name] {
			t.Errorf("wrong status of %s\ngot:  %s (%s)\nwant: %s", h.Name, h.Status,
				h.Reason, wantStatus[h.Name])
		}
	}
	if h := p.Hosts[4]; !strings.Contains(h.Reason+h.Remedy, "Scripting") {
		t.Errorf("no-tools host does not name the feature to install: %q / %q", h.Reason,
			h.Remedy)
	}

	r := Apply(ctx, p, ApplyOptions{Options: labOptions(cfg)})

	wantOutcome := map[string]Outcome{
		"good": OutcomeApplied, "denied": OutcomeFailed, "frozen": OutcomeFailed,
		"exchange": OutcomeCannotChange, "notools": OutcomeCannotChange,
		"badpass": OutcomeAuthFailed, "down": OutcomeUnreachable,
	}
	wantValue := map[string]uint32{"good": 0x757041, "denied": 0x7574c1,
		"frozen": 0x7574c1, "exchange": 0x7574c1, "notools": 0x7574c1}
	for _, hr := range r.Hosts {
		name := hr.Host.Name
		if hr.Outcome != wantOutcome[name] {
			t.Errorf("wrong outcome of %s\ngot:  %s (%s)\nwant: %s", name, hr.Outcome,
				hr.Reason, wantOutcome[name])
		}
		if want, ok := wantValue[name]; ok {
			if got, _ := l.Host(name).Machine.Value(1); got != want {
				t.Errorf("wrong value on %s\ngot:  %#x\nwant: %#x", name, got, want)
			}
		}
	}

	frozen := r.Hosts[2]
	if !frozen.RolledBack || len(frozen.Probes) == 0 || !strings.Contains(frozen.Reason, "TURN") {
		t.Errorf("frozen host not rolled back with evidence\ngot:  rolledback=%v probes=%d "+
			"reason=%q", frozen.RolledBack, len(frozen.Probes), frozen.Reason)
	}
	if r.ExitCode() != 1 {
		t.Errorf("wrong exit code\ngot:  %d\nwant: 1", r.ExitCode())
	}
}

func TestE2E_adsutilOnlyHost(t *testing.T) {
	// Hosts with IIS 6 Scripting Tools but no Mdutil are planned and applied
	// through adsutil.vbs.
	l, cfg := startLab(t, lab.HostSpec{Name: "ads", MdutilPath: "none",
		ServiceValue: u32(0x7574c1)})
	ctx := context.Background()
	p, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	want := "change /LM/SmtpSvc/1=0x7574c1->0x757041/inherited"
	if got := summary(p.Hosts[0]); got != want {
		t.Fatalf("wrong plan\ngot:  %s (%s, method %q)\nwant: %s", got, p.Hosts[0].Reason,
			p.Hosts[0].Method, want)
	}
	r := Apply(ctx, p, ApplyOptions{Options: labOptions(cfg)})
	if hr := r.Hosts[0]; hr.Outcome != OutcomeApplied {
		t.Errorf("wrong outcome\ngot:  %s (%s)\nwant: applied", hr.Outcome, hr.Reason)
	}
	if v, _ := l.Hosts[0].Machine.Value(1); v != 0x757041 {
		t.Errorf("wrong value\ngot:  %#x\nwant: 0x757041", v)
	}
}
