package plan

import "time"

// Outcome is what Apply did on one host.
type Outcome string

// The outcomes of a host in an apply.
const (
	OutcomeApplied      Outcome = "applied"       // written, and verified when a probe is set
	OutcomeUnchanged    Outcome = "unchanged"     // the plan had nothing to write
	OutcomeStale        Outcome = "stale"         // the host changed since the plan; skipped
	OutcomeFailed       Outcome = "failed"        // a step failed; see Reason
	OutcomeSkipped      Outcome = "skipped"       // not started or stopped before writing
	OutcomeUnreachable  Outcome = "unreachable"   // no connection could be made
	OutcomeAuthFailed   Outcome = "auth_failed"   // the credentials were refused
	OutcomeCannotChange Outcome = "cannot_change" // smtpverbs must not write to the host
)

// Label is the outcome as the human output shows it.
func (o Outcome) Label() string {
	switch o {
	case OutcomeAuthFailed:
		return "authentication failed"
	case OutcomeCannotChange:
		return "cannot change"
	default:
		return string(o)
	}
}

// Result is the outcome of Apply on every host of a plan.
type Result struct {
	// Hosts are in the plan's order.
	Hosts []*HostResult

	// Interrupted is true when the context was cancelled during the apply.
	Interrupted bool

	// Batches are the batches a rolling apply ran, in order; nil when
	// ApplyOptions asked for neither batches nor a failure budget.
	Batches []BatchResult

	// Halted says why no further batch started when the failure budget was
	// exceeded, e.g. "2 hosts failed in batch 1, over -max-fail 1"; it is
	// empty otherwise. The hosts of the later batches end as skipped.
	Halted string

	Summary ApplySummary
}

// HostResult is what Apply did on one host.
type HostResult struct {
	// Host is the planned host.
	Host *Host

	Outcome Outcome

	// Reason says why the host did not end applied or unchanged; Remedy
	// says what to do. Note adds what a reader should know about a host
	// that was applied, such as a restart left pending.
	Reason string
	Remedy string
	Note   string

	// Batch is the number, from 1, of the batch of a rolling apply the host
	// belongs to; 0 when the apply had no batches or the host nothing to
	// write. A host of a batch after len(Result.Batches) was never started.
	Batch int

	// Restarted is true when SMTPSVC was restarted by the write.
	Restarted bool

	// Verified is true when an SMTP probe confirmed that no disabled verb
	// is offered any more.
	Verified bool

	// RolledBack is true when the previous values were restored after a
	// failure: explicit ones written back, inherited ones deleted from the
	// instance key so that they inherit again. RollbackError says why a
	// rollback failed.
	RolledBack    bool
	RollbackError string

	// Steps are the steps taken, in order, with their timings.
	Steps []Step

	// Transcript is the output of the write command, and Probes what the
	// verification probes saw, kept as evidence.
	Transcript string
	Probes     []*ProbeResult

	// Requests is the number of WinRM requests made for the host, planning
	// included when the plan's session was reused.
	Requests int
}

// Step is one timed step of an apply on one host.
type Step struct {
	// Name is "connect", "read", "write", "verify" or "rollback".
	Name    string
	Start   time.Time
	Elapsed time.Duration

	// Err is the step's error, if it failed.
	Err string
}

// ApplySummary counts the hosts of an apply by outcome.
//
// Its JSON form is shared by evidence records and the change_summary event
// of the -json stream.
type ApplySummary struct {
	Applied      int `json:"applied"`
	Unchanged    int `json:"unchanged"`
	Stale        int `json:"stale"`
	Failed       int `json:"failed"`
	Skipped      int `json:"skipped"`
	Unreachable  int `json:"unreachable"`
	AuthFailed   int `json:"auth_failed"`
	CannotChange int `json:"cannot_change"`
	RolledBack   int `json:"rolled_back"`
}

// summarizeResult counts outcomes.
func summarizeResult(hosts []*HostResult) ApplySummary {
	var s ApplySummary
	for _, h := range hosts {
		switch h.Outcome {
		case OutcomeApplied:
			s.Applied++
		case OutcomeUnchanged:
			s.Unchanged++
		case OutcomeStale:
			s.Stale++
		case OutcomeSkipped:
			s.Skipped++
		case OutcomeUnreachable:
			s.Unreachable++
		case OutcomeAuthFailed:
			s.AuthFailed++
		case OutcomeCannotChange:
			s.CannotChange++
		default:
			s.Failed++
		}
		if h.RolledBack {
			s.RolledBack++
		}
	}
	return s
}

// ExitCode is the process exit code for an apply: 1 when any host failed,
// was stale, was skipped or cannot be changed (the fleet did not reach the
// policy), else 3 when a host could not be reached or refused the
// credentials, else 0.
func (r *Result) ExitCode() int {
	s := r.Summary
	switch {
	case s.Failed+s.Stale+s.Skipped+s.CannotChange > 0:
		return 1
	case s.Unreachable+s.AuthFailed > 0:
		return 3
	}
	return 0
}
