package views

import (
	"fmt"
	"io"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/smtpverbs/smtpverbs/plan"
	"github.com/smtpverbs/smtpverbs/verb"
)

// diffContext is how many unchanged lines surround each change in a hunk.
const diffContext = 3

// PlanDiff renders p as a unified diff for a change review: "--- observed"
// and "+++ target" over one line per verb and virtual server, such as
// "mail01 /LM/SmtpSvc/1 TURN on", for every host with something to change.
// The lines of a host that cannot be changed carry "(cannot change: not
// written)" after its name. A plan without changes writes nothing.
func PlanDiff(w io.Writer, p *plan.Plan) {
	before, after := diffTexts(p)
	UnifiedDiff(w, "observed", "target", before, after)
}

// UnifiedDiff writes a unified diff from before to after under the headers
// "--- oldName" and "+++ newName", in hunks with three lines of context, as
// patch(1) reads them. It writes nothing when the texts are equal.
func UnifiedDiff(w io.Writer, oldName, newName, before, after string) {
	if before == after {
		return
	}

	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	fmt.Fprintln(w, "--- "+oldName)
	fmt.Fprintln(w, "+++ "+newName)
	for _, h := range hunks(lineOps(diffs)) {
		h.write(w)
	}
}

// diffTexts writes the observed and target states of every host with
// changes as lines.
func diffTexts(p *plan.Plan) (before, after string) {
	var b, a strings.Builder
	for _, h := range p.Hosts {
		if h.Status != plan.StatusChange && h.Status != plan.StatusCannotChange {
			continue
		}
		// A host smtpverbs will not write is in the diff for the review, but
		// every one of its lines says so.
		name := h.Name
		if h.Status == plan.StatusCannotChange {
			name += " (cannot change: not written)"
		}
		for _, in := range h.Instances {
			prefix := name + " " + in.Path + " "
			fmt.Fprintf(&b, "%svalue %s\n", prefix, in.Observed)
			fmt.Fprintf(&a, "%svalue %s\n", prefix, in.Target)
			for _, v := range verb.All {
				fmt.Fprintf(&b, "%s%s %s\n", prefix, v.Name, onOff(in.Observed.Has(v)))
				fmt.Fprintf(&a, "%s%s %s\n", prefix, v.Name, onOff(in.Target.Has(v)))
			}
		}
	}
	return b.String(), a.String()
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// lineOp is one line of a diff: ' ' kept, '-' removed, '+' added. noEOL
// marks a last line that has no newline.
type lineOp struct {
	kind  byte
	text  string
	noEOL bool
}

// lineOps splits line-level diffs into single lines.
func lineOps(diffs []diffmatchpatch.Diff) []lineOp {
	var ops []lineOp
	for _, d := range diffs {
		kind := byte(' ')
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			kind = '-'
		case diffmatchpatch.DiffInsert:
			kind = '+'
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line != "" {
				text, eol := strings.CutSuffix(line, "\n")
				ops = append(ops, lineOp{kind: kind, text: text, noEOL: !eol})
			}
		}
	}
	return ops
}

// hunk is a run of diff lines with the line numbers it starts at.
type hunk struct {
	oldStart, newStart int
	ops                []lineOp
}

func (h hunk) write(w io.Writer) {
	var oldN, newN int
	for _, op := range h.ops {
		if op.kind != '+' {
			oldN++
		}
		if op.kind != '-' {
			newN++
		}
	}
	fmt.Fprintf(w, "@@ -%s +%s @@\n", span(h.oldStart, oldN), span(h.newStart, newN))
	for _, op := range h.ops {
		fmt.Fprintf(w, "%c%s\n", op.kind, op.text)
		if op.noEOL {
			fmt.Fprintln(w, "\\ No newline at end of file")
		}
	}
}

// span formats a hunk range as unified diffs do.
func span(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start-1)
	}
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// hunks groups ops into hunks of changes with diffContext lines of context,
// merging hunks whose context would touch.
func hunks(ops []lineOp) []hunk {
	var out []hunk
	oldLine, newLine := 1, 1
	oldAt := make([]int, len(ops))
	newAt := make([]int, len(ops))
	for i, op := range ops {
		oldAt[i], newAt[i] = oldLine, newLine
		if op.kind != '+' {
			oldLine++
		}
		if op.kind != '-' {
			newLine++
		}
	}

	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(0, i-diffContext)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			// Look ahead: a change within two contexts joins this hunk.
			next := end
			for next < len(ops) && ops[next].kind == ' ' {
				next++
			}
			if next < len(ops) && next-end <= 2*diffContext {
				end = next
				continue
			}
			end = min(len(ops), end+diffContext)
			break
		}
		out = append(out, hunk{oldStart: oldAt[start], newStart: newAt[start],
			ops: ops[start:end]})
		i = end
	}
	return out
}
