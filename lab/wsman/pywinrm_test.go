package wsman

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// systemPython is Debian's interpreter, which has python3-winrm 0.3.0; a
// pyenv python earlier on PATH would not.
const systemPython = "/usr/bin/python3"

// opensslLegacy enables OpenSSL 3's legacy provider, without which
// ntlm-auth fails with "unsupported hash type md4" on Debian 12.
const opensslLegacy = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`

// pyResult is what testdata/pywinrm_client.py prints.
type pyResult struct {
	Stdout  string `json:"stdout"`
	Stderr  string `json:"stderr"`
	Status  int    `json:"status"`
	Error   string `json:"error"`
	Message string `json:"message"`
}

// requirePywinrm skips the test when the system python lacks pywinrm.
func requirePywinrm(t *testing.T) {
	t.Helper()
	if err := exec.Command(systemPython, "-c", "import winrm").Run(); err != nil {
		t.Skipf("%s cannot import winrm (install the Debian package python3-winrm): %v",
			systemPython, err)
	}
}

// pyRun runs one command with pywinrm against the lab.
func pyRun(t *testing.T, l *lab, transport, password, command string, args []string) pyResult {
	t.Helper()
	dir := t.TempDir()
	env := []string{"NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost"}
	for _, kv := range os.Environ() {
		// These override ca_trust_path in pywinrm 0.3.0 (pywinrm issue 201).
		name, _, _ := strings.Cut(kv, "=")
		if name == "REQUESTS_CA_BUNDLE" || name == "CURL_CA_BUNDLE" || name == "OPENSSL_CONF" {
			continue
		}
		env = append(env, kv)
	}

	in := map[string]any{"target": l.url(), "transport": transport, "user": testUser,
		"password": password, "command": command, "args": args}
	if l.https {
		ca := filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(ca, l.caPEM, 0o600); err != nil {
			t.Fatalf("write CA: %v", err)
		}
		in["ca"] = ca
	}
	if transport == "ntlm" {
		conf := filepath.Join(dir, "openssl-legacy.cnf")
		if err := os.WriteFile(conf, []byte(opensslLegacy), 0o600); err != nil {
			t.Fatalf("write OpenSSL config: %v", err)
		}
		env = append(env, "OPENSSL_CONF="+conf)
	}
	arg, _ := json.Marshal(in)

	// The deadline only guards against a hung interpreter.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, systemPython, "testdata/pywinrm_client.py", string(arg))
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pywinrm client: %v\n%s", err, out)
	}
	var res pyResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("pywinrm client output %q: %v", out, err)
	}
	return res
}

func TestPywinrm_runCmd(t *testing.T) {
	requirePywinrm(t)
	tests := []struct {
		name      string
		cfg       Config
		https     bool
		transport string
		command   string
		args      []string
		want      pyResult
	}{
		{
			name:      "plaintext basic",
			cfg:       Config{Basic: true},
			transport: "plaintext",
			command:   "echo",
			args:      []string{"hello", "world"},
			want:      pyResult{Stdout: "hello world\r\n"},
		},
		{
			name:      "ssl with a CA",
			cfg:       Config{Basic: true},
			https:     true,
			transport: "ssl",
			command:   "echo secure",
			want:      pyResult{Stdout: "secure\r\n"},
		},
		{
			name:      "ntlm without encryption",
			cfg:       Config{NTLM: true, Computer: "MAIL01"},
			transport: "ntlm",
			command:   "echo out & err bad & exit 5",
			want:      pyResult{Stdout: "out\r\n", Stderr: "bad\r\n", Status: 5},
		},
		{
			name:      "ntlm with basic also offered",
			cfg:       Config{NTLM: true, Basic: true},
			transport: "ntlm",
			command:   "line",
			args:      []string{"get", "-path:smtpsvc/1&x"},
			want:      pyResult{Stdout: "line get -path:smtpsvc/1&x\r\n"},
		},
		{
			name:      "operation timeouts are retried",
			cfg:       Config{Basic: true, MaxHold: 50 * time.Millisecond},
			transport: "plaintext",
			command:   "sleep 400ms & echo late",
			want:      pyResult{Stdout: "late\r\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, tt.cfg, tt.https)
			got := pyRun(t, l, tt.transport, testPassword, tt.command, tt.args)
			if got != tt.want {
				t.Errorf("wrong result\ngot:  %+v\nwant: %+v", got, tt.want)
			}
		})
	}
}

func TestPywinrm_errors(t *testing.T) {
	requirePywinrm(t)
	tests := []struct {
		name        string
		cfg         Config
		transport   string
		password    string
		wantError   string
		wantMessage string
	}{
		{"basic bad password", Config{Basic: true}, "plaintext", "wrong",
			"InvalidCredentialsError", "credentials were rejected"},
		{"ntlm bad password", Config{NTLM: true}, "ntlm", "wrong",
			"InvalidCredentialsError", "credentials were rejected"},
		{"injected fault", Config{Basic: true, Fault: &Fault{Op: "Command"}}, "plaintext",
			testPassword, "WinRMError", "Access is denied"},
		{"fault with its own text", Config{Basic: true, Fault: &Fault{Op: "Create",
			Code: 1726, Message: "The remote procedure call failed. "}}, "plaintext",
			testPassword, "WinRMError", "1726"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, tt.cfg, false)
			got := pyRun(t, l, tt.transport, tt.password, "echo never", nil)
			if got.Error != tt.wantError || !strings.Contains(got.Message, tt.wantMessage) {
				t.Errorf("wrong result\ngot:  %+v\nwant: %s containing %q", got, tt.wantError,
					tt.wantMessage)
			}
		})
	}
}
