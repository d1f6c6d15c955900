package views

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/smtpverbs/smtpverbs/plan"
	"github.com/smtpverbs/smtpverbs/providers"
)

// StalePlanAge is the age from which ShowPlan warns that a saved plan may
// no longer match the hosts.
const StalePlanAge = 24 * time.Hour

// PlanHuman renders p for a person: one line per host with a symbol and its
// status, the per-verb changes of each virtual server, reasons and remedies
// for hosts that cannot be changed or were not reached, and a summary line.
//
// Symbols: "~" will change, "=" compliant, "!" cannot change, "?" the state
// is unknown (unreachable, authentication failed, error).
func PlanHuman(w io.Writer, p *plan.Plan, st Style) {
	pt := newPainter(st, 0)
	width := hostColumn(p.Hosts)
	for _, h := range p.Hosts {
		renderHost(w, pt, h, width)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, pt.bold(PlanSummaryLine(p.Summary)))
}

// ShowPlan renders a saved plan as PlanHuman does, after a header naming
// when and from what it was made, and a warning when it is older than
// StalePlanAge: apply re-reads every host and skips those that changed.
func ShowPlan(w io.Writer, p *plan.Plan, now time.Time, st Style) {
	pt := newPainter(st, 0)
	fmt.Fprintf(w, "Saved plan made %s by smtpverbs %s from configuration %s.\n",
		p.CreatedAt.UTC().Format(time.RFC3339), p.ToolVersion, p.ConfigDigest)
	if len(p.Targets) > 0 {
		fmt.Fprintf(w, "Targets: %s\n", strings.Join(p.Targets, ", "))
	}
	if age := p.Age(now); age >= StalePlanAge {
		fmt.Fprintln(w, pt.yellow(fmt.Sprintf("Warning: this plan is %s old. The hosts may "+
			"have changed since; apply re-reads each host and skips any that changed.",
			roughAge(age))))
	}
	fmt.Fprintln(w)
	PlanHuman(w, p, st)
}

// roughAge says how old something is in whole days or hours.
func roughAge(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	return fmt.Sprintf("%d hours", int(d/time.Hour))
}

// hostColumn is where the status column starts.
func hostColumn(hosts []*plan.Host) int {
	width := 40
	for _, h := range hosts {
		if n := len(hostLabel(h)) + 4; n > width {
			width = n
		}
	}
	return width
}

func hostLabel(h *plan.Host) string {
	return fmt.Sprintf("  %s %s (%s)", symbol(h.Status), h.Name, h.Address)
}

func symbol(s plan.Status) string {
	switch s {
	case plan.StatusChange:
		return "~"
	case plan.StatusCompliant:
		return "="
	case plan.StatusCannotChange:
		return "!"
	default:
		return "?"
	}
}

// renderHost writes one host and what will happen to it.
func renderHost(w io.Writer, pt painter, h *plan.Host, width int) {
	label := hostLabel(h)
	head := colorSymbol(pt, h.Status, label) + strings.Repeat(" ", width-len(label))
	status, paint := statusText(pt, h)
	para{label: head, labelWidth: width, text: status, paint: paint}.write(w, pt.width)

	const indent = "      "
	remedy := para{indent: indent, label: "Remedy: ", text: h.Remedy}
	switch h.Status {
	case plan.StatusUnreachable, plan.StatusAuthFailed, plan.StatusError:
		if h.Remedy != "" {
			remedy.write(w, pt.width)
		}
		return
	case plan.StatusCannotChange:
		para{indent: indent, text: h.Reason}.write(w, pt.width)
		if h.Remedy != "" {
			remedy.write(w, pt.width)
		}
	}

	if h.PendingRestart {
		para{indent: indent, label: pt.yellow("restart pending: "),
			labelWidth: len("restart pending: "), text: h.PendingReason,
			paint: pt.yellow}.write(w, pt.width)
	}
	for _, e := range h.Exceptions {
		text, paint := exceptionText(pt, e)
		para{indent: indent, text: text, paint: paint}.write(w, pt.width)
	}
	for _, d := range h.Diagnostics {
		para{indent: indent, label: pt.yellow("warning: "), labelWidth: len("warning: "),
			text: d, paint: pt.yellow}.write(w, pt.width)
	}
	switch h.Status {
	case plan.StatusCompliant:
		return
	case plan.StatusCannotChange:
		for _, in := range h.Instances {
			renderBlocked(w, in)
		}
		return
	}
	for _, in := range h.Instances {
		renderInstance(w, pt, in)
	}
}

