package wsman

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

// mzClient returns a masterzen/winrm client for the lab. ntlm selects the
// NTLM transport; the parameters keep OperationTimeout well below the
// endpoint timeout, as winrm.md advises for this client version.
func mzClient(t testing.TB, l *lab, user, password string, ntlm bool) *winrm.Client {
	t.Helper()
	ep := winrm.NewEndpoint(l.host, l.port, l.https, false, l.caPEM, nil, nil, 60*time.Second)
	params := winrm.NewParameters("PT20S", "en-US", 153600)
	if ntlm {
		params.TransportDecorator = func() winrm.Transporter { return &winrm.ClientNTLM{} }
	}
	c, err := winrm.NewClientWithParameters(ep, user, password, params)
	if err != nil {
		t.Fatalf("new client: %v", err)
	}
	return c
}

// mzRun runs cmd with client.Run and returns its results.
func mzRun(c *winrm.Client, cmd string) (stdout, stderr string, code int, err error) {
	var out, errOut bytes.Buffer
	code, err = c.Run(cmd, &out, &errOut)
	return out.String(), errOut.String(), code, err
}

func TestMasterzen_run(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		https      bool
		ntlm       bool
		user       string
		cmd        string
		wantStdout string
		wantStderr string
		wantCode   int
	}{
		{
			name:       "basic over http",
			cfg:        Config{Basic: true},
			cmd:        "echo hello",
			wantStdout: "hello\r\n",
		},
		{
			name:       "basic over https with a pinned CA",
			cfg:        Config{Basic: true},
			https:      true,
			cmd:        "echo secure",
			wantStdout: "secure\r\n",
		},
		{
			name:       "ntlm over http",
			cfg:        Config{NTLM: true},
			ntlm:       true,
			cmd:        "echo negotiated",
			wantStdout: "negotiated\r\n",
		},
		{
			name:       "ntlm over https with basic also offered",
			cfg:        Config{NTLM: true, Basic: true},
			https:      true,
			ntlm:       true,
			cmd:        "echo both",
			wantStdout: "both\r\n",
		},
		{
			name:       "ntlm with a domain prefix and other case",
			cfg:        Config{NTLM: true, Computer: "MAIL01", Domain: "CORP"},
			ntlm:       true,
			user:       `CORP\administrator`,
			cmd:        "echo domain",
			wantStdout: "domain\r\n",
		},
		{
			name:       "basic with a user principal name",
			cfg:        Config{Basic: true},
			user:       "ADMINISTRATOR@corp.example",
			cmd:        "echo upn",
			wantStdout: "upn\r\n",
		},
		{
			name:       "stderr and exit code",
			cfg:        Config{Basic: true},
			cmd:        "echo out & err oops & exit 3",
			wantStdout: "out\r\n",
			wantStderr: "oops\r\n",
			wantCode:   3,
		},
		{
			name:     "unknown program",
			cfg:      Config{Basic: true},
			cmd:      "frobnicate now",
			wantCode: 1,
			wantStderr: "'frobnicate' is not recognized as an internal or external command," +
				"\r\noperable program or batch file.\r\n",
		},
		{
			name:       "a runner panic becomes exit code 1",
			cfg:        Config{Basic: true},
			cmd:        "echo before & panic",
			wantStdout: "before\r\n",
			wantStderr: "internal error in the simulated host: test runner told to panic\r\n",
			wantCode:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, tt.cfg, tt.https)
			user := tt.user
			if user == "" {
				user = testUser
			}
			c := mzClient(t, l, user, testPassword, tt.ntlm)

			stdout, stderr, code, err := mzRun(c, tt.cmd)
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if stdout != tt.wantStdout || stderr != tt.wantStderr || code != tt.wantCode {
				t.Errorf("wrong result\ngot:  %q %q %d\nwant: %q %q %d",
					stdout, stderr, code, tt.wantStdout, tt.wantStderr, tt.wantCode)
			}
		})
	}
}

