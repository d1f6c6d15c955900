package command

import (
	"fmt"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// unifiedDiff returns a unified diff from before to after with one hunk
// covering the whole file, which is plenty for configuration files.
//
// TODO: one whole-file hunk is valid for patch(1) but long for a big file;
// acceptable while configurations are a few hundred lines. Splitting into
// hunks with three lines of context around each change would fix it.
func unifiedDiff(path, before, after string) string {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)

	var body strings.Builder
	for _, d := range diffs {
		prefix := " "
		switch d.Type {
		case diffmatchpatch.DiffDelete:
			prefix = "-"
		case diffmatchpatch.DiffInsert:
			prefix = "+"
		}
		for _, line := range strings.SplitAfter(d.Text, "\n") {
			if line == "" {
				continue
			}
			body.WriteString(prefix + line)
			if !strings.HasSuffix(line, "\n") {
				body.WriteString("\n\\ No newline at end of file\n")
			}
		}
	}
	return fmt.Sprintf("--- old/%s\n+++ new/%s\n@@ -1,%d +1,%d @@\n%s", path, path,
		countLines(before), countLines(after), body.String())
}

// countLines counts the lines of s, a last line without "\n" included.
func countLines(s string) int {
	n := strings.Count(s, "\n")
	if s != "" && !strings.HasSuffix(s, "\n") {
		n++
	}
	return n
}
