package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

const pciValue = verb.Flags(0x757041)

// planFor makes a plan of one server per fake host, keeping sessions.
func planFor(t *testing.T, fp *fakeProvider, hosts []*fakeHost,
	edit func(*config.Server)) *Plan {
	t.Helper()
	var servers []*config.Server
	for _, h := range hosts {
		s := testServer(h.name, h.address)
		if edit != nil {
			edit(s)
		}
		servers = append(servers, s)
	}
	opts := testOptions(fp)
	opts.Probe = fp.probe
	opts.KeepSessions = true
	p, err := Make(context.Background(), testConfig(servers...), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func applyOptions(fp *fakeProvider) ApplyOptions {
	opts := testOptions(fp)
	opts.Probe = fp.probe
	return ApplyOptions{Options: opts}
}

func TestApply_appliesAndVerifies(t *testing.T) {
	h := newFakeHost("m", "127.0.0.2", verb.SchemaDefault, verb.SchemaDefault)
	h.obs.Instances[1].Source = providers.SourceService
	fp := newFakeProvider(h)
	p := planFor(t, fp, []*fakeHost{h}, nil)

	opts := applyOptions(fp)
	var events []EventType
	opts.Events = func(e Event) { events = append(events, e.Type) }
	r := Apply(context.Background(), p, opts)

	hr := r.Hosts[0]
	if hr.Outcome != OutcomeApplied || !hr.Verified || !hr.Restarted {
		t.Fatalf("wrong result\ngot:  %s verified=%v restarted=%v (%s)\nwant: applied, "+
			"verified, restarted", hr.Outcome, hr.Verified, hr.Restarted, hr.Reason)
	}
	for id := 1; id <= 2; id++ {
		if got := h.value(id); got != pciValue {
			t.Errorf("wrong value of instance %d\ngot:  %s\nwant: %s", id, got, pciValue)
		}
	}
	if h.opens != 1 {
		t.Errorf("wrong number of sessions\ngot:  %d\nwant: 1 (the plan's shell reused)", h.opens)
	}
	if hr.Requests > 12 {
		t.Errorf("wrong request count\ngot:  %d\nwant: at most 12", hr.Requests)
	}
	want := []EventType{EventApplyStart, EventApplyWrite, EventApplyRestart, EventApplyVerify,
		EventApplyComplete}
	if !slices.Equal(events, want) {
		t.Errorf("wrong events\ngot:  %v\nwant: %v", events, want)
	}
	if len(hr.Probes) != 2 || len(hr.Probes[0].Transcript) == 0 {
		t.Errorf("wrong evidence\ngot:  %d probes\nwant: 2 with transcripts", len(hr.Probes))
	}
	if r.ExitCode() != 0 {
		t.Errorf("wrong exit code\ngot:  %d\nwant: 0", r.ExitCode())
	}
}

func TestApply_outcomes(t *testing.T) {
	tests := []struct {
		name         string
		setup        func(h *fakeHost) // after the plan, before the apply
		noRollback   bool
		restart      bool
		wantOutcome  Outcome
		wantValue    verb.Flags
		wantWrites   int
		wantRollback bool
		wantInReason string
	}{
		{
			name:        "applied",
			setup:       func(h *fakeHost) {},
			restart:     true,
			wantOutcome: OutcomeApplied, wantValue: pciValue, wantWrites: 1,
		},
		{
			name:        "stale: value changed after the plan",
			setup:       func(h *fakeHost) { h.set(1, 0x7570c1) },
			restart:     true,
			wantOutcome: OutcomeStale, wantValue: 0x7570c1, wantWrites: 0,
			wantInReason: "is now 0x7570c1, the plan saw 0x7574c1",
		},
		{
			name: "became unmanageable",
			setup: func(h *fakeHost) {
				h.mu.Lock()
				h.obs.Manageable, h.obs.Reason = false, "Exchange Server 2003 is installed"
				h.mu.Unlock()
			},
			restart:     true,
			wantOutcome: OutcomeCannotChange, wantValue: verb.SchemaDefault, wantWrites: 0,
			wantInReason: "Exchange",
		},
		{
			name: "write fails, rollback attempted",
			setup: func(h *fakeHost) {
				h.writeErr = &providers.HostError{Host: h.name, Kind: providers.KindFailed,
					Err: errors.New("access denied"), Remedy: "run as Administrator"}
			},
			restart:     true,
			wantOutcome: OutcomeFailed, wantValue: verb.SchemaDefault, wantWrites: 2,
			wantInReason: "access denied",
		},
		{
			name:        "service still offers TURN: rolled back",
			setup:       func(h *fakeHost) { h.frozen = true },
			restart:     true,
			wantOutcome: OutcomeFailed, wantValue: verb.SchemaDefault, wantWrites: 2,
			wantRollback: true, wantInReason: "still offers TURN, ETRN",
		},
		{
			name:        "service still offers TURN, -no-rollback",
			setup:       func(h *fakeHost) { h.frozen = true },
			noRollback:  true,
			restart:     true,
			wantOutcome: OutcomeFailed, wantValue: pciValue, wantWrites: 1,
			wantInReason: "still offers",
		},
		{
			name:        "restart = false: applied, not verified",
			setup:       func(h *fakeHost) { h.frozen = true },
			restart:     false,
			wantOutcome: OutcomeApplied, wantValue: pciValue, wantWrites: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost("m", "127.0.0.2", verb.SchemaDefault)
			fp := newFakeProvider(h)
			p := planFor(t, fp, []*fakeHost{h}, func(s *config.Server) {
				s.Restart = tt.restart
			})
			tt.setup(h)

			opts := applyOptions(fp)
			opts.NoRollback = tt.noRollback
			hr := Apply(context.Background(), p, opts).Hosts[0]

			if hr.Outcome != tt.wantOutcome {
				t.Errorf("wrong outcome\ngot:  %s (%s)\nwant: %s", hr.Outcome, hr.Reason,
					tt.wantOutcome)
			}
			if got := h.value(1); got != tt.wantValue {
				t.Errorf("wrong value\ngot:  %s\nwant: %s", got, tt.wantValue)
			}
			if got := h.writeCount(); got != tt.wantWrites {
				t.Errorf("wrong number of writes\ngot:  %d\nwant: %d", got, tt.wantWrites)
			}
			if hr.RolledBack != tt.wantRollback {
				t.Errorf("wrong rollback\ngot:  %v (%s)\nwant: %v", hr.RolledBack,
					hr.RollbackError, tt.wantRollback)
			}
			if !strings.Contains(hr.Reason, tt.wantInReason) {
				t.Errorf("wrong reason\ngot:  %q\nwant: containing %q", hr.Reason,
					tt.wantInReason)
			}
		})
	}
}

func TestApply_failingHostDoesNotStopOthers(t *testing.T) {
	var hosts []*fakeHost
	cfgServersFor(6, func(i int, addr string) {
		hosts = append(hosts, newFakeHost(serverName(i), addr, verb.SchemaDefault))
	})
	hosts[1].writeErr = errors.New("the service could not be started")
	fp := newFakeProvider(hosts...)
	p := planFor(t, fp, hosts, nil)

	r := Apply(context.Background(), p, applyOptions(fp))

	want := []Outcome{OutcomeApplied, OutcomeFailed, OutcomeApplied, OutcomeApplied,
		OutcomeApplied, OutcomeApplied}
	for i, hr := range r.Hosts {
		if hr.Outcome != want[i] {
			t.Errorf("wrong outcome of host %d\ngot:  %s (%s)\nwant: %s", i, hr.Outcome,
				hr.Reason, want[i])
		}
	}
	if r.Summary.Applied != 5 || r.Summary.Failed != 1 || r.ExitCode() != 1 {
		t.Errorf("wrong summary\ngot:  %+v exit %d\nwant: 5 applied, 1 failed, exit 1",
			r.Summary, r.ExitCode())
	}
}

func TestApply_staleHostOnly(t *testing.T) {
	var hosts []*fakeHost
	cfgServersFor(3, func(i int, addr string) {
		hosts = append(hosts, newFakeHost(serverName(i), addr, verb.SchemaDefault))
	})
	fp := newFakeProvider(hosts...)
	p := planFor(t, fp, hosts, nil)
	hosts[1].set(1, 0x7574c0) // someone cleared another bit meanwhile

	r := Apply(context.Background(), p, applyOptions(fp))

	got := []Outcome{r.Hosts[0].Outcome, r.Hosts[1].Outcome, r.Hosts[2].Outcome}
	want := []Outcome{OutcomeApplied, OutcomeStale, OutcomeApplied}
	if !slices.Equal(got, want) {
		t.Errorf("wrong outcomes\ngot:  %v\nwant: %v", got, want)
	}
	if hosts[1].writeCount() != 0 || hosts[1].value(1) != 0x7574c0 {
		t.Errorf("stale host was written: %d writes, value %s", hosts[1].writeCount(),
			hosts[1].value(1))
	}
}

func TestApply_interrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var hosts []*fakeHost
	cfgServersFor(5, func(i int, addr string) {
		hosts = append(hosts, newFakeHost(serverName(i), addr, verb.SchemaDefault))
	})
	hosts[0].beforeWrite = cancel // Ctrl-C while the first host writes
	fp := newFakeProvider(hosts...)
	p := planFor(t, fp, hosts, nil)

	opts := applyOptions(fp)
	opts.Parallelism = 1
	r := Apply(ctx, p, opts)

	first := r.Hosts[0]
	if first.Outcome != OutcomeApplied || first.Verified || hosts[0].value(1) != pciValue {
		t.Errorf("wrong in-flight host\ngot:  %s verified=%v value=%s\nwant: applied, "+
			"not verified, %s", first.Outcome, first.Verified, hosts[0].value(1), pciValue)
	}
	if !strings.Contains(first.Note, "interrupted") {
		t.Errorf("wrong note\ngot:  %q\nwant: mentioning the interruption", first.Note)
	}
	for i, hr := range r.Hosts[1:] {
		if hr.Outcome != OutcomeSkipped || hosts[i+1].writeCount() != 0 {
			t.Errorf("wrong host %d\ngot:  %s, %d writes\nwant: skipped, 0 writes", i+1,
				hr.Outcome, hosts[i+1].writeCount())
		}
	}
	if !r.Interrupted || r.ExitCode() != 1 {
		t.Errorf("wrong result\ngot:  interrupted=%v exit=%d\nwant: true, 1", r.Interrupted,
			r.ExitCode())
	}
	for _, h := range p.Hosts {
		if h.session != nil {
			t.Errorf("session of %s left open", h.Name)
		}
	}
}

