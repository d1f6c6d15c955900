package command

import (
	"io"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
)

// Env is everything a command touches outside its own logic: the standard
// streams, whether they are terminals, the environment and the clock. Tests
// build one with buffers; System returns the real one.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer

	// StdinTTY and StdoutTTY report whether the streams are terminals. A
	// command prompts only when StdinTTY is true and colours only when
	// StdoutTTY is true.
	StdinTTY  bool
	StdoutTTY bool

	// Width is the width of the terminal on standard output in columns, or
	// 0 when it is not a terminal.
	Width int

	// Getenv reads the process environment.
	Getenv func(string) string

	// Now is the clock.
	Now func() time.Time

	// Interrupt, when set, is closed on the first SIGINT or SIGTERM. Main
	// sets it up; commands turn it into context cancellation.
	Interrupt <-chan struct{}

	// noColor is set by the global -no-color flag.
	noColor bool
}

// System returns the Env of the running process.
func System() *Env {
	env := &Env{
		Stdin:     os.Stdin,
		Stdout:    os.Stdout,
		Stderr:    os.Stderr,
		StdinTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		Getenv:    os.Getenv,
		Now:       time.Now,
	}
	if env.StdoutTTY {
		if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil {
			env.Width = w
		}
	}
	return env
}

// Style is how human output may look on standard output: colours per Color,
// prose wrapped to the terminal.
func (e *Env) Style() views.Style {
	return views.Style{Color: e.Color(), Width: e.Width}
}

// Color reports whether output may use ANSI colours: only on a terminal,
// never with -no-color, never when NO_COLOR is set to anything.
func (e *Env) Color() bool {
	if e.noColor || !e.StdoutTTY {
		return false
	}
	return e.Getenv("NO_COLOR") == ""
}
