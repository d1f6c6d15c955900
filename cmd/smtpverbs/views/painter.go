package views

// Style says what human output may use on the stream it is written to.
type Style struct {
	// Color allows ANSI colours.
	Color bool

	// Width is the terminal's width in columns, or 0 when the output is
	// not a terminal. Prose wraps at the smaller of it and DefaultWidth.
	Width int
}

// DefaultWidth is the column prose wraps at when the terminal is wider or
// unknown: lines longer than this are hard to read whatever the screen.
const DefaultWidth = 100

// minWidth keeps wrapping sane on absurdly narrow terminals.
const minWidth = 40

// painter wraps text in ANSI colours when enabled, and knows the column
// prose wraps at.
type painter struct {
	on    bool
	width int
}

// newPainter returns the painter for st; limit, when not 0, caps the width
// for views whose prose reads better narrower.
func newPainter(st Style, limit int) painter {
	w := DefaultWidth
	if limit > 0 {
		w = min(w, limit)
	}
	if st.Width > 0 {
		w = max(min(w, st.Width), minWidth)
	}
	return painter{on: st.Color, width: w}
}

// The ANSI colour codes the plan and apply views use.
const (
	ansiRed    = "31"
	ansiGreen  = "32"
	ansiYellow = "33"
	ansiBold   = "1"
)

func (p painter) paint(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p painter) red(s string) string    { return p.paint(ansiRed, s) }
func (p painter) green(s string) string  { return p.paint(ansiGreen, s) }
func (p painter) yellow(s string) string { return p.paint(ansiYellow, s) }
func (p painter) bold(s string) string   { return p.paint(ansiBold, s) }
