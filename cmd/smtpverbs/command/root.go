// Package command holds the smtpverbs subcommands. Each command parses its
// flags, builds its view, and runs its steps through the logic packages
// (config, plan, providers, scan, lab); it never calls os.Exit and returns an
// error, which Main turns into an exit code in one place.
//
// Conventions for a command file:
//   - a constructor `func newXCommand(env *Env) *cobra.Command`, listed in
//     newRoot below;
//   - all output through env.Stdout / env.Stderr (rendering lives in package
//     views), styled by env.Style() (colour, terminal width);
//   - a non-zero exit that is not an error (plan -detailed-exitcode's 2, scan
//     findings) is returned as &ExitError{Code: N};
//   - user-facing problems are diagnostics already printed by the command,
//     returned as errSilent (exit 1) so Main prints nothing more;
//   - anything touching the network takes the context from contextFor(env).
//
// Flags may be written Terraform style with one dash (-out, -auto-approve) or
// with two; normalizeArgs rewrites the former before cobra sees them.
package command

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README. Commands choose 2 and 3 explicitly.
const (
	ExitOK          = 0 // success, or no changes
	ExitFailure     = 1 // an error: bad configuration, bad flags, failed hosts
	ExitChanges     = 2 // plan -detailed-exitcode: changes are pending; scan: findings
	ExitUnreachable = 3 // some hosts could not be reached or refused the credentials
)

// ExitError asks Main to exit with Code. Err, when set, is printed first.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// errSilent reports failure after the command has already told the user why.
var errSilent = &ExitError{Code: ExitFailure}

// Main runs smtpverbs with args and returns the process exit code.
func Main(args []string, env *Env) (code int) {
	// A bug must not greet the user with a goroutine dump: say what happened
	// and how to get the details. Panics in other goroutines are not caught
	// here; the packages that start goroutines recover where they can act.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(env.Stderr, "Error: internal error in smtpverbs: %v\n\n"+
				"This is a bug. Please report it with the command you ran; run it again "+
				"with SMTPVERBS_LOG=debug to include the stack trace.\n", r)
			if env.Getenv("SMTPVERBS_LOG") != "" {
				fmt.Fprintf(env.Stderr, "\n%s", debug.Stack())
			}
			code = ExitFailure
		}
	}()

	if env.Interrupt == nil {
		env.Interrupt = notifyInterrupt()
	}

	root := newRoot(env)
	root.SetArgs(normalizeArgs(root, args))
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)

	err := root.Execute()
	if err == nil {
		return ExitOK
	}

	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(env.Stderr, "Error: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(env.Stderr, "Error: %v\n", err)
	return ExitFailure
}

// newRoot builds the command tree.
func newRoot(env *Env) *cobra.Command {
	root := &cobra.Command{
		Use:   "smtpverbs",
		Short: "Declare, plan and apply which SMTP verbs IIS SMTP servers offer",
		Long: "smtpverbs reads *.smtp.hcl files that declare which SMTP verbs (TURN, ATRN, " +
			"ETRN, ...) each Windows IIS SMTP server may offer, reads the live metabase over " +
			"WinRM, shows a per-verb plan, applies it, restarts SMTPSVC where something " +
			"changed, and proves the result by talking SMTP to the server.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return chdir(cmd)
		},
	}
	root.PersistentFlags().String("chdir", "",
		"switch to this directory before doing anything else")
	root.PersistentFlags().BoolVar(&env.noColor, "no-color", false,
		"disable colour in output (also: NO_COLOR, or output that is not a terminal)")
	root.CompletionOptions.DisableDefaultCmd = true

	root.AddCommand(
		newVersionCommand(env),
		newValidateCommand(env),
		newFmtCommand(env),
		newPlanCommand(env),
		newApplyCommand(env),
		newShowCommand(env),
		newScanCommand(env),
		newLabCommand(env),
		newDemoCommand(env),
	)
	return root
}

// chdir applies the global -chdir flag.
func chdir(cmd *cobra.Command) error {
	dir, _ := cmd.Flags().GetString("chdir")
	if dir == "" {
		return nil
	}
	if err := os.Chdir(dir); err != nil {
		return fmt.Errorf("-chdir: %w", err)
	}
	return nil
}

// normalizeArgs rewrites Terraform-style single-dash long flags (-out=x,
// -auto-approve) into the double-dash form cobra parses. Only names that are
// long flags of some command are rewritten, so short flags and arguments
// that merely start with a dash pass through untouched. Everything after a
// bare "--" is left alone.
func normalizeArgs(root *cobra.Command, args []string) []string {
	long := map[string]bool{}
	var collect func(c *cobra.Command)
	collect = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflagFlag) { long[f.Name] = true })
		c.PersistentFlags().VisitAll(func(f *pflagFlag) { long[f.Name] = true })
		for _, sub := range c.Commands() {
			collect(sub)
		}
	}
	collect(root)
	long["help"] = true

	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(a) > 2 {
			name, _, _ := strings.Cut(a[1:], "=")
			if long[name] {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

// notifyInterrupt returns a channel closed at the first SIGINT or SIGTERM. A
// second signal is left to the default handler, which ends the process: the
// user asked twice.
func notifyInterrupt() <-chan struct{} {
	ch := make(chan struct{})
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		close(ch)
		signal.Stop(sig)
	}()
	return ch
}

// contextFor returns a context cancelled when the user interrupts.
func contextFor(env *Env) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		select {
		case <-env.Interrupt:
			cancel()
		case <-ctx.Done():
		}
	}()
	return ctx, cancel
}
