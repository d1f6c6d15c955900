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

func TestE2E_rollbackRestoresSources(t *testing.T) {
	// FrozenSMTP keeps offering TURN after the restart, so verification
	// fails and every instance is rolled back.
	frozen := lab.FaultSpec{FrozenSMTP: true}
	l, cfg := startLab(t,
		lab.HostSpec{Name: "inherited", ServiceValue: u32(0x7574c1), Faults: frozen},
		lab.HostSpec{Name: "default", Faults: frozen},
		lab.HostSpec{Name: "explicit", Faults: frozen, VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: u32(0x3574c1)}}},
		lab.HostSpec{Name: "adsutil", MdutilPath: "none", ServiceValue: u32(0x7574c1),
			Faults: frozen},
	)
	ctx := context.Background()
	p, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	r := Apply(ctx, p, ApplyOptions{Options: labOptions(cfg)})

	want := map[string]struct {
		value  uint32
		source string
	}{
		"inherited": {0x7574c1, "/LM/SmtpSvc"},
		"default":   {0x7574c1, "default"},
		"explicit":  {0x3574c1, "/LM/SmtpSvc/1"},
		"adsutil":   {0x7574c1, "/LM/SmtpSvc"},
	}
	for _, hr := range r.Hosts {
		name := hr.Host.Name
		if hr.Outcome != OutcomeFailed || !hr.RolledBack {
			t.Errorf("wrong outcome of %s\ngot:  %s rolledback=%v (%s; rollback error %q)\n"+
				"want: failed, rolled back", name, hr.Outcome, hr.RolledBack, hr.Reason,
				hr.RollbackError)
		}
		v, src := l.Host(name).Machine.Value(1)
		if w := want[name]; v != w.value || !strings.EqualFold(src, w.source) {
			t.Errorf("wrong value of %s after the rollback\ngot:  %#x from %s\nwant: %#x from %s",
				name, v, src, w.value, w.source)
		}
	}
}

// restartSMTP restarts SMTPSVC on a lab host the way an administrator would.
func restartSMTP(t *testing.T, h *lab.Host) {
	t.Helper()
	var out strings.Builder
	code := h.Machine.Run(context.Background(), "net stop smtpsvc && net start smtpsvc", nil,
		&out, &out)
	if code != 0 {
		t.Fatalf("restart SMTPSVC on %s: exit %d\n%s", h.Name, code, out.String())
	}
}

// pending plans cfg and returns each host's pending-restart reason by name,
// "" for a host that is not pending.
func pending(t *testing.T, cfg *config.Config) map[string]string {
	t.Helper()
	p, err := Make(context.Background(), cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, h := range p.Hosts {
		if h.PendingRestart != (h.PendingReason != "") {
			t.Errorf("%s: pending %v with reason %q", h.Name, h.PendingRestart,
				h.PendingReason)
		}
		out[h.Name] = h.PendingReason
	}
	return out
}

func TestE2E_pendingRestartBothWays(t *testing.T) {
	const pci = 0x757041
	l, cfg := startLab(t,
		lab.HostSpec{Name: "offers", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: u32(uint32(verb.SchemaDefault))}}},
		lab.HostSpec{Name: "lacks", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: u32(pci &^ uint32(verb.DSN.Bit))}}},
		lab.HostSpec{Name: "same", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: u32(pci)}}},
	)

	// Someone edits the metabase and does not restart: "offers" still runs
	// with TURN and ETRN, "lacks" runs without DSN.
	for name, v := range map[string]uint32{"offers": pci, "lacks": pci} {
		if err := l.Host(name).Machine.SetValue("/LM/SmtpSvc/1", u32(v)); err != nil {
			t.Fatal(err)
		}
	}
	got := pending(t, cfg)
	wants := map[string][]string{
		"offers": {"offers TURN, ETRN, which the metabase has off", "(/LM/SmtpSvc/1)",
			"SMTPSVC was not restarted since the change"},
		"lacks": {"does not offer DSN, which the metabase has on",
			"SMTPSVC was not restarted since the change"},
		"same": nil,
	}
	for name, want := range wants {
		if (got[name] == "") != (want == nil) {
			t.Errorf("wrong pending restart of %s\ngot:  %q\nwant: pending=%v", name,
				got[name], want != nil)
		}
		for _, w := range want {
			if !strings.Contains(got[name], w) {
				t.Errorf("wrong reason of %s\ngot:  %s\nwant: containing %q", name, got[name], w)
			}
		}
	}

	// After a restart the live service matches the metabase again.
	restartSMTP(t, l.Host("offers"))
	restartSMTP(t, l.Host("lacks"))
	for name, reason := range pending(t, cfg) {
		if reason != "" {
			t.Errorf("%s still pending after the restart: %s", name, reason)
		}
	}
}

func TestE2E_restartFalseLeavesRestartPending(t *testing.T) {
	l, cfg := startLab(t, lab.HostSpec{Name: "norestart"})
	cfg.Servers[0].Restart = false
	ctx := context.Background()

	p, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	r := Apply(ctx, p, ApplyOptions{Options: labOptions(cfg)})
	if hr := r.Hosts[0]; hr.Outcome != OutcomeApplied || hr.Restarted ||
		!strings.Contains(hr.Note, "not restarted") {
		t.Fatalf("wrong outcome\ngot:  %s restarted=%v note=%q (%s)\nwant: applied, not "+
			"restarted, with a note", hr.Outcome, hr.Restarted, hr.Note, hr.Reason)
	}

	// The metabase is compliant, the running service is not.
	again, err := Make(ctx, cfg, nil, labOptions(cfg))
	if err != nil {
		t.Fatal(err)
	}
	h := again.Hosts[0]
	if h.Status != StatusCompliant || !h.PendingRestart ||
		!strings.Contains(h.PendingReason, "offers TURN, ETRN, which the metabase has off") ||
		again.ExitCode(true) != 2 {
		t.Errorf("wrong plan after apply with restart = false\ngot:  %s pending=%v %q, "+
			"exit %d\nwant: compliant, pending, TURN and ETRN named, exit 2", h.Status,
			h.PendingRestart, h.PendingReason, again.ExitCode(true))
	}

	restartSMTP(t, l.Hosts[0])
	if reason := pending(t, cfg)["norestart"]; reason != "" {
		t.Errorf("still pending after the restart: %s", reason)
	}
}