func TestMasterzen_rejected(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Config
		ntlm     bool
		user     string
		password string
	}{
		{"basic wrong password", Config{Basic: true}, false, testUser, "wrong"},
		{"basic wrong user", Config{Basic: true}, false, "guest", testPassword},
		{"ntlm wrong password", Config{NTLM: true}, true, testUser, "wrong"},
		{"basic client against ntlm only", Config{NTLM: true}, false, testUser, testPassword},
		{"ntlm wrong password with basic offered", Config{NTLM: true, Basic: true}, true,
			testUser, "wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := startLab(t, tt.cfg, false)
			c := mzClient(t, l, tt.user, tt.password, tt.ntlm)

			_, _, _, err := mzRun(c, "echo never")
			if err == nil || !strings.Contains(err.Error(), "401") {
				t.Errorf("wrong result\ngot:  %v\nwant: an error containing 401", err)
			}
			if got := l.h.Stats(); got.Create != 0 || got.Unauthorized == 0 {
				t.Errorf("wrong result\ngot:  %+v\nwant: no Create, some Unauthorized", got)
			}
		})
	}
}

func TestMasterzen_operationTimeout(t *testing.T) {
	l := startLab(t, Config{Basic: true, MaxHold: 50 * time.Millisecond}, false)
	c := mzClient(t, l, testUser, testPassword, false)

	stdout, _, code, err := mzRun(c, "echo start & sleep 400ms & echo end & exit 7")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if stdout != "start\r\nend\r\n" || code != 7 {
		t.Errorf("wrong result\ngot:  %q %d\nwant: %q %d", stdout, code, "start\r\nend\r\n", 7)
	}
	if got := l.h.Stats(); got.Timeouts == 0 || got.Faults != got.Timeouts {
		t.Errorf("wrong result\ngot:  %+v\nwant: some Timeouts, no other Faults", got)
	}
}

func TestMasterzen_stdin(t *testing.T) {
	l := startLab(t, Config{Basic: true}, false)
	c := mzClient(t, l, testUser, testPassword, false)

	input := strings.Repeat("line of input\r\n", 20000) // over one Send chunk
	var stdout, stderr bytes.Buffer
	code, err := c.RunWithInput("cat", &stdout, &stderr, strings.NewReader(input))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if stdout.String() != input || stderr.Len() != 0 || code != 0 {
		t.Errorf("wrong result\ngot:  %d bytes, stderr %q, code %d\nwant: %d bytes, no stderr, 0",
			stdout.Len(), stderr.String(), code, len(input))
	}
	if got := l.h.Stats(); got.Send < 2 {
		t.Errorf("wrong result\ngot:  %d Sends\nwant: at least 2 (data and End)", got.Send)
	}
}

func TestMasterzen_bigOutput(t *testing.T) {
	l := startLab(t, Config{Basic: true}, false)
	c := mzClient(t, l, testUser, testPassword, false)

	const size = 700 << 10
	stdout, _, code, err := mzRun(c, "big 716800")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if stdout != string(pattern(size)) || code != 0 {
		t.Errorf("wrong result\ngot:  %d bytes, code %d\nwant: the %d-byte pattern, code 0",
			len(stdout), code, size)
	}

	// 700 KB cannot fit in fewer than five answers of under 153600 bytes.
	if got := l.h.Stats(); got.Receive < 5 {
		t.Errorf("wrong result\ngot:  %d Receives\nwant: at least 5", got.Receive)
	}
}

func TestMasterzen_stats(t *testing.T) {
	l := startLab(t, Config{Basic: true}, false)
	c := mzClient(t, l, testUser, testPassword, false)

	if _, _, _, err := mzRun(c, "echo counted"); err != nil {
		t.Fatalf("run: %v", err)
	}
	got := l.h.Stats()
	want := Stats{Create: 1, Command: 1, Receive: got.Receive, Signal: 1, Delete: 1}
	want.Total = 4 + got.Receive
	if got.Receive < 1 || got != want {
		t.Errorf("wrong result\ngot:  %+v\nwant: %+v with Receive >= 1", got, want)
	}
}

// masterzen/winrm at 232efb4 does not treat HTTP 500 as an error: the
// deferred closure in clientRequest.Post assigns to locals, not to named
// results, so a fault body is parsed as if it were the answer. A failed
// Create gives shell id "", a failed Command gives command id "" and the
// run ends with "Command has already been closed"; an OperationTimeout
// fault simply has no Done state, so Receive is retried.
const mzFaultError = "Command has already been closed"

