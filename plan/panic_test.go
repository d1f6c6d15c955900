package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/smtpverbs/smtpverbs/verb"
)

// TestApply_panicStaysOnItsHost checks that a bug hit while applying one
// host fails that host, says it may have been written, and lets the others
// finish.
func TestApply_panicStaysOnItsHost(t *testing.T) {
	bad := newFakeHost("bad", "127.0.0.2", verb.SchemaDefault)
	good := newFakeHost("good", "127.0.0.3", verb.SchemaDefault)
	bad.beforeWrite = func() { panic("provider bug") }
	fp := newFakeProvider(bad, good)
	p := planFor(t, fp, []*fakeHost{bad, good}, nil)

	r := Apply(context.Background(), p, applyOptions(fp))

	if hr := r.Hosts[0]; hr.Outcome != OutcomeFailed ||
		!strings.Contains(hr.Reason, "provider bug") ||
		!strings.Contains(hr.Reason, "may have been written") {
		t.Errorf("wrong result for bad\ngot:  %s: %s\nwant: failed, naming the bug", hr.Outcome,
			hr.Reason)
	}
	if hr := r.Hosts[1]; hr.Outcome != OutcomeApplied {
		t.Errorf("wrong result for good\ngot:  %s (%s)\nwant: applied", hr.Outcome, hr.Reason)
	}
	if r.ExitCode() != 1 {
		t.Errorf("wrong exit code\ngot:  %d\nwant: 1", r.ExitCode())
	}
}
