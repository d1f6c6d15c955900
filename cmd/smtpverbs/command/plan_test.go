package command

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/smtpverbs/smtpverbs/lab"
)

// These tests run plan, show and apply through Main against a lab, over
// real WinRM and SMTP.

const labPassword = "Pl4n-T3st-S3cret"

func v32(v uint32) *uint32 { return &v }

// startCommandLab starts hosts, makes the test run in the directory holding
// the lab's smtpverbs configuration, and returns the lab.
func startCommandLab(t *testing.T, hosts ...lab.HostSpec) *lab.Lab {
	t.Helper()
	dir := t.TempDir()
	l, err := lab.Start(context.Background(), lab.Spec{Hosts: hosts},
		lab.Options{Dir: dir, Password: labPassword})
	if err != nil {
		t.Fatalf("start lab: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	t.Chdir(dir)
	return l
}

// run is one command run's exit code and output.
type run struct {
	code           int
	stdout, stderr string
}

// runMain runs smtpverbs with args and stdin; tty says whether stdin is a
// terminal.
func runMain(t *testing.T, stdin string, tty bool, args ...string) run {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := &Env{
		Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		StdinTTY: tty, Getenv: func(string) string { return "" }, Now: time.Now,
		Interrupt: make(chan struct{}),
	}
	code := Main(args, env)
	r := run{code, stdout.String(), stderr.String()}
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, labPassword) {
			t.Errorf("smtpverbs %s printed the password:\n%s", strings.Join(args, " "), out)
		}
	}
	return r
}

func (r run) check(t *testing.T, code int, wants ...string) {
	t.Helper()
	if r.code != code {
		t.Errorf("wrong exit code\ngot:  %d\nwant: %d\nstdout:\n%s\nstderr:\n%s", r.code, code,
			r.stdout, r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stdout+r.stderr, w) {
			t.Errorf("output lacks %q\nstdout:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
		}
	}
}

func TestPlanShowApply_lab(t *testing.T) {
	l := startCommandLab(t,
		lab.HostSpec{Name: "mail01"},
		lab.HostSpec{Name: "mail02", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: v32(0x757041)}}},
		lab.HostSpec{Name: "mail03", Windows: "2003", Exchange: "2003"},
	)

	// The whole fleet: one change, one compliant, one Exchange host.
	runMain(t, "", false, "plan", "-detailed-exitcode").check(t, 2,
		"~ mail01", "= mail02", "! mail03", "- TURN", "- ETRN", "(schema default: set nowhere)",
		"Plan: 1 host to change (3 verbs), 1 compliant, 1 cannot change.")

	// Save a plan of the hosts that can change, review it, apply it.
	runMain(t, "", false, "plan", "-target=mail01", "-target", "mail02", "-out=review.plan").
		check(t, 0, "Saved the plan to review.plan")
	data, err := os.ReadFile("review.plan")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(labPassword)) {
		t.Errorf("the plan file holds the password")
	}
	runMain(t, "", false, "show", "review.plan").check(t, 0, "Saved plan made",
		"~ mail01", "Plan: 1 host to change (3 verbs), 1 compliant.")
	runMain(t, "", false, "show", "-diff", "review.plan").check(t, 0, "--- observed",
		"+++ target", "-mail01 /LM/SmtpSvc/1 TURN on", "+mail01 /LM/SmtpSvc/1 TURN off")
	shown := runMain(t, "", false, "show", "-json", "review.plan")
	shown.check(t, 0, `"format_version": "1"`)
	if shown.stdout != string(data) {
		t.Errorf("show -json differs from the plan file")
	}

	runMain(t, "", false, "apply", "review.plan").check(t, 0,
		"mail01 (", "applied, verified over SMTP", "Apply: 1 applied, 1 unchanged.")
	if v, _ := l.Host("mail01").Machine.Value(1); v != 0x757041 {
		t.Errorf("wrong value after apply\ngot:  %#x\nwant: 0x757041", v)
	}

	// Applying the same file again: mail01 changed since, so it is stale.
	runMain(t, "", false, "apply", "review.plan").check(t, 1, "stale")
	runMain(t, "", false, "plan", "-detailed-exitcode", "-target=mail01").check(t, 0,
		"Plan: 0 hosts to change, 1 compliant.")
}

