package command

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/lab"
)

// mainEnv makes the test binary run smtpverbs itself instead of the tests,
// so that a test can run the real program in a child process with its own
// environment and standard streams.
const mainEnv = "SMTPVERBS_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Exit(Main(os.Args[1:], System()))
	}
	os.Exit(m.Run())
}

// runChild runs smtpverbs args in a child process with maintainer logs on.
func runChild(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), mainEnv+"=1", "SMTPVERBS_LOG=debug")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %v: %v", args, err)
	}
	return out.String(), errOut.String(), code
}

// TestSecrets_neverShown runs plan, show, apply with evidence, scan and
// validate as a separate process with maintainer logs switched on, against
// hosts that succeed, fail and refuse the credentials, and searches every
// output, log line and file written for the password.
func TestSecrets_neverShown(t *testing.T) {
	l := startCommandLab(t,
		lab.HostSpec{Name: "mail01"},
		lab.HostSpec{Name: "denied", Faults: lab.FaultSpec{WriteDenied: true}},
		lab.HostSpec{Name: "locked", Faults: lab.FaultSpec{WrongCredentials: true}},
	)
	dir := l.Dir

	var logs int
	for _, args := range [][]string{
		{"validate"},
		{"plan", "-out=p.plan"},
		{"show", "-json", "p.plan"},
		{"apply", "-evidence=evidence.json", "p.plan"},
		{"apply", "-auto-approve", "-json"},
		{"scan"},
	} {
		stdout, stderr, code := runChild(t, append([]string{"-chdir=" + dir}, args...)...)
		if code == ExitFailure && args[0] != "apply" {
			t.Errorf("smtpverbs %v failed:\n%s%s", args, stdout, stderr)
		}
		logs += strings.Count(stderr, "level=")
		if strings.Contains(stdout+stderr, labPassword) {
			t.Errorf("smtpverbs %v showed the password:\nstdout:\n%s\nstderr:\n%s", args,
				stdout, stderr)
		}
	}
	if logs == 0 {
		t.Error("no maintainer log line was written with SMTPVERBS_LOG=debug: the search " +
			"above proves nothing about logs")
	}

	for _, name := range []string{"p.plan", "evidence.json"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%s was not written: %v", name, err)
		}
		if bytes.Contains(data, []byte(labPassword)) {
			t.Errorf("%s holds the password", name)
		}
	}
}
