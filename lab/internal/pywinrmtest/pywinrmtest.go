// Package pywinrmtest runs Debian's pywinrm 0.3.0 (package python3-winrm)
// against lab servers from Go tests: one command per call, through a small
// driver script, with the environment pywinrm needs on Debian 12.
package pywinrmtest

import (
	"context"
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Python is Debian's interpreter, which has python3-winrm; a pyenv python
// earlier on PATH would not.
const Python = "/usr/bin/python3"

//go:embed client.py
var client []byte

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

// Request is one command to run.
type Request struct {
	// Target is the endpoint URL, e.g. http://127.0.1.1:5985/wsman.
	Target string

	// Transport is pywinrm's: "plaintext", "ssl" or "ntlm" (which is sent
	// with message_encryption='never').
	Transport string

	User, Password string

	// Command and Args go to run_cmd, which joins the arguments with spaces.
	Command string
	Args    []string

	// CAFile is passed as ca_trust_path when set.
	CAFile string
}

// Result is what run_cmd returned, or the exception pywinrm raised.
type Result struct {
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
	Status int    `json:"status"`

	// Error is the exception's class name and Message its text.
	Error   string `json:"error"`
	Message string `json:"message"`
}

// Require skips the test when the system python lacks pywinrm.
func Require(t testing.TB) {
	t.Helper()
	if err := exec.Command(Python, "-c", "import winrm").Run(); err != nil {
		t.Skipf("%s cannot import winrm (install the Debian package python3-winrm): %v",
			Python, err)
	}
}

// Run runs req and returns what pywinrm reported.
func Run(t testing.TB, req Request) Result {
	t.Helper()
	dir := t.TempDir()
	script := filepath.Join(dir, "client.py")
	if err := os.WriteFile(script, client, 0o600); err != nil {
		t.Fatalf("write pywinrm driver: %v", err)
	}

	env := []string{"NO_PROXY=127.0.0.0/8,localhost", "no_proxy=127.0.0.0/8,localhost"}
	for _, kv := range os.Environ() {
		// These override ca_trust_path in pywinrm 0.3.0 (pywinrm issue 201).
		name, _, _ := strings.Cut(kv, "=")
		if name != "REQUESTS_CA_BUNDLE" && name != "CURL_CA_BUNDLE" && name != "OPENSSL_CONF" {
			env = append(env, kv)
		}
	}
	if req.Transport == "ntlm" {
		conf := filepath.Join(dir, "openssl-legacy.cnf")
		if err := os.WriteFile(conf, []byte(opensslLegacy), 0o600); err != nil {
			t.Fatalf("write OpenSSL config: %v", err)
		}
		env = append(env, "OPENSSL_CONF="+conf)
	}

	arg, _ := json.Marshal(map[string]any{"target": req.Target,
		"transport": req.Transport, "user": req.User, "password": req.Password,
		"command": req.Command, "args": req.Args, "ca": req.CAFile})

	// The deadline only guards against a hung interpreter.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, Python, script, string(arg))
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pywinrm driver: %v\n%s", err, out)
	}
	var res Result
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("pywinrm driver output %q: %v", out, err)
	}
	return res
}
