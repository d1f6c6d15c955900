package views

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/smtpverbs/smtpverbs/plan"
)

// ApplyPrompt is the question apply asks before writing. Only the answer
// "yes" approves.
const ApplyPrompt = "\nDo you want to perform these actions?\n" +
	"  smtpverbs will write the values shown above and restart SMTPSVC where the\n" +
	"  configuration says so.\n" +
	"  Only 'yes' will be accepted to approve.\n\n" +
	"  Enter a value: "

// BatchPlan says, before an apply, how its hosts are split into rolling
// batches (hosts holds the size of each, in order) and what stops it. It
// writes nothing when hosts is empty.
func BatchPlan(w io.Writer, hosts []int, limit *plan.FailLimit, st Style) {
	if len(hosts) == 0 {
		return
	}
	pt := newPainter(st, 0)

	// Runs of equal sizes read as one: "99 batches of 5 hosts".
	var parts []string
	for i := 0; i < len(hosts); {
		j := i
		for j < len(hosts) && hosts[j] == hosts[i] {
			j++
		}
		size := fmt.Sprintf("%d %s", hosts[i], plural(hosts[i], "host", "hosts"))
		if j-i > 1 {
			size = fmt.Sprintf("%d batches of %s", j-i, size)
		}
		parts = append(parts, size)
		i = j
	}
	text := fmt.Sprintf("Rolling apply in %d %s: %s. A batch starts only when every host "+
		"of the one before has finished.", len(hosts), plural(len(hosts), "batch", "batches"),
		strings.Join(parts, ", then "))
	switch {
	case limit == nil:
		text += " Failures do not stop later batches (no -max-fail)."
	case limit.Percent:
		text += fmt.Sprintf(" No further batch starts once more than %d%% of the hosts "+
			"started have failed (-max-fail %s).", limit.N, limit)
	default:
		text += fmt.Sprintf(" No further batch starts once more than %d %s failed "+
			"(-max-fail %s).", limit.N, plural(limit.N, "host has", "hosts have"), limit)
	}
	para{text: text, paint: pt.bold}.write(w, pt.width)
}

// ApplyProgress writes one line for an apply event, so a person sees each
// host move through its steps and each batch of a rolling apply start and
// end. Events of other kinds are ignored.
func ApplyProgress(w io.Writer, e plan.Event, st Style) {
	pt := newPainter(st, 0)
	switch e.Type {
	case plan.EventBatchStart:
		fmt.Fprintln(w, pt.bold(e.Message))
	case plan.EventBatchComplete:
		paint := pt.bold
		switch {
		case e.Batch != nil && e.Batch.Halted:
			paint = pt.red
		case e.Batch != nil && e.Batch.Failed > 0:
			paint = pt.yellow
		}
		para{text: e.Message, paint: paint}.write(w, pt.width)
	case plan.EventApplyStart, plan.EventApplyWrite, plan.EventApplyRestart,
		plan.EventApplyVerify:
		fmt.Fprintf(w, "%s%s\n", e.Message, elapsed(e.Elapsed))
	case plan.EventApplyComplete:
		fmt.Fprintln(w, pt.green(e.Message))
	case plan.EventApplyErrored:
		fmt.Fprintln(w, pt.red(e.Message))
	}
}

// elapsed formats a step duration, or nothing when it is zero.
func elapsed(d time.Duration) string {
	d = d.Round(10 * time.Millisecond)
	if d <= 0 {
		return ""
	}
	return fmt.Sprintf(" [%s]", d)
}

// ApplyHuman renders the outcome of every host and a summary line.
func ApplyHuman(w io.Writer, r *plan.Result, st Style) {
	pt := newPainter(st, 0)
	fmt.Fprintln(w)
	var notStarted []string
	for _, hr := range r.Hosts {
		if r.Halted != "" && hr.Batch > len(r.Batches) {
			notStarted = append(notStarted, hr.Host.Name)
			continue
		}
		renderOutcome(w, pt, hr)
	}
	if len(notStarted) > 0 {
		label := fmt.Sprintf("Not started (%d %s): ", len(notStarted),
			plural(len(notStarted), "host", "hosts"))
		para{label: label, text: strings.Join(notStarted, ", "),
			paint: pt.yellow}.write(w, pt.width)
	}
	fmt.Fprintln(w)
	if r.Halted != "" {
		para{text: fmt.Sprintf("Stopped: %s. The later batches did not start and nothing "+
			"was written to their hosts. Find out why the hosts failed, fix the cause, then "+
			"run smtpverbs plan and apply again.", r.Halted), paint: pt.red}.write(w, pt.width)
	}
	if r.Interrupted {
		para{text: "Interrupted: hosts not started were skipped and nothing was written to " +
			"them. Run smtpverbs apply again to finish.", paint: pt.yellow}.write(w, pt.width)
	}
	fmt.Fprintln(w, pt.bold(ApplySummaryLine(r.Summary)))
}

