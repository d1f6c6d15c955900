package plan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

func TestMake_statuses(t *testing.T) {
	const def = verb.SchemaDefault // 0x7574c1: TURN, ATRN, ETRN on
	const pci = verb.Flags(0x757041)

	tests := []struct {
		name        string
		host        func() *fakeHost // nil: nothing at the address
		wantStatus  Status
		wantTargets []verb.Flags
		wantChanges []string // "TURN-" style, over all instances
		wantReason  string   // substring
		wantPending bool
	}{
		{
			name:        "explicit default value changes",
			host:        func() *fakeHost { return newFakeHost("m", "127.0.0.2", def) },
			wantStatus:  StatusChange,
			wantTargets: []verb.Flags{pci},
			wantChanges: []string{"TURN-", "ATRN-", "ETRN-"},
		},
		{
			name: "inherited value changes and keeps the source",
			host: func() *fakeHost {
				h := newFakeHost("m", "127.0.0.2", def)
				h.obs.Instances[0].Source = providers.SourceService
				return h
			},
			wantStatus:  StatusChange,
			wantTargets: []verb.Flags{pci},
			wantChanges: []string{"TURN-", "ATRN-", "ETRN-"},
		},
		{
			name:        "two virtual servers, one compliant",
			host:        func() *fakeHost { return newFakeHost("m", "127.0.0.2", pci, 0x7574c0) },
			wantStatus:  StatusChange,
			wantTargets: []verb.Flags{pci, 0x757040},
			wantChanges: []string{"TURN-", "ATRN-", "ETRN-"},
		},
		{
			name:        "compliant",
			host:        func() *fakeHost { return newFakeHost("m", "127.0.0.2", pci) },
			wantStatus:  StatusCompliant,
			wantTargets: []verb.Flags{pci},
		},
		{
			name: "exchange cannot change",
			host: func() *fakeHost {
				h := newFakeHost("m", "127.0.0.2", def)
				h.obs.Manageable = false
				h.obs.Reason = "Exchange Server 2003 is installed"
				h.obs.Remedy = "use ADSI Edit"
				return h
			},
			wantStatus:  StatusCannotChange,
			wantTargets: []verb.Flags{pci},
			wantChanges: []string{"TURN-", "ATRN-", "ETRN-"},
			wantReason:  "Exchange Server 2003",
		},
		{
			name: "exchange but already compliant",
			host: func() *fakeHost {
				h := newFakeHost("m", "127.0.0.2", pci)
				h.obs.Manageable = false
				return h
			},
			wantStatus:  StatusCompliant,
			wantTargets: []verb.Flags{pci},
		},
		{
			name:       "unreachable",
			host:       nil,
			wantStatus: StatusUnreachable,
			wantReason: "connection refused",
		},
		{
			name: "authentication failed",
			host: func() *fakeHost {
				h := newFakeHost("m", "127.0.0.2", def)
				h.openErr = &providers.HostError{Host: "m", Kind: providers.KindAuth,
					Err: errors.New("http response error: 401 - invalid content type")}
				return h
			},
			wantStatus: StatusAuthFailed,
			wantReason: "401",
		},
		{
			name: "read error",
			host: func() *fakeHost {
				h := newFakeHost("m", "127.0.0.2", def)
				h.readErr = errors.New("mdutil: unexpected output")
				return h
			},
			wantStatus: StatusError,
			wantReason: "unexpected output",
		},
		{
			name: "pending restart: metabase off, service still offers TURN",
			host: func() *fakeHost {
				h := newFakeHost("m", "127.0.0.2", pci)
				h.running[1] = def
				return h
			},
			wantStatus:  StatusCompliant,
			wantTargets: []verb.Flags{pci},
			wantPending: true,
			wantReason:  "",
		},
		{
			name: "pending restart: metabase on, service does not offer DSN",
			host: func() *fakeHost {
				h := newFakeHost("m", "127.0.0.2", pci)
				h.running[1] = pci &^ verb.DSN.Bit
				return h
			},
			wantStatus:  StatusCompliant,
			wantTargets: []verb.Flags{pci},
			wantPending: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := newFakeProvider()
			if tt.host != nil {
				fp = newFakeProvider(tt.host())
			}
			opts := testOptions(fp)
			opts.Probe = fp.probe
			cfg := testConfig(testServer("m", "127.0.0.2"))

			p, err := Make(context.Background(), cfg, nil, opts)
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			h := p.Hosts[0]
			if h.Status != tt.wantStatus {
				t.Errorf("wrong status\ngot:  %s (%s)\nwant: %s", h.Status, h.Reason,
					tt.wantStatus)
			}
			if !strings.Contains(h.Reason, tt.wantReason) {
				t.Errorf("wrong reason\ngot:  %q\nwant: containing %q", h.Reason, tt.wantReason)
			}
			var targets []verb.Flags
			var changes []string
			for _, in := range h.Instances {
				targets = append(targets, in.Target)
				for _, c := range in.Changes {
					changes = append(changes, c.Verb+map[Action]string{ActionEnable: "+",
						ActionDisable: "-"}[c.Action])
				}
			}
			if !slices.Equal(targets, tt.wantTargets) {
				t.Errorf("wrong targets\ngot:  %v\nwant: %v", targets, tt.wantTargets)
			}
			if !slices.Equal(changes, tt.wantChanges) {
				t.Errorf("wrong changes\ngot:  %v\nwant: %v", changes, tt.wantChanges)
			}
			if h.PendingRestart != tt.wantPending {
				t.Errorf("wrong pending restart\ngot:  %v (%s)\nwant: %v", h.PendingRestart,
					h.PendingReason, tt.wantPending)
			}
		})
	}
}

