package iis

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab"
	"github.com/smtpverbs/smtpverbs/lab/winhost"
	"github.com/smtpverbs/smtpverbs/lab/wsman"
	"github.com/smtpverbs/smtpverbs/providers"
	"github.com/smtpverbs/smtpverbs/verb"
)

// These tests run the provider over real WinRM (HTTP and HTTPS, Basic and
// NTLM) against the simulated hosts of package lab.

func u32(v uint32) *uint32 { return &v }

// startLab starts a lab with the given hosts and stops it after the test.
func startLab(t *testing.T, hosts ...lab.HostSpec) *lab.Lab {
	t.Helper()
	l, err := lab.Start(context.Background(), lab.Spec{Hosts: hosts}, lab.Options{})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// hostOf returns how the provider reaches lab host h over transport:
// "http-basic", "https-basic" or "http-ntlm".
func hostOf(t testing.TB, l *lab.Lab, h *lab.Host, transport string) providers.Host {
	t.Helper()
	c := providers.Connection{Port: h.HTTPPort, Auth: "basic", Username: h.Username,
		Password: h.Password}
	switch transport {
	case "https-basic":
		ca, err := os.ReadFile(l.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		c.HTTPS, c.Port, c.CACert = true, h.HTTPSPort, ca
	case "http-ntlm":
		c.Auth = "ntlm"
	}
	return providers.Host{Name: h.Name, Address: h.Address, Connection: c}
}

// openHost opens a session and closes it after the test.
func openHost(t *testing.T, host providers.Host) providers.Session {
	t.Helper()
	s, err := New().Open(context.Background(), host)
	if err != nil {
		t.Fatalf("open %s: %v", host.Name, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// requestCheck compares the WinRM requests a session counted with what the
// server saw between two snapshots. Each command costs Command, Receive and
// Signal, plus one more Receive each time its output arrived in parts (the
// server answers a Receive as soon as some output exists); the shell costs
// Create and Delete. It returns "" when all is as expected.
func requestCheck(n, commands int, before, after wsman.Stats) string {
	d := wsman.Stats{Create: after.Create - before.Create,
		Command: after.Command - before.Command, Receive: after.Receive - before.Receive,
		Signal: after.Signal - before.Signal, Delete: after.Delete - before.Delete}
	total := d.Create + d.Command + d.Receive + d.Signal + d.Delete
	if n != total || d.Create != 1 || d.Delete != 1 || d.Command != commands ||
		d.Signal != commands || d.Receive < commands {
		return fmt.Sprintf("session counted %d; server saw %+v; want 1 Create, 1 Delete, "+
			"%d Command, Signal and at least as many Receive", n, d, commands)
	}
	return ""
}

// instanceSummary renders instances as "id=value/source" for comparison.
func instanceSummary(ins []providers.Instance) string {
	var parts []string
	for _, in := range ins {
		parts = append(parts, fmt.Sprintf("%s=%s/%s%v", in.Path, in.Value, in.Source, in.Ports))
	}
	return strings.Join(parts, " ")
}

func TestE2E_Read(t *testing.T) {
	l := startLab(t,
		lab.HostSpec{Name: "explicit", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: u32(0x757041)}, {ID: 2, Value: u32(0x3574c1)}}},
		lab.HostSpec{Name: "inherited", ServiceValue: u32(0x757441),
			VirtualServers: []lab.VirtualServerSpec{{ID: 1}, {ID: 2, Value: u32(0x757041)}}},
		lab.HostSpec{Name: "default", Windows: "2003",
			VirtualServers: []lab.VirtualServerSpec{{ID: 1}, {ID: 2}}},
		lab.HostSpec{Name: "adsonly", MdutilPath: "none",
			ServiceValue: u32(0x757441), VirtualServers: []lab.VirtualServerSpec{{ID: 1}}},
	)
	p1, p2 := l.SMTPPort, l.SMTPPort+1
	want := map[string]struct{ method, instances string }{
		"explicit": {"mdutil", fmt.Sprintf("/LM/SmtpSvc/1=0x757041/explicit[%d] "+
			"/LM/SmtpSvc/2=0x3574c1/explicit[%d]", p1, p2)},
		"inherited": {"mdutil", fmt.Sprintf("/LM/SmtpSvc/1=0x757441/inherited[%d] "+
			"/LM/SmtpSvc/2=0x757041/explicit[%d]", p1, p2)},
		"default": {"mdutil", fmt.Sprintf("/LM/SmtpSvc/1=0x7574c1/schema default[%d] "+
			"/LM/SmtpSvc/2=0x7574c1/schema default[%d]", p1, p2)},
		"adsonly": {"adsutil", fmt.Sprintf("/LM/SmtpSvc/1=0x757441/inherited[%d]", p1)},
	}

	for _, transport := range []string{"http-basic", "https-basic", "http-ntlm"} {
		for _, h := range l.Hosts {
			t.Run(transport+"/"+h.Name, func(t *testing.T) {
				stats := h.WinRM.Stats()
				s, err := New().Open(context.Background(), hostOf(t, l, h, transport))
				if err != nil {
					t.Fatal(err)
				}
				obs, err := s.Read(context.Background())
				if err != nil {
					s.Close()
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}

				w := want[h.Name]
				got := instanceSummary(obs.Instances)
				if got != w.instances || obs.Method != w.method || !obs.Manageable ||
					obs.Hostname != strings.ToUpper(h.Name) || obs.SMTPState != "RUNNING" {
					t.Errorf("wrong result\ngot: %s %s manageable=%v %s %s\n"+
						"want: %s %s manageable=true %s RUNNING", got, obs.Method,
						obs.Manageable, obs.Hostname, obs.SMTPState, w.instances, w.method,
						strings.ToUpper(h.Name))
				}

				// The provider agrees with the simulated metabase.
				for _, in := range obs.Instances {
					if v, _ := h.Machine.Value(in.ID); verb.Flags(v) != in.Value {
						t.Errorf("wrong value for %s\ngot: %s\nwant: %s (the host's)",
							in.Path, in.Value, verb.Flags(v))
					}
				}

				// Create, Command, Receive, Signal, Delete: 5 requests when
				// the output comes in one Receive.
				if msg := requestCheck(s.Requests(), 1, stats, h.WinRM.Stats()); msg != "" {
					t.Errorf("wrong WinRM requests: %s", msg)
				}
			})
		}
	}
}

func TestE2E_Write(t *testing.T) {
	l := startLab(t,
		lab.HostSpec{Name: "mdutil", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1}, {ID: 2, Value: u32(0x3574c1)}}},
		lab.HostSpec{Name: "adsutil", MdutilPath: "none", ServiceValue: u32(0x7574c1)},
		lab.HostSpec{Name: "stopped", SMTPStopped: true},
	)
	pci := verb.Mask(verb.PCI)

	for _, h := range l.Hosts {
		t.Run(h.Name, func(t *testing.T) {
			s := openHost(t, hostOf(t, l, h, "http-ntlm"))
			before, err := s.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var writes []providers.Write
			for _, in := range before.Instances {
				writes = append(writes, providers.Write{Instance: in.ID,
					Value: in.Value.Apply(0, pci)})
			}

			res, err := s.Write(context.Background(),
				providers.WriteRequest{Writes: writes, Restart: true})
			if err != nil {
				t.Fatalf("%v\ntranscript:\n%s", err, transcriptOf(res))
			}

			// Every value is at its instance key, TURN/ATRN and ETRN are
			// off and every other bit is kept.
			for i, w := range writes {
				in := res.After.Instances[i]
				v, src := h.Machine.Value(w.Instance)
				if in.Value != w.Value || verb.Flags(v) != w.Value ||
					in.Source != providers.SourceExplicit || !strings.EqualFold(src, in.Path) ||
					in.Value.Has(verb.TURN) || in.Value.Has(verb.ETRN) ||
					in.Value|pci != before.Instances[i].Value|pci {
					t.Errorf("wrong value for %s\ngot: %s (%s), host %s at %s\nwant: %s "+
						"(explicit)", in.Path, in.Value, in.Source, verb.Flags(v), src, w.Value)
				}
			}

			// A running service is restarted and runs the new values; a
			// stopped one stays stopped.
			running := h.Name != "stopped"
			if res.Restarted != running || h.Machine.Running().Running != running {
				t.Errorf("wrong restart\ngot: restarted %v, running %v\nwant: %v",
					res.Restarted, h.Machine.Running().Running, running)
			}
			if running {
				for _, ri := range h.Machine.Running().Instances {
					if ri.Flags.Has(verb.TURN) || ri.Flags.Has(verb.ETRN) {
						t.Errorf("instance %d still runs with %s", ri.ID, ri.Flags)
					}
				}
			}

			// Create, then Command, Receive and Signal for the read and
			// for the write.
			if st := h.WinRM.Stats(); st.Create != 1 || st.Command != 2 || st.Signal != 2 ||
				s.Requests() != st.Create+st.Command+st.Receive+st.Signal {
				t.Errorf("wrong WinRM requests before Close\ngot: %d, server saw %+v\n"+
					"want: 1 Create, 2 Command, 2 Signal", s.Requests(), st)
			}
		})
	}
}

func transcriptOf(res *providers.WriteResult) string {
	if res == nil {
		return "(none)"
	}
	return res.Transcript
}

func TestE2E_RequestBudget(t *testing.T) {
	l := startLab(t, lab.HostSpec{Name: "mail01"})
	h := l.Hosts[0]
	s, err := New().Open(context.Background(), hostOf(t, l, h, "http-basic"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err = s.Write(context.Background(), providers.WriteRequest{
		Writes: []providers.Write{{Instance: 1, Value: 0x757041}}, Restart: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// 8 requests when each command's output comes in one Receive.
	if msg := requestCheck(s.Requests(), 2, wsman.Stats{}, h.WinRM.Stats()); msg != "" {
		t.Errorf("wrong WinRM requests: %s", msg)
	}
}

func TestE2E_WriteFails(t *testing.T) {
	l := startLab(t,
		lab.HostSpec{Name: "notsticky", Faults: lab.FaultSpec{WriteNotSticky: true}},
		lab.HostSpec{Name: "denied", Faults: lab.FaultSpec{WriteDenied: true}},
		lab.HostSpec{Name: "denied-ads", MdutilPath: "none",
			Faults: lab.FaultSpec{WriteDenied: true}},
		lab.HostSpec{Name: "nostart", Faults: lab.FaultSpec{StartFails: true}},
	)
	want := map[string]struct{ err, remedy string }{
		"notsticky": {"value did not stick on /LM/SmtpSvc/1: wrote 0x757041, read 0x7574c1",
			""},
		"denied":     {"write /LM/SmtpSvc/1: ", "local Administrators"},
		"denied-ads": {"write /LM/SmtpSvc/1: ", "local Administrators"},
		"nostart":    {"SMTPSVC did not start again after the write", "net start smtpsvc"},
	}
	for _, h := range l.Hosts {
		t.Run(h.Name, func(t *testing.T) {
			s := openHost(t, hostOf(t, l, h, "http-basic"))
			res, err := s.Write(context.Background(), providers.WriteRequest{
				Writes: []providers.Write{{Instance: 1, Value: 0x757041}}, Restart: true})
			w := want[h.Name]
			var he *providers.HostError
			if !errors.As(err, &he) || he.Kind != providers.KindFailed ||
				!strings.Contains(err.Error(), w.err) || !strings.Contains(he.Remedy, w.remedy) {
				t.Fatalf("wrong error\ngot: %v (remedy %q)\nwant: failed %q, remedy %q",
					err, remedyOf(err), w.err, w.remedy)
			}
			if res == nil || !strings.Contains(res.Transcript, "--smtpverbs-write--") {
				t.Errorf("wrong result\ngot: %+v\nwant: a transcript", res)
			}
		})
	}
}

func TestE2E_Unmanageable(t *testing.T) {
	l := startLab(t,
		lab.HostSpec{Name: "exchange", Windows: "2003", Exchange: "2003"},
		lab.HostSpec{Name: "notools", MdutilPath: "none", AdsutilPath: "none"},
	)
	want := map[string]struct{ reason, remedy string }{
		"exchange": {"Exchange Server 2003 is installed: DS2MB overwrites the metabase",
			"msExchSmtpInboundCommandSupportOptions"},
		"notools": {"neither mdutil.exe", "IIS 6 Scripting Tools (Windows feature " +
			"Web-Lgcy-Scripting)"},
	}
	for _, h := range l.Hosts {
		t.Run(h.Name, func(t *testing.T) {
			s := openHost(t, hostOf(t, l, h, "http-basic"))
			obs, err := s.Read(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			w := want[h.Name]
			if obs.Manageable || !strings.Contains(obs.Reason, w.reason) ||
				!strings.Contains(obs.Remedy, w.remedy) {
				t.Errorf("wrong result\ngot: manageable=%v %q, remedy %q\nwant: %q, remedy %q",
					obs.Manageable, obs.Reason, obs.Remedy, w.reason, w.remedy)
			}

			before, _ := h.Machine.Value(1)
			_, err = s.Write(context.Background(), providers.WriteRequest{
				Writes: []providers.Write{{Instance: 1, Value: 0x757041}}, Restart: true})
			if providers.KindOf(err) != providers.KindUnmanageable {
				t.Errorf("wrong error\ngot: %v\nwant: %s", err, providers.KindUnmanageable)
			}
			after, _ := h.Machine.Value(1)
			if st := h.WinRM.Stats(); st.Command != 1 || after != before {
				t.Errorf("a write was attempted: %d commands, value %#x -> %#x",
					st.Command, before, after)
			}
		})
	}
}

func TestE2E_VirtualServers(t *testing.T) {
	l := startLab(t, lab.HostSpec{Name: "mail01", VirtualServers: []lab.VirtualServerSpec{
		{ID: 1}, {ID: 2}}})
	host := hostOf(t, l, l.Hosts[0], "http-basic")

	host.VirtualServers = []int{2}
	obs, err := openHost(t, host).Read(context.Background())
	if err != nil || instanceSummary(obs.Instances) !=
		fmt.Sprintf("/LM/SmtpSvc/2=0x7574c1/schema default[%d]", l.SMTPPort+1) {
		t.Errorf("wrong result\ngot: %v %v\nwant: only /LM/SmtpSvc/2", obsInstances(obs), err)
	}

	host.VirtualServers = []int{1, 3}
	_, err = openHost(t, host).Read(context.Background())
	if err == nil || !strings.Contains(err.Error(),
		"virtual server 3 (/LM/SmtpSvc/3) does not exist; found: /LM/SmtpSvc/1, /LM/SmtpSvc/2") {
		t.Errorf("wrong error\ngot: %v\nwant: instance 3 missing, naming 1 and 2", err)
	}
}

func obsInstances(obs *providers.Observation) string {
	if obs == nil {
		return "(none)"
	}
	return instanceSummary(obs.Instances)
}

func TestE2E_ConnectFails(t *testing.T) {
	l := startLab(t,
		lab.HostSpec{Name: "wrongpw", Faults: lab.FaultSpec{WrongCredentials: true}},
		lab.HostSpec{Name: "down", Faults: lab.FaultSpec{Unreachable: true}},
	)
	tests := []struct {
		host, transport string
		want            providers.Kind
	}{
		{"wrongpw", "http-basic", providers.KindAuth},
		{"wrongpw", "https-basic", providers.KindAuth},
		{"wrongpw", "http-ntlm", providers.KindAuth},
		{"down", "http-basic", providers.KindUnreachable},
		{"down", "https-basic", providers.KindUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.host+"/"+tt.transport, func(t *testing.T) {
			h := l.Host(tt.host)
			_, err := New().Open(context.Background(), hostOf(t, l, h, tt.transport))
			if providers.KindOf(err) != tt.want {
				t.Errorf("wrong error\ngot: %v (%s)\nwant: %s", err, providers.KindOf(err), tt.want)
			}
			if err != nil && strings.Contains(err.Error()+remedyOf(err), h.Password) {
				t.Errorf("the error holds the password: %v", err)
			}
		})
	}
}

// TestE2E_Delete writes a value at the instance key of an instance that
// inherits, deletes it again and checks that the instance inherits as
// before, with both tools. A delete of a value that is not set is done.
func TestE2E_Delete(t *testing.T) {
	l := startLab(t,
		lab.HostSpec{Name: "mdutil", ServiceValue: u32(0x7574c1)},
		lab.HostSpec{Name: "adsutil", MdutilPath: "none"},
		lab.HostSpec{Name: "notsticky"},
	)
	wantSource := map[string]string{"mdutil": "/LM/SmtpSvc", "adsutil": "default",
		"notsticky": "default"}
	for _, h := range l.Hosts {
		t.Run(h.Name, func(t *testing.T) {
			s := openHost(t, hostOf(t, l, h, "http-basic"))
			ctx := context.Background()
			write := providers.WriteRequest{Writes: []providers.Write{
				{Instance: 1, Value: 0x757041}}}
			if _, err := s.Write(ctx, write); err != nil {
				t.Fatal(err)
			}
			if _, src := h.Machine.Value(1); !strings.EqualFold(src, "/LM/SmtpSvc/1") {
				t.Fatalf("wrong source after the write\ngot:  %s\nwant: /LM/SmtpSvc/1", src)
			}

			if h.Name == "notsticky" {
				h.Machine.SetFaults(winhost.Faults{WriteNotSticky: true})
			}
			del := providers.WriteRequest{Writes: []providers.Write{
				{Instance: 1, Delete: true}}}
			res, err := s.Write(ctx, del)
			if h.Name == "notsticky" {
				if err == nil || !strings.Contains(err.Error(),
					"delete did not stick on /LM/SmtpSvc/1") {
					t.Errorf("wrong error\ngot:  %v\nwant: delete did not stick", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\ntranscript:\n%s", err, transcriptOf(res))
			}
			v, src := h.Machine.Value(1)
			in := res.After.Instances[0]
			if src != wantSource[h.Name] || v != 0x7574c1 || in.Source == providers.SourceExplicit {
				t.Errorf("wrong result\ngot:  %#x from %s (read %s)\nwant: 0x7574c1 from %s",
					v, src, in.Source, wantSource[h.Name])
			}

			// Nothing is set at the key now: a second delete has nothing to do.
			if _, err := s.Write(ctx, del); err != nil {
				t.Errorf("wrong result\ngot:  %v\nwant: a delete of an unset value succeeds", err)
			}
		})
	}
}