func renderOutcome(w io.Writer, pt painter, hr *plan.HostResult) {
	h := hr.Host
	head := fmt.Sprintf("%s (%s): ", h.Name, h.Address)
	switch hr.Outcome {
	case plan.OutcomeApplied:
		what := "applied"
		if hr.Verified {
			what += ", verified over SMTP"
		}
		fmt.Fprintln(w, head+pt.green(what))
	case plan.OutcomeUnchanged:
		fmt.Fprintln(w, head+pt.green("unchanged"))
	default:
		para{label: head, text: hr.Outcome.Label() + ": " + hr.Reason,
			paint: pt.red}.write(w, pt.width)
	}

	if hr.RolledBack {
		fmt.Fprintln(w, detailIndent+"rolled back: the previous values were restored")
	}
	if hr.RollbackError != "" {
		para{indent: detailIndent, label: pt.red("rollback failed: "),
			labelWidth: len("rollback failed: "), text: hr.RollbackError,
			paint: pt.red}.write(w, pt.width)
	}
	if hr.Note != "" {
		para{indent: detailIndent, text: hr.Note, paint: pt.yellow}.write(w, pt.width)
	}
	if hr.Remedy != "" && hr.Outcome != plan.OutcomeApplied {
		para{indent: detailIndent, label: "Remedy: ", text: hr.Remedy}.write(w, pt.width)
	}
	for _, pr := range hr.Probes {
		if hr.Outcome == plan.OutcomeFailed && len(pr.Transcript) > 0 {
			fmt.Fprintf(w, "%sSMTP transcript of %s:\n", detailIndent, pr.Addr)
			for _, line := range pr.Transcript {
				fmt.Fprintf(w, "%s  %s\n", detailIndent, line)
			}
		}
	}
}

// detailIndent starts the lines under a host's outcome.
const detailIndent = "    "

// ApplySummaryLine is the last line of an apply, e.g. "Apply: 3 applied,
// 1 stale, 1 failed (1 rolled back)."
func ApplySummaryLine(s plan.ApplySummary) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{s.Applied, "applied"},
		{s.Unchanged, "unchanged"},
		{s.Stale, "stale"},
		{s.Failed, "failed"},
		{s.Skipped, "skipped"},
		{s.Unreachable, "unreachable"},
		{s.AuthFailed, "authentication failed"},
		{s.CannotChange, "cannot change"},
	} {
		if c.n > 0 || c.what == "applied" {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	line := "Apply: " + strings.Join(parts, ", ")
	if s.RolledBack > 0 {
		line += fmt.Sprintf(" (%d rolled back)", s.RolledBack)
	}
	return line + "."
}

// jsonBatch is the "batch" object of the batch_start and batch_complete
// messages of the -json stream.
type jsonBatch struct {
	// Number counts from 1; Of is how many batches the apply has.
	Number int `json:"number"`
	Of     int `json:"of"`

	// Hosts is how many hosts the batch takes.
	Hosts int `json:"hosts"`

	// FailedSoFar counts the hosts of this and earlier batches that count
	// against -max-fail; UnreachableSoFar those unreachable before anything
	// was written, which do not. At batch_start they cover earlier batches.
	FailedSoFar      int `json:"failed_so_far"`
	UnreachableSoFar int `json:"unreachable_so_far"`

	// Halted is true on the batch_complete after which no batch starts.
	Halted bool `json:"halted"`
}

func newJSONBatch(bp *plan.BatchProgress) *jsonBatch {
	return &jsonBatch{Number: bp.Number, Of: bp.Of, Hosts: bp.Hosts, FailedSoFar: bp.Failed,
		UnreachableSoFar: bp.Unreachable, Halted: bp.Halted}
}