func TestMake_keepsUnmanagedBits(t *testing.T) {
	// Every bit outside TURN/ATRN and ETRN survives, including unknown ones.
	const odd = verb.Flags(0x8f7574c1)
	fp := newFakeProvider(newFakeHost("m", "127.0.0.2", odd))
	p, err := Make(context.Background(), testConfig(testServer("m", "127.0.0.2")), nil,
		testOptions(fp))
	if err != nil {
		t.Fatal(err)
	}
	in := p.Hosts[0].Instances[0]
	if want := odd &^ 0x480; in.Target != want {
		t.Errorf("wrong target\ngot:  %s\nwant: %s", in.Target, want)
	}
	if want := verb.Flags(0x8f056001); in.Unmanaged() != want {
		t.Errorf("wrong unmanaged bits\ngot:  %s\nwant: %s", in.Unmanaged(), want)
	}
}

func TestMake_requestsAndSessions(t *testing.T) {
	tests := []struct {
		name       string
		keep       bool
		wantReqs   int
		wantKeptOK bool
	}{
		{"closed after planning", false, 5, false},
		{"kept for apply", true, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fp := newFakeProvider(newFakeHost("m", "127.0.0.2", verb.SchemaDefault))
			opts := testOptions(fp)
			opts.KeepSessions = tt.keep
			p, err := Make(context.Background(), testConfig(testServer("m", "127.0.0.2")),
				nil, opts)
			if err != nil {
				t.Fatal(err)
			}
			h := p.Hosts[0]
			if h.Requests != tt.wantReqs || h.Requests > 6 {
				t.Errorf("wrong request count\ngot:  %d\nwant: %d (budget 6)", h.Requests,
					tt.wantReqs)
			}
			if (h.session != nil) != tt.wantKeptOK {
				t.Errorf("wrong session kept\ngot:  %v\nwant: %v", h.session != nil,
					tt.wantKeptOK)
			}
			if err := p.Close(); err != nil || h.session != nil {
				t.Errorf("close left a session: %v", err)
			}
		})
	}
}

func TestMake_parallelAndOrdered(t *testing.T) {
	var hosts []*fakeHost
	cfgServers := cfgServersFor(40, func(i int, addr string) {
		hosts = append(hosts, newFakeHost(fmt.Sprintf("m%02d", i), addr, verb.SchemaDefault))
	})
	fp := newFakeProvider(hosts...)
	opts := testOptions(fp)
	opts.Parallelism = 7
	var events []EventType
	opts.Events = func(e Event) { events = append(events, e.Type) }

	p, err := Make(context.Background(), testConfig(cfgServers...), nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range p.Hosts {
		if want := fmt.Sprintf("m%02d", i); h.Name != want || h.Status != StatusChange {
			t.Errorf("wrong host %d\ngot:  %s %s\nwant: %s change", i, h.Name, h.Status, want)
		}
	}
	if p.Summary.Change != 40 || p.Summary.VerbChanges != 120 {
		t.Errorf("wrong summary\ngot:  %+v\nwant: 40 hosts to change, 120 verbs", p.Summary)
	}
	if len(events) != 80 {
		t.Errorf("wrong number of events\ngot:  %d\nwant: 80 (read + planned per host)",
			len(events))
	}
}

func TestMake_interrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fp := newFakeProvider(newFakeHost("m", "127.0.0.2", verb.SchemaDefault))
	p, err := Make(ctx, testConfig(testServer("m", "127.0.0.2")), nil, testOptions(fp))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("wrong error\ngot:  %v\nwant: context canceled", err)
	}
	if p.Hosts[0].Status != StatusError || !strings.Contains(p.Hosts[0].Reason, "interrupted") {
		t.Errorf("wrong host\ngot:  %s %q\nwant: error, not planned", p.Hosts[0].Status,
			p.Hosts[0].Reason)
	}
}

func TestMake_secretsScrubbed(t *testing.T) {
	h := newFakeHost("m", "127.0.0.2", verb.SchemaDefault)
	h.readErr = fmt.Errorf("a careless provider echoed %s", testPassword)
	fp := newFakeProvider(h)
	p, err := Make(context.Background(), testConfig(testServer("m", "127.0.0.2")), nil,
		testOptions(fp))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(p.Hosts[0].Reason, testPassword) {
		t.Errorf("password in reason: %q", p.Hosts[0].Reason)
	}
}

