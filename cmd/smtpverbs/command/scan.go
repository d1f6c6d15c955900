package command

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/config"
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

	// config and targets choose servers of the configuration when no
	// TARGET is given.
	config  configFlags
	targets []string
}

func newScanCommand(env *Env) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [flags] [TARGET...]",
		Short: "Find out over SMTP which verbs mail servers really offer",
		Long: "scan connects to each TARGET (host or host:port, port 25 by default), reads " +
			"the banner, says EHLO, asks for HELP, tries TURN, ATRN, ETRN, VRFY and EXPN, " +
			"optionally tests relaying, negotiates STARTTLS when offered, and reports " +
			"findings with the exact lines seen, why they matter and the remedy for the " +
			"server recognised. It never sends DATA; it does send ETRN, which may start " +
			"a queue run on the server.\n\n" +
			"Without TARGET, scan checks the servers of the configuration (*.smtp.hcl in " +
			"the current directory, or -chdir) at their address and smtp_port; -target, " +
			"-var and -var-file work as for plan.\n\n" +
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
	f.config.register(fs)
	fs.StringArrayVar(&f.targets, "target", nil,
		"without TARGET: scan only this server (mail01, web[\"a\"], web) or group "+
			"(group.pci) of the configuration; repeatable")
	return cmd
}

func runScan(env *Env, f *scanFlags, targets []string) error {
	// Check the flags before touching the network.
	configFlagsSet := len(f.targets)+len(f.config.vars)+len(f.config.varFiles) > 0
	switch {
	case len(targets) > 0 && configFlagsSet:
		return errors.New("-target, -var and -var-file choose servers of the " +
			"configuration, which scan reads only without TARGET: drop them, or drop " +
			"the TARGET arguments")
	case f.timeout <= 0:
		return fmt.Errorf("-timeout %s: give a positive duration such as 10s", f.timeout)
	case f.parallelism < 1:
		return fmt.Errorf("-parallelism %d: give 1 or more", f.parallelism)
	}

	if len(targets) == 0 {
		var err error
		if targets, err = configTargets(env, f); err != nil {
			return err
		}
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
		views.ScanHuman(env.Stdout, results, env.Style())
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

// configTargets loads the configuration, selects the -target servers and
// returns where each one's SMTP service listens: address:smtp_port.
func configTargets(env *Env, f *scanFlags) ([]string, error) {
	// Without a configuration the user most likely forgot the TARGET.
	if files, _ := filepath.Glob("*" + config.FileSuffix); len(files) == 0 {
		return nil, fmt.Errorf("no TARGET given and no *%s file here to take the "+
			"servers from: name the servers to scan, e.g. smtpverbs scan "+
			"mail01.corp.example 10.0.0.5:2525, or run scan where the configuration is "+
			"(-chdir=DIR)", config.FileSuffix)
	}
	_, servers, err := loadAndSelect(env, &f.config, f.targets)
	if err != nil {
		return nil, err
	}
	if len(servers) == 0 {
		return nil, errors.New("no server to scan: the configuration selects none; name " +
			"the servers to scan, e.g. smtpverbs scan mail01.corp.example 10.0.0.5:2525")
	}
	targets := make([]string, 0, len(servers))
	for _, s := range servers {
		targets = append(targets, smtpAddress(s))
	}
	return targets, nil
}

// smtpAddress is where the SMTP service of s listens.
func smtpAddress(s *config.Server) string {
	port := s.SMTPPort
	if port == 0 {
		port = config.DefaultSMTPPort
	}
	return net.JoinHostPort(s.Address, strconv.Itoa(port))
}