func TestMasterzen_fault(t *testing.T) {
	tests := []struct {
		name       string
		fault      Fault
		wantErr    string // substring of the error; "" = success expected
		wantFaults int
	}{
		{"command access denied", Fault{Op: "Command"}, mzFaultError, 1},
		// The Command then goes to shell "" and fails as well.
		{"create with custom text", Fault{Op: "Create", Code: 5, Message: "lab says no"},
			mzFaultError, 2},
		{"first receive times out and is retried", Fault{Op: "Receive", Nth: 1,
			Code: CodeOperationTimeout}, "", 1},
		{"second create only", Fault{Op: "Create", Nth: 2}, "", 0},
		{"every delete; run ignores it", Fault{Op: "Delete"}, "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fault
			l := startLab(t, Config{Basic: true, Fault: &f}, false)
			c := mzClient(t, l, testUser, testPassword, false)

			stdout, _, _, err := mzRun(c, "echo through")
			switch {
			case tt.wantErr == "" && (err != nil || stdout != "through\r\n"):
				t.Errorf("wrong result\ngot:  %q, %v\nwant: success", stdout, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("wrong result\ngot:  %v\nwant: an error containing %q", err, tt.wantErr)
			}
			if got := l.h.Stats().Faults; got != tt.wantFaults {
				t.Errorf("wrong result\ngot:  %d faults\nwant: %d", got, tt.wantFaults)
			}
		})
	}
}

func TestMasterzen_setConfig(t *testing.T) {
	l := startLab(t, Config{Basic: true}, false)
	c := mzClient(t, l, testUser, testPassword, false)
	if _, _, _, err := mzRun(c, "echo one"); err != nil {
		t.Fatalf("run before the change: %v", err)
	}

	l.h.SetConfig(func(cfg *Config) {
		cfg.Password = "rotated"
		cfg.Fault = &Fault{Op: "Command", Code: CodeAborted}
	})
	_, _, _, err := mzRun(c, "echo two")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong result\ngot:  %v\nwant: 401 with the old password", err)
	}

	c = mzClient(t, l, testUser, "rotated", false)
	_, _, _, err = mzRun(c, "echo three")
	if err == nil || !strings.Contains(err.Error(), mzFaultError) {
		t.Errorf("wrong result\ngot:  %v\nwant: the injected fault", err)
	}
	if got := l.h.Stats().Faults; got != 1 {
		t.Errorf("wrong result\ngot:  %d faults\nwant: 1", got)
	}

	l.h.SetConfig(func(cfg *Config) { cfg.Fault = nil })
	if out, _, _, err := mzRun(c, "echo four"); err != nil || out != "four\r\n" {
		t.Errorf("wrong result\ngot:  %q, %v\nwant: \"four\\r\\n\", no error", out, err)
	}
}

func TestMasterzen_terminateWhileReceiving(t *testing.T) {
	l := startLab(t, Config{Basic: true}, false)
	l.runner.started = make(chan string, 1)
	c := mzClient(t, l, testUser, testPassword, false)

	sh, err := c.CreateShell()
	if err != nil {
		t.Fatalf("create shell: %v", err)
	}
	defer sh.Close()
	cmd, err := sh.Execute("sleep", "1h")
	if err != nil {
		t.Fatalf("execute: %v", err)
	}
	if got := <-l.runner.started; got != "sleep 1h" {
		t.Errorf("wrong result\ngot:  %q\nwant: %q", got, "sleep 1h")
	}

	// The client is now blocked in Receive; Signal arrives on another
	// connection and must end the command.
	if err := cmd.Close(); err != nil {
		t.Fatalf("signal: %v", err)
	}
	cmd.Wait()
	if got := l.h.Stats(); got.Signal != 1 {
		t.Errorf("wrong result\ngot:  %+v\nwant: one Signal", got)
	}
}

func TestMasterzen_powershell(t *testing.T) {
	l := startLab(t, Config{Basic: true}, false)
	c := mzClient(t, l, testUser, testPassword, false)

	// The test runner does not know PowerShell; "line" shows what arrived.
	stdout, _, code, err := c.RunWithString("line "+winrm.Powershell("Get-Date"), "")
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := "line " + winrm.Powershell("Get-Date") + "\r\n"
	if stdout != want || code != 0 {
		t.Errorf("wrong result\ngot:  %q %d\nwant: %q 0", stdout, code, want)
	}
}

func TestMasterzen_concurrent(t *testing.T) {
	l := startLab(t, Config{Basic: true, NTLM: true}, false)

	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := mzClient(t, l, testUser, testPassword, i%2 == 0)
			want := strings.Repeat("x", i+1)
			out, _, code, err := mzRun(c, "sleep 20ms & echo "+want)
			if err != nil || out != want+"\r\n" || code != 0 {
				errs <- fmt.Sprintf("%q %d %v (want %q)", out, code, err, want)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("wrong result\ngot:  %s\nwant: every run to see its own output", e)
	}
}
