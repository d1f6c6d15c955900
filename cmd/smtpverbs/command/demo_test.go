package command

import (
	"strings"
	"testing"
	"time"
)

// TestDemo runs the README's first command in-process and checks that the
// story it tells is the right one: four hosts to change, the Exchange host
// refused, the down host unreachable, four applied and verified, and a
// second plan with nothing left to change.
func TestDemo(t *testing.T) {
	var stdout, stderr syncBuffer
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Now: time.Now,
		Interrupt: make(chan struct{}),
	}
	if code := Main([]string{"demo"}, env); code != 0 {
		t.Fatalf("demo exited with %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(),
			stderr.String())
	}

	out := stdout.String()
	steps := strings.Split(out, "$ smtpverbs ")
	if len(steps) != 4 {
		t.Fatalf("want 3 steps (plan, apply, plan), got %d:\n%s", len(steps)-1, out)
	}
	first, apply, second := steps[1], steps[2], steps[3]
	for _, want := range []string{"Plan: 4 hosts to change", "exch01", "cannot change",
		"down01", "unreachable", "inherited from /LM/SmtpSvc", "/LM/SmtpSvc/2", "- ETRN"} {
		if !strings.Contains(first, want) {
			t.Errorf("first plan lacks %q:\n%s", want, first)
		}
	}
	if !strings.Contains(apply, "4 applied") {
		t.Errorf("apply did not apply four hosts:\n%s", apply)
	}
	if strings.Count(apply, "verified over SMTP") < 4 {
		t.Errorf("apply did not verify four hosts over SMTP:\n%s", apply)
	}
	if !strings.Contains(second, "0 hosts to change") || !strings.Contains(second, "4 compliant") {
		t.Errorf("second plan is not clean:\n%s", second)
	}
	if strings.Contains(out, "Lab-") {
		t.Error("the lab's password (Lab-...) appears in the demo output")
	}
}
