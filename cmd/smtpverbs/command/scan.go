package command

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/scan"
)

// scanFlags are the flags of the scan command.
type scanFlags struct {
	jsonOut     bool
	relay       bool
	starttls    bool
	timeout     time.Duration
	parallelism int
	helo        string
	etrnDomain  string
}

func newScanCommand(env *Env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [flags] TARGET...",
		Short: "Find out over SMTP which verbs mail servers really offer",
		Long: "scan connects to each TARGET (host or host:port, port 25 by default), reads " +
			"the banner, says EHLO, asks for HELP, tries TURN, ATRN, ETRN, VRFY and EXPN, " +
			"optionally tests relaying, negotiates STARTTLS when offered, and reports " +
			"findings with the exact lines seen, why they matter and the remedy for the " +
			"server recognised. It never sends DATA; it does send ETRN, which may start " +
			"a queue run on the server.\n\n" +
			"Exit status: 0 no findings, 1 an error (a target could not be scanned), " +
			"2 findings. Findings of severity info (SV-NOTLS) do not count.",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(env, &f, args)
		},
	}

	fs := cmd.Flags()
	fs.BoolVar(&f.jsonOut, "json", false, "print the results as one JSON document")
	fs.BoolVar(&f.relay, "relay", false,
		"test relaying: MAIL FROM and RCPT TO outside the server's domains, then RSET")
	fs.BoolVar(&f.starttls, "starttls", true,
		"negotiate STARTTLS when offered and report on TLS (-starttls=false to skip)")
	fs.DurationVar(&f.timeout, "timeout", scan.DefaultTimeout,
		"limit for the connect and for each complete reply")
	fs.IntVar(&f.parallelism, "parallelism", scan.DefaultParallelism,
		"how many targets to scan at once")
	fs.StringVar(&f.helo, "helo", scan.DefaultHeloName, "the name to send with EHLO and HELO")
	fs.StringVar(&f.etrnDomain, "etrn-domain", "",
		"the domain to try ETRN with (default: the server's domain from its banner)")
	return cmd
}

func runScan(env *Env, f *scanFlags, targets []string) error {
	// Check the flags before touching the network.
	switch {
	case len(targets) == 0:
		// TODO: with no TARGET, scan the servers of ./*.smtp.hcl (their
		// address and smtp_port); the lead wires this to package config.
		// Until then the user has to name the targets.
		return errors.New("no TARGET given: name the servers to scan, " +
			"e.g. smtpverbs scan mail01.corp.example 10.0.0.5:2525")
	case f.timeout <= 0:
		return fmt.Errorf("-timeout %s: give a positive duration such as 10s", f.timeout)
	case f.parallelism < 1:
		return fmt.Errorf("-parallelism %d: give 1 or more", f.parallelism)
	}

	ctx, cancel := contextFor(env)
	defer cancel()
	opts := scan.Options{
		Timeout:     f.timeout,
		HeloName:    f.helo,
		ETRNDomain:  f.etrnDomain,
		Relay:       f.relay,
		STARTTLS:    f.starttls,
		Parallelism: f.parallelism,
	}
	results := scan.ScanAll(ctx, targets, opts)

	if f.jsonOut {
		if err := views.ScanJSON(env.Stdout, results, Version, env.Now()); err != nil {
			return err
		}
	} else {
		views.ScanHuman(env.Stdout, results, env.Color())
	}

	if code := scanExitCode(results); code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// scanExitCode is 1 when some target could not be scanned, else 2 when
// some result has findings above info, else 0.
func scanExitCode(results []*scan.Result) int {
	code := ExitOK
	for _, r := range results {
		if r.Err != nil {
			return ExitFailure
		}
		if r.HasFindings() {
			code = ExitChanges
		}
	}
	return code
}