func TestApply_approval(t *testing.T) {
	l := startCommandLab(t, lab.HostSpec{Name: "mail01"})

	tests := []struct {
		name  string
		stdin string
		tty   bool
		args  []string
		code  int
		want  string
	}{
		{"no terminal, no -auto-approve", "yes\n", false, nil, 1,
			"Pass -auto-approve"},
		{"answer other than yes", "y\n", true, nil, 1, "Apply cancelled"},
		{"-target with a plan file", "", false, []string{"x.plan", "-target=mail01"}, 1,
			"-target cannot be used with a plan file"},
		{"corrupt plan file", "", false, []string{"lab.json"}, 1, "not a smtpverbs plan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runMain(t, tt.stdin, tt.tty, append([]string{"apply"}, tt.args...)...)
			r.check(t, tt.code, tt.want)
			if v, _ := l.Host("mail01").Machine.Value(1); v != 0x7574c1 {
				t.Errorf("a refused apply wrote %#x", v)
			}
		})
	}

	// "yes" at a terminal approves.
	runMain(t, "yes\n", true, "apply").check(t, 0, "Only 'yes' will be accepted",
		"Apply: 1 applied.")
}

func TestApply_jsonStream(t *testing.T) {
	startCommandLab(t, lab.HostSpec{Name: "mail01"},
		lab.HostSpec{Name: "down", Faults: lab.FaultSpec{Unreachable: true}})

	r := runMain(t, "", false, "apply", "-json", "-auto-approve", "-parallelism=1")
	r.check(t, 3)

	var types []string
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var m struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("not a JSON line: %v\n%s", err, sc.Text())
		}
		types = append(types, m.Type)
	}
	if len(types) < 3 || types[0] != "version" || types[len(types)-1] != "change_summary" {
		t.Fatalf("wrong stream\ngot:  %v\nwant: version first, change_summary last", types)
	}
	for _, want := range []string{"host_read", "planned_change", "diagnostic", "apply_start",
		"apply_write", "apply_restart", "apply_verify", "apply_complete"} {
		if !strings.Contains(strings.Join(types, " "), want) {
			t.Errorf("stream lacks %q: %v", want, types)
		}
	}
}

func TestShow_staleAndMissing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	old := `{"format_version":"1","tool_version":"0.1.0","created_at":"2020-01-01T00:00:00Z",` +
		`"config_digest":"sha256:00","hosts":[],"summary":{}}`
	if err := os.WriteFile(filepath.Join(dir, "old.plan"), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	runMain(t, "", false, "show", "old.plan").check(t, 0, "Warning: this plan is",
		"Plan: 0 hosts to change.")
	runMain(t, "", false, "show", "missing.plan").check(t, 1, "no such file")
	runMain(t, "", false, "show", "-json", "-diff", "old.plan").check(t, 1, "exclude")
}

// TestPlan_labWording checks what plan prints for hosts that cannot
// change, cannot be reached or await a restart, over real WinRM and SMTP.
func TestPlan_labWording(t *testing.T) {
	l := startCommandLab(t,
		lab.HostSpec{Name: "exch01", Windows: "2003", Exchange: "2003"},
		lab.HostSpec{Name: "down01", Faults: lab.FaultSpec{Unreachable: true}},
		lab.HostSpec{Name: "pend01", VirtualServers: []lab.VirtualServerSpec{
			{ID: 1, Value: v32(0x757041)}}},
	)
	// TURN and ETRN go on in the metabase; SMTPSVC is not restarted.
	if err := l.Host("pend01").Machine.SetValue("/LM/SmtpSvc/1", v32(0x7574c1)); err != nil {
		t.Fatal(err)
	}
	down := l.Host("down01")

	r := runMain(t, "", false, "plan")
	r.check(t, ExitUnreachable,
		"would change if it could be written (smtpverbs will not write this host):",
		"TURN is on, the policy wants it off",
		fmt.Sprintf("unreachable: dial tcp %s:%d: connection refused", down.Address,
			down.HTTPSPort),
		"restart pending: live SMTP on "+l.Host("pend01").SMTP+" (/LM/SmtpSvc/1) does not "+
			"offer TURN, ETRN, which")
	for _, bad := range []string{"unknown error", "open a shell"} {
		if strings.Contains(r.stdout, bad) {
			t.Errorf("wrong result\ngot:  %q in\n%s\nwant: no such noise", bad, r.stdout)
		}
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if len(line) > 100 && !strings.HasPrefix(line, "Plan: ") {
			t.Errorf("wrong result\ngot:  a line of %d columns: %s\nwant: at most 100",
				len(line), line)
		}
	}
}