func TestApply_planStatusesPassThrough(t *testing.T) {
	ok := newFakeHost("ok", "127.0.0.3", pciValue)
	fp := newFakeProvider(ok)
	cfg := testConfig(testServer("ok", "127.0.0.3"), testServer("gone", "127.0.0.4"))
	p, err := Make(context.Background(), cfg, nil, testOptions(fp))
	if err != nil {
		t.Fatal(err)
	}

	r := Apply(context.Background(), p, applyOptions(fp))

	got := []Outcome{r.Hosts[0].Outcome, r.Hosts[1].Outcome}
	want := []Outcome{OutcomeUnchanged, OutcomeUnreachable}
	if !slices.Equal(got, want) || r.ExitCode() != 3 {
		t.Errorf("wrong outcomes\ngot:  %v exit %d\nwant: %v exit 3", got, r.ExitCode(), want)
	}
	if ok.writeCount() != 0 {
		t.Errorf("compliant host was written")
	}
}

func serverName(i int) string {
	return "m" + string(rune('0'+i/10)) + string(rune('0'+i%10))
}

func TestStaleness(t *testing.T) {
	h := &Host{Instances: []*Instance{{ID: 1, Path: "/LM/SmtpSvc/1", Observed: 0x7574c1,
		Source: providers.SourceService}}}
	tests := []struct {
		name string
		live providers.Instance
		want string
	}{
		{"unchanged", providers.Instance{ID: 1, Value: 0x7574c1,
			Source: providers.SourceService}, ""},
		{"value changed", providers.Instance{ID: 1, Value: 0x7570c1,
			Source: providers.SourceService},
			"/LM/SmtpSvc/1 is now 0x7570c1, the plan saw 0x7574c1"},
		{"same value, now set at the instance", providers.Instance{ID: 1, Value: 0x7574c1,
			Source: providers.SourceExplicit}, "/LM/SmtpSvc/1 now has its value set at " +
			"the instance, the plan saw it inherited from /LM/SmtpSvc"},
		{"gone", providers.Instance{ID: 2}, "/LM/SmtpSvc/1 no longer exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obs := &providers.Observation{Instances: []providers.Instance{tt.live}}
			if got := staleness(h, obs); got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestWriteRequest_rollbackDeletesInherited(t *testing.T) {
	h := &Host{Restart: true, Instances: []*Instance{
		{ID: 1, Observed: 0x7574c1, Target: 0x757041, Source: providers.SourceExplicit,
			Changes: []Change{{Verb: "TURN", Action: ActionDisable}}},
		{ID: 2, Observed: 0x7574c1, Target: 0x757041, Source: providers.SourceService,
			Changes: []Change{{Verb: "TURN", Action: ActionDisable}}},
		{ID: 3, Observed: 0x7574c1, Target: 0x757041, Source: providers.SourceDefault,
			Changes: []Change{{Verb: "TURN", Action: ActionDisable}}},
		{ID: 4, Observed: 0x757041, Target: 0x757041, Source: providers.SourceDefault},
	}}
	tests := []struct {
		name     string
		previous bool
		want     string
	}{
		{"forward", false, "[{1 0x757041 false} {2 0x757041 false} {3 0x757041 false}]"},
		{"rollback", true, "[{1 0x7574c1 false} {2 0x7574c1 true} {3 0x7574c1 true}]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := writeRequest(h, tt.previous)
			if got := fmt.Sprint(req.Writes); got != tt.want || !req.Restart {
				t.Errorf("wrong result\ngot:  %s restart=%v\nwant: %s restart=true", got,
					req.Restart, tt.want)
			}
		})
	}
}
