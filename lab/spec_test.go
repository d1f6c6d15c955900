package lab

import (
	"strings"
	"testing"
	"time"
)

func TestLoadSpec(t *testing.T) {
	spec, files, diags := LoadSpec("testdata/fleet.hcl")
	if diags.HasErrors() {
		t.Fatalf("unexpected diagnostics: %s", diags.Error())
	}
	if files["testdata/fleet.hcl"] == nil {
		t.Fatal("parsed file not returned for diagnostics rendering")
	}
	if got := len(spec.Hosts); got != 5 {
		t.Fatalf("wrong number of hosts: got %d, want 5", got)
	}

	m1 := spec.Hosts[0]
	if len(m1.VirtualServers) != 2 || *m1.VirtualServers[1].Value != 3503297 ||
		m1.VirtualServers[1].Port != 2626 {
		t.Errorf("wrong virtual servers for mail01: %+v", m1.VirtualServers)
	}
	if m2 := spec.Hosts[1]; m2.ServiceValue == nil || *m2.ServiceValue != 7697601 ||
		m2.MdutilPath != "none" {
		t.Errorf("wrong mail02: %+v", m2)
	}
	if ex := spec.Hosts[2]; ex.Exchange != "2003" ||
		*ex.VirtualServers[0].DirectoryValue != 7697601 {
		t.Errorf("wrong exch01: %+v", ex)
	}
	f := spec.Hosts[3].Faults
	if f.Latency != 20*time.Millisecond || f.RestartDelay != 2*time.Second ||
		f.WinRMFaultOp != "Command" || f.WinRMFaultNth != 2 {
		t.Errorf("wrong faults for slow01: %+v", f)
	}
	if !spec.Hosts[4].Faults.Unreachable {
		t.Error("down01 should be unreachable")
	}
}

func TestParseSpec_errors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		summary string
		line    int
	}{
		{"unknown attribute", "host \"a\" {\n  windoze = \"2019\"\n}\n",
			"Unsupported argument", 2},
		{"bad windows", "host \"a\" {\n  windows = \"95\"\n}\n", "Invalid host \"a\"", 1},
		{"bad exchange", "host \"a\" {\n  exchange = \"2010\"\n}\n", "Invalid host \"a\"", 1},
		{"duplicate", "host \"a\" {}\nhost \"a\" {}\n", "Duplicate host", 2},
		{"value range", "host \"a\" {\n  service_value = -1\n}\n", "Value out of range", 2},
		{"bad latency", "host \"a\" {\n  faults {\n    latency = \"soon\"\n  }\n}\n",
			"Invalid duration", 3},
		{"bad op", "host \"a\" {\n  faults {\n    winrm_fault = \"Shout\"\n  }\n}\n",
			"Unknown WinRM operation", 3},
		{"bad vs label", "host \"a\" {\n  virtual_server \"one\" {}\n}\n",
			"Invalid virtual server number", 2},
		{"not loopback", "host \"a\" {\n  address = \"10.0.0.1\"\n}\n", "Invalid host \"a\"", 1},
		{"syntax", "host \"a\" {\n  windows = \n}\n", "Invalid expression", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := ParseSpec([]byte(tt.src), "spec.hcl")
			if !diags.HasErrors() {
				t.Fatal("no error reported")
			}
			d := diags[0]
			if d.Summary != tt.summary {
				t.Errorf("wrong summary\ngot:  %s\nwant: %s", d.Summary, tt.summary)
			}
			if d.Subject == nil || d.Subject.Start.Line != tt.line ||
				d.Subject.Filename != "spec.hcl" {
				t.Errorf("wrong location: got %v, want spec.hcl line %d", d.Subject, tt.line)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	spec := Generate(20)
	if len(spec.Hosts) != 20 {
		t.Fatalf("got %d hosts, want 20", len(spec.Hosts))
	}

	var explicit, inherited, defaulted, twoVS int
	versions := map[string]bool{}
	names := map[string]bool{}
	for _, h := range spec.Hosts {
		if err := h.check(); err != nil {
			t.Errorf("generated host %s is invalid: %v", h.Name, err)
		}
		if names[h.Name] {
			t.Errorf("duplicate name %s", h.Name)
		}
		names[h.Name] = true
		versions[h.Windows] = true
		if h.MdutilPath == "none" && h.AdsutilPath == "none" {
			t.Errorf("%s has no tool: a generated fleet must be writable", h.Name)
		}
		if h.Exchange != "" || h.Faults != (FaultSpec{}) {
			t.Errorf("%s is not healthy: %+v", h.Name, h)
		}
		switch {
		case h.VirtualServers[0].Value != nil:
			explicit++
		case h.ServiceValue != nil:
			inherited++
		default:
			defaulted++
		}
		if len(h.VirtualServers) > 1 {
			twoVS++
		}
	}
	if explicit == 0 || inherited == 0 || defaulted == 0 || twoVS == 0 || len(versions) < 4 {
		t.Errorf("fleet is not mixed: explicit=%d inherited=%d default=%d twoVS=%d "+
			"versions=%d", explicit, inherited, defaulted, twoVS, len(versions))
	}
	if !strings.HasPrefix(spec.Hosts[0].Name, "mail0") {
		t.Errorf("unexpected name %s", spec.Hosts[0].Name)
	}
}

func TestLoadSpec_example(t *testing.T) {
	spec, _, diags := LoadSpec("../examples/lab-spec/fleet.hcl")
	if diags.HasErrors() {
		t.Fatalf("the example spec does not load: %s", diags.Error())
	}
	if len(spec.Hosts) != 7 {
		t.Fatalf("got %d hosts, want 7", len(spec.Hosts))
	}
	l := startLab(t, spec)
	if got := l.Host("exch01").Machine.Settings().Windows; got != "2003" {
		t.Errorf("exch01 runs Windows %s, want 2003 (Exchange 2003 needs it)", got)
	}
}