func TestPlan_ExitCode(t *testing.T) {
	tests := []struct {
		name     string
		summary  Summary
		detailed bool
		want     int
	}{
		{"no changes", Summary{Compliant: 3}, true, 0},
		{"changes, not detailed", Summary{Change: 1}, false, 0},
		{"changes, detailed", Summary{Change: 1}, true, 2},
		{"cannot change, detailed", Summary{CannotChange: 1}, true, 2},
		{"pending restart, detailed", Summary{PendingRestart: 1, Compliant: 1}, true, 2},
		{"unreachable wins over changes", Summary{Change: 1, Unreachable: 1}, true, 3},
		{"auth failed", Summary{AuthFailed: 1}, false, 3},
		{"error wins", Summary{Errored: 1, Unreachable: 1, Change: 1}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Plan{Summary: tt.summary}
			if got := p.ExitCode(tt.detailed); got != tt.want {
				t.Errorf("wrong result\ngot:  %d\nwant: %d", got, tt.want)
			}
		})
	}
}

func TestMake_noInstancesIsNeverCompliant(t *testing.T) {
	tests := []struct {
		name       string
		manageable bool
		want       Status
	}{
		{"tools missing", false, StatusCannotChange},
		{"nothing found", true, StatusError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost("m", "127.0.0.2")
			h.obs.Manageable = tt.manageable
			h.obs.Reason = "no tool"
			fp := newFakeProvider(h)
			p, err := Make(context.Background(), testConfig(testServer("m", "127.0.0.2")),
				nil, testOptions(fp))
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Hosts[0].Status; got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
		})
	}
}

func TestLiveDiff(t *testing.T) {
	const def = verb.SchemaDefault // TURN, ATRN, ETRN, DSN, ... on
	const pci = verb.Flags(0x757041)
	tests := []struct {
		name        string
		value       verb.Flags
		advertised  []string
		accepted    []string
		wantOffered []string
		wantMissing []string
	}{
		{"same", pci, []string{"DSN", "ENHANCEDSTATUSCODES", "8BITMIME", "BINARYMIME",
			"CHUNKING", "SIZE"}, nil, nil, nil},
		{"standalone IIS never advertises ATRN", def, []string{"TURN", "ETRN", "DSN",
			"ENHANCEDSTATUSCODES", "8BITMIME", "BINARYMIME", "CHUNKING"}, nil, nil, nil},
		{"off in the metabase, still offered", pci, []string{"TURN", "ETRN", "DSN",
			"ENHANCEDSTATUSCODES", "8BITMIME", "BINARYMIME", "CHUNKING"}, nil,
			[]string{"TURN", "ETRN"}, nil},
		{"ATRN offered by Exchange while off", pci, []string{"ATRN", "DSN",
			"ENHANCEDSTATUSCODES", "8BITMIME", "BINARYMIME", "CHUNKING"}, nil,
			[]string{"ATRN"}, nil},
		{"accepted though not advertised", pci, []string{"DSN", "ENHANCEDSTATUSCODES",
			"8BITMIME", "BINARYMIME", "CHUNKING"}, []string{"ETRN"}, []string{"ETRN"}, nil},
		{"on in the metabase, not offered", def, []string{"DSN", "8BITMIME", "SIZE"}, nil,
			nil, []string{"TURN", "ETRN", "ENHANCEDSTATUSCODES", "BINARYMIME", "CHUNKING"}},
		// DSN and TURN off but advertised, ETRN on but not advertised.
		{"both ways", pci&^verb.DSN.Bit | verb.ETRN.Bit, []string{"TURN", "DSN",
			"ENHANCEDSTATUSCODES", "8BITMIME", "BINARYMIME", "CHUNKING"}, nil,
			[]string{"TURN", "DSN"}, []string{"ETRN"}},
		{"no EHLO keywords: nothing is called missing", def, nil, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &ProbeResult{Advertised: tt.advertised, Accepted: tt.accepted}
			offered, missing := liveDiff(tt.value, r)
			if !slices.Equal(offered, tt.wantOffered) || !slices.Equal(missing, tt.wantMissing) {
				t.Errorf("wrong result\ngot:  offered %v, missing %v\nwant: offered %v, "+
					"missing %v", offered, missing, tt.wantOffered, tt.wantMissing)
			}
		})
	}
}

func TestPendingText(t *testing.T) {
	tests := []struct {
		name             string
		offered, missing []string
		want             string
	}{
		{"nothing", nil, nil, ""},
		{"offered", []string{"TURN", "ETRN"}, nil, "live SMTP on 10.0.0.5:25 " +
			"(/LM/SmtpSvc/1) offers TURN, ETRN, which the metabase has off"},
		{"missing", nil, []string{"DSN"}, "live SMTP on 10.0.0.5:25 (/LM/SmtpSvc/1) " +
			"does not offer DSN, which the metabase has on"},
		{"both", []string{"TURN"}, []string{"DSN"}, "live SMTP on 10.0.0.5:25 " +
			"(/LM/SmtpSvc/1) offers TURN, which the metabase has off and does not offer " +
			"DSN, which the metabase has on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pendingText("10.0.0.5:25", "/LM/SmtpSvc/1", tt.offered, tt.missing)
			if got != tt.want {
				t.Errorf("wrong result\ngot:  %s\nwant: %s", got, tt.want)
			}
		})
	}
}
