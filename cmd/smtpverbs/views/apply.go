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

// ApplyProgress writes one line for an apply event, so a person sees each
// host move through its steps. Events of other kinds are ignored.
func ApplyProgress(w io.Writer, e plan.Event, color bool) {
	pt := painter{on: color}
	switch e.Type {
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
func ApplyHuman(w io.Writer, r *plan.Result, color bool) {
	pt := painter{on: color}
	fmt.Fprintln(w)
	for _, hr := range r.Hosts {
		renderOutcome(w, pt, hr)
	}
	fmt.Fprintln(w)
	if r.Interrupted {
		para{text: "Interrupted: hosts not started were skipped and nothing was written to " +
			"them. Run smtpverbs apply again to finish.", paint: pt.yellow}.write(w, textWidth)
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
			paint: pt.red}.write(w, textWidth)
	}

	if hr.RolledBack {
		fmt.Fprintln(w, detailIndent+"rolled back: the previous values were restored")
	}
	if hr.RollbackError != "" {
		para{indent: detailIndent, label: pt.red("rollback failed: "),
			labelWidth: len("rollback failed: "), text: hr.RollbackError,
			paint: pt.red}.write(w, textWidth)
	}
	if hr.Note != "" {
		para{indent: detailIndent, text: hr.Note, paint: pt.yellow}.write(w, textWidth)
	}
	if hr.Remedy != "" && hr.Outcome != plan.OutcomeApplied {
		para{indent: detailIndent, label: "Remedy: ", text: hr.Remedy}.write(w, textWidth)
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
