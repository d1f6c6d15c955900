package lab

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"

	"github.com/smtpverbs/smtpverbs/lab/internal/pywinrmtest"
)

// The commands a remediation runs, with the output formats documented for
// Mdutil (KB 262168) and adsutil.vbs (derived from the script's source).
const (
	mdutilGet = `C:\Windows\System32\inetsrv\mdutil.exe get -path:smtpsvc/1 -prop:36998`
	mdutilSet = `C:\Windows\System32\inetsrv\mdutil.exe set -path:smtpsvc/1 -prop:36998 ` +
		`-utype:UT_SERVER -dtype:DWORD -attrib:INHERIT -value:0x757041`
	adsutilGet = `cscript //nologo C:\Inetpub\AdminScripts\adsutil.vbs GET ` +
		`smtpsvc/1/SmtpInboundCommandSupportOptions`
)

// mzClient returns a masterzen client for h over transport: "http" (Basic),
// "https" (Basic, trusting the lab's CA) or "ntlm" (over HTTP).
func mzClient(t *testing.T, l *Lab, h *Host, transport, password string) *winrm.Client {
	t.Helper()
	https := transport == "https"
	port := h.HTTPPort
	var ca []byte
	if https {
		port = h.HTTPSPort
		var err error
		if ca, err = os.ReadFile(l.CAFile); err != nil {
			t.Fatal(err)
		}
	}
	ep := winrm.NewEndpoint(h.Address, port, https, false, ca, nil, nil, 30*time.Second)
	params := winrm.NewParameters("PT20S", "en-US", 153600)
	if transport == "ntlm" {
		params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	}
	c, err := winrm.NewClientWithParameters(ep, h.Username, password, params)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestMasterzen_commands(t *testing.T) {
	l := startLab(t, Spec{Hosts: []HostSpec{
		{Name: "explicit", VirtualServers: []VirtualServerSpec{{ID: 1, Value: u32(7697601)}}},
		{Name: "inherits", ServiceValue: u32(3503297)},
		{Name: "denied", Faults: FaultSpec{WriteDenied: true}},
	}})

	tests := []struct {
		name, host, transport, cmd string
		stdout                     string // exact, unless contains is set
		contains                   bool
		code                       int
	}{
		{"mdutil get over http", "explicit", "http", mdutilGet,
			"36998 : [IS] (DWORD) 0x7574c1={7697601}\r\n", false, 0},
		{"mdutil get not set over https", "inherits", "https", mdutilGet,
			"Error: GetData - HRES(0x800cc801) MD_ERROR_DATA_NOT_FOUND", true, 1},
		{"mdutil get service key over ntlm", "inherits", "ntlm",
			`C:\Windows\System32\inetsrv\mdutil.exe get -path:smtpsvc -prop:36998`,
			"36998 : [IS] (DWORD) 0x3574c1={3503297}\r\n", false, 0},
		{"adsutil get over https", "explicit", "https", adsutilGet,
			"SmtpInboundCommandSupportOptions: (Long) 7697601\r\n", false, 0},
		{"mdutil set", "explicit", "http", mdutilSet,
			"36998 : [IS] (DWORD) 0x757041={7696449}\r\n", false, 0},
		{"mdutil set denied", "denied", "https", mdutilSet, "ERROR_ACCESS_DENIED", true, 1},
		{"sc query", "explicit", "ntlm", "sc query smtpsvc", "STATE              : 4  RUNNING",
			true, 0},
		{"unknown command", "explicit", "http", "frobnicate", "", false, 1},
		{"and-chain stops", "denied", "http", mdutilSet + " && hostname", "DENIED", true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := l.Host(tt.host)
			c := mzClient(t, l, h, tt.transport, h.Password)
			var stdout, stderr bytes.Buffer
			code, err := c.Run(tt.cmd, &stdout, &stderr)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if code != tt.code {
				t.Errorf("wrong exit code: got %d, want %d (stderr %q)", code, tt.code,
					stderr.String())
			}
			got := stdout.String()
			if tt.contains && !strings.Contains(got, tt.stdout) ||
				!tt.contains && got != tt.stdout {
				t.Errorf("wrong output\ngot:  %q\nwant: %q", got, tt.stdout)
			}
		})
	}

	// The write above is real: a later read sees it at the instance.
	if v, src := l.Host("explicit").Machine.Value(1); v != 7696449 || src != "/LM/SmtpSvc/1" {
		t.Errorf("after mdutil set: value %d from %s, want 7696449 from /LM/SmtpSvc/1", v, src)
	}
}