// colorSymbol colours the symbol at the start of label.
func colorSymbol(pt painter, s plan.Status, label string) string {
	sym := symbol(s)
	var colored string
	switch s {
	case plan.StatusChange:
		colored = pt.yellow(sym)
	case plan.StatusCompliant:
		colored = pt.green(sym)
	default:
		colored = pt.red(sym)
	}
	return strings.Replace(label, sym, colored, 1)
}

// statusText is the status column of a host and the colour to paint it in.
func statusText(pt painter, h *plan.Host) (string, func(string) string) {
	switch h.Status {
	case plan.StatusChange:
		return h.Status.Label(), pt.yellow
	case plan.StatusCompliant:
		if h.PendingRestart {
			return "compliant, restart pending", pt.yellow
		}
		return h.Status.Label(), pt.green
	case plan.StatusCannotChange:
		return h.Status.Label(), pt.red
	default:
		return h.Status.Label() + ": " + h.Reason, pt.red
	}
}

// renderInstance writes the value change of one virtual server and its
// verbs.
func renderInstance(w io.Writer, pt painter, in *plan.Instance) {
	if len(in.Changes) == 0 {
		fmt.Fprintf(w, "      %s  %s  no change  %s\n", in.Path, in.Observed, sourceText(in))
		return
	}
	fmt.Fprintf(w, "      %s  %s -> %s  %s\n", in.Path, in.Observed, in.Target, sourceText(in))
	for _, c := range in.Changes {
		if c.Action == plan.ActionEnable {
			fmt.Fprintf(w, "        %s %s\n", pt.green("+"), c.Verb)
		} else {
			fmt.Fprintf(w, "        %s %s\n", pt.red("-"), c.Verb)
		}
	}
	if u := in.Unmanaged(); u != 0 {
		fmt.Fprintf(w, "        unmanaged bits %s kept\n", u)
	}
}

// renderBlocked writes a virtual server of a host that cannot be changed:
// its value, and how it differs from the policy, worded so that nobody
// reads it as a change smtpverbs will make. No "+" or "-" and no target
// value appear, and nothing is coloured like a change.
func renderBlocked(w io.Writer, in *plan.Instance) {
	if len(in.Changes) == 0 {
		fmt.Fprintf(w, "      %s  %s  matches the policy  %s\n", in.Path, in.Observed,
			sourceText(in))
		return
	}
	fmt.Fprintf(w, "      %s  %s  %s\n", in.Path, in.Observed, sourceText(in))
	fmt.Fprintln(w, "        would change if it could be written (smtpverbs will not write "+
		"this host):")
	for _, c := range in.Changes {
		is, wants := "on", "off"
		if c.Action == plan.ActionEnable {
			is, wants = "off", "on"
		}
		fmt.Fprintf(w, "          %s is %s, the policy wants it %s\n", c.Verb, is, wants)
	}
}

func sourceText(in *plan.Instance) string {
	switch in.Source {
	case providers.SourceService:
		return "(inherited from /LM/SmtpSvc)"
	case providers.SourceDefault:
		return "(schema default: set nowhere)"
	case providers.SourceExplicit:
		return "(explicit)"
	}
	return ""
}

// exceptionText describes an exception and the colour to paint it in.
func exceptionText(pt painter, e plan.Exception) (string, func(string) string) {
	date := e.Expires.Format("2006-01-02")
	if !e.Active {
		return fmt.Sprintf("exception %q for %s expired on %s: %s is managed by the "+
			"baselines again", e.Name, e.Verb, date, e.Verb), pt.yellow
	}
	by := ""
	if e.ApprovedBy != "" {
		by = ", approved by " + e.ApprovedBy
	}
	return fmt.Sprintf("exception %q allows %s until %s%s: %s", e.Name, e.Verb, date, by,
		e.Justification), nil
}

// PlanSummaryLine is the last line of a plan, e.g. "Plan: 1 host to change
// (3 verbs), 1 compliant, 1 cannot change, 1 unreachable."
func PlanSummaryLine(s plan.Summary) string {
	parts := []string{fmt.Sprintf("%s to change", count(s.Change, "host", "hosts"))}
	if s.Change > 0 {
		parts[0] += fmt.Sprintf(" (%s)", count(s.VerbChanges, "verb", "verbs"))
	}
	for _, c := range []struct {
		n    int
		what string
	}{
		{s.Compliant, "compliant"},
		{s.PendingRestart, "restart pending"},
		{s.CannotChange, "cannot change"},
		{s.Unreachable, "unreachable"},
		{s.AuthFailed, "authentication failed"},
		{s.Errored, "failed"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return "Plan: " + strings.Join(parts, ", ") + "."
}

// count writes n with the singular or plural noun.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
