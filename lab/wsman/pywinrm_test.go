package wsman

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/lab/internal/pywinrmtest"
)

// pyRun runs one command with pywinrm against the lab.
func pyRun(t *testing.T, l *lab, transport, password, command string, args []string) pyResult {
	t.Helper()
	req := pywinrmtest.Request{Target: l.url(), Transport: transport, User: testUser,
		Password: password, Command: command, Args: args}
	if l.https {
		req.CAFile = filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(req.CAFile, l.caPEM, 0o600); err != nil {
			t.Fatalf("write CA: %v", err)
		}
	}
	return pywinrmtest.Run(t, req)
}

// pyResult is what pywinrm returned or raised.
type pyResult = pywinrmtest.Result

func TestPywinrm_runCmd(t *testing.T) {
	pywinrmtest.Require(t)
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
	pywinrmtest.Require(t)
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
