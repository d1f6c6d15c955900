package views

// painter wraps text in ANSI colours when enabled.
type painter struct {
	on bool
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
