package views

import (
	"fmt"
	"io"
	"strings"
)

// para is a paragraph of human output: a label followed by text that wraps
// with a hanging indent, so every later line starts where the text did.
//
//	Remedy: check that the host is up, that WinRM listens on port 5986
//	        (winrm quickconfig) and that no firewall blocks it
type para struct {
	// indent starts the first line, before the label.
	indent string

	// label is written once, before the text; labelWidth is its width on
	// screen when it holds colour codes (0 means len(label)).
	label      string
	labelWidth int

	// text is split into words and wrapped; paint, when set, colours each
	// line of it.
	text  string
	paint func(string) string
}

// write writes p wrapped at width columns. A word longer than a line gets a
// line of its own rather than being broken.
func (p para) write(w io.Writer, width int) {
	lw := p.labelWidth
	if lw == 0 {
		lw = len(p.label)
	}
	hang := strings.Repeat(" ", len(p.indent)+lw)
	room := width - len(hang)

	var lines []string
	line := ""
	for _, word := range strings.Fields(p.text) {
		if line != "" && len(line)+1+len(word) > room {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += word
	}
	lines = append(lines, line)

	for i, l := range lines {
		if p.paint != nil {
			l = p.paint(l)
		}
		if i == 0 {
			fmt.Fprintln(w, strings.TrimRight(p.indent+p.label+l, " "))
			continue
		}
		fmt.Fprintln(w, hang+l)
	}
}