func TestMasterzen_faults(t *testing.T) {
	l := startLab(t, Spec{Hosts: []HostSpec{
		{Name: "locked", Faults: FaultSpec{WrongCredentials: true}},
		{Name: "faulty", Faults: FaultSpec{WinRMFaultOp: "Command", WinRMFaultNth: 1}},
	}})

	for _, transport := range []string{"http", "https", "ntlm"} {
		h := l.Host("locked")
		_, err := mzClient(t, l, h, transport, h.Password).Run("hostname",
			&bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "401") {
			t.Errorf("%s with refused credentials: got %v, want a 401 error", transport, err)
		}
	}

	// This masterzen version reports WS-Management faults as success with an
	// empty command id; the run then fails instead of running anything.
	h := l.Host("faulty")
	c := mzClient(t, l, h, "http", h.Password)
	var out bytes.Buffer
	if _, err := c.Run("hostname", &out, &bytes.Buffer{}); err == nil {
		t.Errorf("a faulted Command ran anyway, output %q", out.String())
	}
	if got := h.WinRM.Stats().Faults; got != 1 {
		t.Errorf("server answered %d faults, want 1", got)
	}

	// Only the first Command was faulted.
	out.Reset()
	if code, err := c.Run("hostname", &out, &bytes.Buffer{}); err != nil || code != 0 ||
		strings.TrimSpace(out.String()) != "FAULTY" {
		t.Errorf("second run: code %d, err %v, output %q", code, err, out.String())
	}
}

// TestPywinrm_lab drives lab hosts with Debian's pywinrm 0.3.0.
func TestPywinrm_lab(t *testing.T) {
	pywinrmtest.Require(t)
	l := startLab(t, Spec{Hosts: []HostSpec{
		{Name: "mail01", VirtualServers: []VirtualServerSpec{{ID: 1, Value: u32(7697601)}}},
	}})
	h := l.Host("mail01")

	tests := []struct {
		name, transport, target, command string
		args                             []string
		stdout                           string
		status                           int
	}{
		{"plaintext", "plaintext", h.WinRMHTTP, `C:\Windows\System32\inetsrv\mdutil.exe`,
			[]string{"get", "-path:smtpsvc/1", "-prop:36998"},
			"36998 : [IS] (DWORD) 0x7574c1={7697601}\r\n", 0},
		{"ssl with the lab CA", "ssl", h.WinRMHTTPS, "hostname", nil, "MAIL01\r\n", 0},
		{"ntlm", "ntlm", h.WinRMHTTP, "cscript",
			[]string{"//nologo", `C:\Inetpub\AdminScripts\adsutil.vbs`, "GET",
				"smtpsvc/1/SmtpInboundCommandSupportOptions"},
			"SmtpInboundCommandSupportOptions: (Long) 7697601\r\n", 0},
		{"failing command", "plaintext", h.WinRMHTTP, "sc", []string{"query", "nosuchsvc"},
			"[SC] EnumQueryServicesStatus:OpenService FAILED 1060:", 1060},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := pywinrmtest.Run(t, pywinrmtest.Request{Target: tt.target,
				Transport: tt.transport, User: h.Username, Password: h.Password,
				Command: tt.command, Args: tt.args, CAFile: l.CAFile})
			if res.Error != "" {
				t.Fatalf("pywinrm raised %s: %s", res.Error, res.Message)
			}
			if res.Status != tt.status {
				t.Errorf("wrong status: got %d, want %d", res.Status, tt.status)
			}
			if tt.status == 0 && res.Stdout != tt.stdout ||
				tt.status != 0 && !strings.Contains(res.Stdout, tt.stdout) {
				t.Errorf("wrong output\ngot:  %q\nwant: %q", res.Stdout, tt.stdout)
			}
		})
	}
}
