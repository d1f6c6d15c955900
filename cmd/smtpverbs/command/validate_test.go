package command

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/internal/golden"
)

// configEnv returns an Env with buffers for a command test, the given
// environment variables, and a fixed clock.
func configEnv(vars map[string]string) (*Env, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	env := &Env{
		Stdin:     strings.NewReader(""),
		Stdout:    &stdout,
		Stderr:    &stderr,
		Getenv:    func(name string) string { return vars[name] },
		Now:       func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) },
		Interrupt: make(chan struct{}),
	}
	return env, &stdout, &stderr
}

// configDir writes files into a new directory, makes the test run in
// another one (restored afterwards, since -chdir changes the process
// directory) and returns the new directory.
func configDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(t.TempDir())
	return dir
}

// checkGolden compares got with testdata/name (see package golden).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	golden.Check(t, filepath.Join(testdataDir, name), []byte(got))
}

// testdataDir is this package's testdata, as an absolute path so that it
// survives -chdir.
var testdataDir, _ = filepath.Abs("testdata")

// badConfig has two errors, one of which shows a sensitive value.
const badConfig = `variable "pw" {
  type      = string
  sensitive = true
}

connection "c" {
  username = "svc"
  password = var.pw
  insecure = true
}

server "mail01" {
  address = "${var.pw}.example"
  disable = ["ETRM"]
}
`

// TestValidate runs validate on a valid configuration and an invalid one,
// in human and JSON form, and checks outputs, exit codes, and that the
// sensitive value never appears.
func TestValidate(t *testing.T) {
	const secret = "s3cr3t pass"
	good := strings.Replace(badConfig, "${var.pw}.example", "mail01.example", 1)
	good = strings.Replace(good, "ETRM", "ETRN", 1)

	tests := []struct {
		name     string
		config   string
		args     []string
		wantCode int
		golden   string
	}{
		{"valid", good, nil, ExitOK, "validate_valid.golden"},
		{"invalid", badConfig, nil, ExitFailure, "validate_invalid.golden"},
		{"valid json", good, []string{"-json"}, ExitOK, "validate_valid_json.golden"},
		{"invalid json", badConfig, []string{"-json"}, ExitFailure,
			"validate_invalid_json.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configDir(t, map[string]string{"main.smtp.hcl": tt.config})
			env, stdout, stderr := configEnv(nil)
			args := append([]string{"-chdir=" + dir, "validate", "-var", "pw=" + secret},
				tt.args...)

			code := Main(args, env)
			if code != tt.wantCode {
				t.Errorf("wrong exit code\ngot: %d\nwant: %d\nstderr: %s", code,
					tt.wantCode, stderr)
			}
			out := "stdout:\n" + stdout.String() + "stderr:\n" + stderr.String()
			if strings.Contains(out, "s3cr3t") {
				t.Errorf("secret shown\ngot:\n%s", out)
			}
			checkGolden(t, tt.golden, out)
		})
	}
}

// TestValidate_missingVariable checks that the variable error names the
// three ways to set a value.
func TestValidate_missingVariable(t *testing.T) {
	dir := configDir(t, map[string]string{"main.smtp.hcl": badConfig})
	env, _, stderr := configEnv(nil)
	if code := Main([]string{"-chdir", dir, "validate"}, env); code != ExitFailure {
		t.Errorf("wrong exit code\ngot: %d\nwant: %d", code, ExitFailure)
	}
	for _, want := range []string{"-var 'pw=VALUE'", "-var-file", "SMTPVERBS_VAR_pw"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("wrong message\ngot: %s\nwant it to mention: %s", stderr, want)
		}
	}
}
