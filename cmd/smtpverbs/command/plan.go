package command

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/config"
	"github.com/smtpverbs/smtpverbs/plan"
	"github.com/smtpverbs/smtpverbs/providers/iis"
	"github.com/smtpverbs/smtpverbs/scan"
	"github.com/smtpverbs/smtpverbs/verb"
)

// newProvider builds the provider plan and apply use.
var newProvider = iis.New

// engineFlags are the flags plan and apply share.
type engineFlags struct {
	targets        []string
	parallelism    int
	connectRetries int
	jsonOut        bool
	noSMTPCheck    bool
}

func (f *engineFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.targets, "target", nil,
		"limit to a server (mail01, web[\"a\"], web) or a group (group.pci); repeatable")
	fs.IntVar(&f.parallelism, "parallelism", plan.DefaultParallelism,
		"how many hosts to work on at once")
	fs.IntVar(&f.connectRetries, "connect-retries", 1,
		"how many more times to connect to a host after a timeout or a reset "+
			"(refused connections and credentials are never retried)")
	fs.BoolVar(&f.jsonOut, "json", false,
		"print a stream of JSON lines, one per host step, instead of human output")
	fs.BoolVar(&f.noSMTPCheck, "no-smtp-check", false,
		"do not talk SMTP to the hosts (no pending-restart check, no verification)")
}

// engineOptions builds the engine's options from the flags.
func (f *engineFlags) engineOptions(env *Env, cfg *config.Config) plan.Options {
	opts := plan.Options{
		Parallelism:    f.parallelism,
		ConnectRetries: max(f.connectRetries, 0),
		Provider:       newProvider(),
		Now:            env.Now,
		ToolVersion:    Version,
		Targets:        f.targets,
		Secrets:        cfg.Secrets(),
	}
	if !f.noSMTPCheck {
		opts.Probe = smtpProbe(scan.Options{})
	}
	return opts
}

// smtpProbe adapts package scan to the engine's ProbeFunc.
func smtpProbe(opts scan.Options) plan.ProbeFunc {
	return func(ctx context.Context, addr string) (*plan.ProbeResult, error) {
		r := scan.Probe(ctx, addr, opts)
		if r.Err != nil {
			return nil, r.Err
		}
		pr := &plan.ProbeResult{Addr: addr, Advertised: r.EHLO}
		for _, v := range verb.All {
			if r.Accepts(v.Name) {
				pr.Accepted = append(pr.Accepted, v.Name)
			}
		}
		for _, l := range r.Transcript {
			pr.Transcript = append(pr.Transcript, l.String())
		}
		return pr, nil
	}
}

func newPlanCommand(env *Env) *cobra.Command {
	var cf configFlags
	var ef engineFlags
	var out string
	var detailed bool
	cmd := &cobra.Command{
		Use:   "plan [-out FILE] [-target NAME]... [-detailed-exitcode] [-json]",
		Short: "Show which verbs would change on each host, without changing anything",
		Long: "plan reads SmtpInboundCommandSupportOptions of every virtual server of every " +
			"selected host over WinRM and shows, per host and verb, what apply would change. " +
			"It never writes. With -out it saves the plan as versioned JSON for review; " +
			"apply FILE then applies exactly that plan.\n\n" +
			"Exit status: 0 success (with -detailed-exitcode: no changes), 1 error, " +
			"2 changes present (only with -detailed-exitcode), 3 some hosts could not be " +
			"reached or refused the credentials, so their state is unknown.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPlan(env, &cf, &ef, out, detailed)
		},
	}
	cf.register(cmd.Flags())
	ef.register(cmd.Flags())
	cmd.Flags().StringVar(&out, "out", "", "save the plan to FILE for review and apply")
	cmd.Flags().BoolVar(&detailed, "detailed-exitcode", false,
		"exit 2 when some host is not compliant, 0 when all are")
	return cmd
}

func runPlan(env *Env, cf *configFlags, ef *engineFlags, out string, detailed bool) error {
	cfg, servers, err := loadAndSelect(env, cf, ef.targets)
	if err != nil {
		return err
	}

	ctx, cancel := contextFor(env)
	defer cancel()
	opts := ef.engineOptions(env, cfg)
	var stream *views.JSONStream
	if ef.jsonOut {
		stream = views.NewJSONStream(env.Stdout, env.Now)
		stream.Version(Version)
		opts.Events = stream.Event
	}

	p, err := plan.Make(ctx, cfg, servers, opts)
	if p == nil {
		return err
	}
	if stream != nil {
		stream.PlanSummary(p)
	} else {
		views.PlanHuman(env.Stdout, p, env.Style())
	}
	if err != nil {
		// An interrupted plan is incomplete: never save it.
		return &ExitError{Code: ExitFailure, Err: err}
	}

	if out != "" {
		if err := plan.WriteFile(out, p); err != nil {
			return err
		}
		if stream == nil {
			fmt.Fprintf(env.Stdout, "\nSaved the plan to %s. To apply exactly this plan, "+
				"run: smtpverbs apply %s\n", out, out)
		}
	}
	if code := p.ExitCode(detailed); code != ExitOK {
		return &ExitError{Code: code}
	}
	return nil
}

// loadAndSelect loads the configuration and selects the -target servers,
// printing diagnostics.
func loadAndSelect(env *Env, cf *configFlags, targets []string) (*config.Config,
	[]*config.Server, error) {
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return nil, nil, err
	}
	servers, diags := cfg.Select(targets)
	printDiagnostics(env, cfg, diags)
	if diags.HasErrors() {
		return nil, nil, errSilent
	}
	if servers == nil {
		servers = []*config.Server{} // nil would mean every server to plan.Make
	}
	return cfg, servers, nil
}
