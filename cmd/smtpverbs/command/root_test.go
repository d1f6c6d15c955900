package command

import (
	"strings"
	"testing"
	"time"
)

// TestMain_panicIsReported checks that a panic inside a command becomes an
// error message and exit status 1, not a crash.
func TestMain_panicIsReported(t *testing.T) {
	var stdout, stderr syncBuffer
	env := &Env{
		Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(string) string { return "" }, Now: time.Now,
		Interrupt: make(chan struct{}),
	}
	// A nil Stdout makes the version command panic when it writes.
	env.Stdout = nil
	if code := Main([]string{"version"}, env); code != ExitFailure {
		t.Fatalf("exit status %d, want %d", code, ExitFailure)
	}
	if got := stderr.String(); !strings.Contains(got, "internal error") ||
		strings.Contains(got, "goroutine ") {
		t.Errorf("wrong report:\n%s", got)
	}
}
