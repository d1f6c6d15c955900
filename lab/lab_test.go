package lab

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

// startLab starts spec in a fresh directory and stops it when the test
// ends.
func startLab(t *testing.T, spec Spec) *Lab {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := Start(ctx, spec, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// run executes a command line on h over WinRM/HTTPS with the lab's CA.
func run(t *testing.T, l *Lab, h *Host, cmd string) (string, string, int) {
	t.Helper()
	ca, err := os.ReadFile(l.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	ep := winrm.NewEndpoint(h.Address, h.HTTPSPort, true, false, ca, nil, nil, 30*time.Second)
	params := winrm.NewParameters("PT20S", "en-US", 153600)
	c, err := winrm.NewClientWithParameters(ep, h.Username, h.Password, params)
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code, err := c.Run(cmd, &stdout, &stderr)
	if err != nil {
		t.Fatalf("run %q on %s: %v", cmd, h.Name, err)
	}
	return stdout.String(), stderr.String(), code
}

// ehlo returns the EHLO keywords of the SMTP server at addr.
func ehlo(t *testing.T, addr string) []string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("dial SMTP %s: %v", addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, "220 ") {
		t.Fatalf("banner: %q", line)
	}
	conn.Write([]byte("EHLO test.example\r\n"))
	var kw []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("read EHLO reply: %v", err)
		}
		line = strings.TrimRight(line, "\r\n")
		kw = append(kw, strings.Fields(line[4:])[0])
		if line[3] == ' ' {
			break
		}
	}
	conn.Write([]byte("QUIT\r\n"))
	return kw[1:]
}

func TestStart_files(t *testing.T) {
	spec := Spec{Hosts: []HostSpec{
		{Name: "mail01"},
		{Name: "down01", Faults: FaultSpec{Unreachable: true}},
	}}
	l := startLab(t, spec)

	data, err := os.ReadFile(filepath.Join(l.Dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Hosts []map[string]any `json:"hosts"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("lab.json is not JSON: %v", err)
	}
	if len(got.Hosts) != 2 {
		t.Fatalf("lab.json has %d hosts, want 2", len(got.Hosts))
	}
	h := got.Hosts[0]
	for _, k := range []string{"name", "address", "winrm_http", "winrm_https", "smtp",
		"username", "password", "ca_file"} {
		if s, _ := h[k].(string); s == "" {
			t.Errorf("lab.json host lacks %q", k)
		}
	}
	if !strings.HasSuffix(h["winrm_https"].(string), "/wsman") {
		t.Errorf("winrm_https = %v, want a URL ending in /wsman", h["winrm_https"])
	}
	if _, _, err := net.SplitHostPort(h["smtp"].(string)); err != nil {
		t.Errorf("smtp = %v is not address:port", h["smtp"])
	}

	cfg, err := os.ReadFile(filepath.Join(l.Dir, ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`baseline "pci"`, `"TURN", "ATRN", "ETRN"`,
		`server "mail01"`, `server "down01"`, `ca_file   = "ca.pem"`, "sensitive = true"} {
		if !bytes.Contains(cfg, []byte(want)) {
			t.Errorf("lab.smtp.hcl lacks %q:\n%s", want, cfg)
		}
	}

	// The unreachable host refuses connections.
	down := l.Host("down01")
	if c, err := net.DialTimeout("tcp", net.JoinHostPort(down.Address, "5985"),
		2*time.Second); err == nil {
		c.Close()
		t.Error("unreachable host accepted a WinRM connection")
	}
}

func TestStart_restartChangesEHLO(t *testing.T) {
	l := startLab(t, Spec{Hosts: []HostSpec{{Name: "mail01", Windows: "2019"}}})
	h := l.Host("mail01")

	before := strings.Join(ehlo(t, h.SMTP), " ")
	if !strings.Contains(before, "TURN") || !strings.Contains(before, "ETRN") {
		t.Fatalf("default host should offer TURN and ETRN, EHLO: %s", before)
	}

	// Write the PCI value at the instance; the running service keeps its
	// configuration until it restarts.
	out, _, code := run(t, l, h, `C:\Windows\System32\inetsrv\mdutil.exe set -path:smtpsvc/1 `+
		`-prop:36998 -utype:UT_SERVER -dtype:DWORD -attrib:INHERIT -value:0x757041`)
	if code != 0 || !strings.Contains(out, "0x757041") {
		t.Fatalf("mdutil set: exit %d, output %q", code, out)
	}
	if now := strings.Join(ehlo(t, h.SMTP), " "); now != before {
		t.Fatalf("EHLO changed before a restart:\nbefore: %s\nnow:    %s", before, now)
	}

	_, stderr, code := run(t, l, h, "net stop smtpsvc && net start smtpsvc")
	if code != 0 {
		t.Fatalf("restart: exit %d, stderr %q", code, stderr)
	}
	after := strings.Join(ehlo(t, h.SMTP), " ")
	if strings.Contains(after, "TURN") || strings.Contains(after, "ETRN") {
		t.Fatalf("EHLO still offers TURN or ETRN after the restart: %s", after)
	}
	if !strings.Contains(after, "DSN") {
		t.Fatalf("EHLO lost DSN, which the write kept: %s", after)
	}
}

func TestStart_hostname(t *testing.T) {
	l := startLab(t, Spec{Hosts: []HostSpec{{Name: "mail07"}}})
	out, _, code := run(t, l, l.Hosts[0], "hostname")
	if code != 0 || strings.TrimSpace(out) != "MAIL07" {
		t.Fatalf("hostname: exit %d, output %q", code, out)
	}
}
