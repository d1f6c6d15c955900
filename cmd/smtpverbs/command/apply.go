package command

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/plan"
)

// applyFlags are the flags of apply beyond the shared ones.
type applyFlags struct {
	autoApprove bool
	noRollback  bool
	evidence    string

	// batch and maxFail are -batch and -max-fail as given; batches and
	// limit are what parse makes of them (nil when not given).
	batch   string
	maxFail string
	batches []plan.BatchSize
	limit   *plan.FailLimit
}

// applyOptions adds the apply flags to the engine's options.
func (af *applyFlags) applyOptions(opts plan.Options) plan.ApplyOptions {
	return plan.ApplyOptions{Options: opts, NoRollback: af.noRollback, Batches: af.batches,
		MaxFail: af.limit}
}

// parse checks -batch and -max-fail, so that a typo fails before any host
// is read.
func (af *applyFlags) parse(fs *pflag.FlagSet) error {
	if fs.Changed("batch") {
		sizes, err := plan.ParseBatchSizes(af.batch)
		if err != nil {
			return fmt.Errorf("-batch %s: %w", af.batch, err)
		}
		af.batches = sizes
	}
	if fs.Changed("max-fail") {
		limit, err := plan.ParseFailLimit(af.maxFail)
		if err != nil {
			return fmt.Errorf("-max-fail %s: %w", af.maxFail, err)
		}
		af.limit = &limit
	}
	return nil
}

func newApplyCommand(env *Env) *cobra.Command {
	var cf configFlags
	var ef engineFlags
	var af applyFlags
	cmd := &cobra.Command{
		Use: "apply [PLANFILE] [-auto-approve] [-target NAME]... [-batch SIZES] " +
			"[-max-fail N|P%] [-no-rollback] [-json]",
		Short: "Write the planned verb settings to the hosts and restart SMTPSVC",
		Long: "apply without a plan file makes a plan, shows it, and asks for approval " +
			"(only 'yes' approves; -auto-approve skips the question, and without a terminal " +
			"it is required). apply PLANFILE applies exactly a plan saved with plan -out, " +
			"without asking: the file is the approval.\n\n" +
			"Each host is re-read first and skipped as stale when any value differs from " +
			"what the plan saw. After the write and restart, the SMTP service is probed; if " +
			"a disabled verb is still offered the host fails and its previous values are " +
			"restored, an inherited value by deleting the one written at the instance " +
			"(unless -no-rollback). A failing host never stops the hosts beside it; " +
			"Ctrl-C starts no new host and lets hosts in flight finish their current step.\n\n" +
			"-batch SIZES applies the hosts that will change in rolling batches, in plan " +
			"order. SIZES is a comma-separated list of host counts or percentages of the " +
			"hosts that will change (rounded down, at least 1 host); the last size repeats " +
			"until every host is done: -batch 1,10%,100% is one host, then a tenth, then the " +
			"rest; -batch 5 is batches of 5. Up to -parallelism hosts of a batch run at once, " +
			"and a batch starts only when every host of the one before has finished, restart " +
			"and SMTP verification included.\n\n" +
			"-max-fail N or P% is a failure budget: when more than N hosts (or more than P% " +
			"of the hosts started) of the finished batches have failed or were stale, no " +
			"further batch starts and the hosts left are skipped. A host that could not be " +
			"reached or refused the credentials before anything was written to it is counted " +
			"apart and does not use the budget. -max-fail 0 stops after the first batch with " +
			"a failure, so -batch 1,100% -max-fail 0 makes the first host a canary. Without " +
			"-batch, -max-fail runs batches of -parallelism hosts, so the budget is checked " +
			"as they finish. Default: no batches, no limit.\n\n" +
			"Exit status: 0 every host applied or unchanged, 1 a host failed, was stale, " +
			"was skipped or cannot be changed, 3 hosts could not be reached or refused the " +
			"credentials (and nothing else failed).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := af.parse(cmd.Flags()); err != nil {
				return err
			}
			if len(args) == 1 {
				if cmd.Flags().Changed("target") {
					return errors.New("-target cannot be used with a plan file: the saved " +
						"plan already says which hosts to change; make a new plan with " +
						"smtpverbs plan -target=... -out=FILE")
				}
				return runApplyFile(env, &cf, &ef, &af, args[0])
			}
			return runApply(env, &cf, &ef, &af)
		},
	}
	cf.register(cmd.Flags())
	ef.register(cmd.Flags())
	cmd.Flags().BoolVar(&af.autoApprove, "auto-approve", false,
		"apply without asking for approval")
	cmd.Flags().BoolVar(&af.noRollback, "no-rollback", false,
		"keep the new values on a host whose SMTP verification fails")
	cmd.Flags().StringVar(&af.batch, "batch", "",
		"apply in rolling batches of `SIZES`, e.g. 1,10%,100% or 5 (the last size repeats)")
	cmd.Flags().StringVar(&af.maxFail, "max-fail", "",
		"start no further batch once more than `N` hosts (or N% of those started) failed")
	cmd.Flags().StringVar(&af.evidence, "evidence", "",
		"write a JSON record of the apply to FILE: per host the values before and after, "+
			"each step with its time, the remote command output and the SMTP transcripts")
	return cmd
}

// runApply plans, asks for approval and applies.
func runApply(env *Env, cf *configFlags, ef *engineFlags, af *applyFlags) error {
	if !af.autoApprove && (ef.jsonOut || !env.StdinTTY) {
		return &ExitError{Code: ExitFailure, Err: errors.New("apply needs approval but " +
			"cannot ask: standard input is not a terminal or -json is set. Pass " +
			"-auto-approve, or save a plan with smtpverbs plan -out=FILE, review it and " +
			"run smtpverbs apply FILE")}
	}
	cfg, servers, err := loadAndSelect(env, cf, ef.targets)
	if err != nil {
		return err
	}

	ctx, cancel := contextFor(env)
	defer cancel()
	opts := ef.engineOptions(env, cfg)
	opts.KeepSessions = true
	ui := newApplyUI(env, ef.jsonOut)
	opts.Events = ui.event

	p, err := plan.Make(ctx, cfg, servers, opts)
	if p == nil {
		return err
	}
	defer p.Close()
	ui.planned(p)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if !p.Changed() {
		if !ef.jsonOut {
			fmt.Fprintln(env.Stdout, "\nNo changes: nothing to apply.")
		}
		return exitFor(p.ExitCode(false))
	}

	ui.batches(af.applyOptions(opts).BatchHosts(p), af.limit)
	if !af.autoApprove {
		if err := askApproval(ctx, env); err != nil {
			return err
		}
	}
	return applyAndReport(ctx, env, p, opts, af, ui)
}

// runApplyFile applies a saved plan.
func runApplyFile(env *Env, cf *configFlags, ef *engineFlags, af *applyFlags,
	path string) error {
	p, err := plan.ReadFile(path)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(env, cf)
	if err != nil {
		return err
	}
	if err := p.Bind(cfg); err != nil {
		return fmt.Errorf("apply %s: %w", path, err)
	}

	ctx, cancel := contextFor(env)
	defer cancel()
	opts := ef.engineOptions(env, cfg)
	ui := newApplyUI(env, ef.jsonOut)
	opts.Events = ui.event
	if !ef.jsonOut {
		views.ShowPlan(env.Stdout, p, env.Now(), env.Style())
	}
	ui.batches(af.applyOptions(opts).BatchHosts(p), af.limit)
	if !ef.jsonOut {
		fmt.Fprintln(env.Stdout)
	}
	return applyAndReport(ctx, env, p, opts, af, ui)
}

// applyAndReport runs the apply and renders its outcome.
func applyAndReport(ctx context.Context, env *Env, p *plan.Plan, opts plan.Options,
	af *applyFlags, ui *applyUI) error {
	started := env.Now()
	r := plan.Apply(ctx, p, af.applyOptions(opts))
	ui.applied(r)

	// The record is written whatever the outcome: a failed apply needs its
	// evidence most.
	if af.evidence != "" {
		err := plan.WriteEvidence(af.evidence, p, r, Version, started, env.Now())
		if err != nil {
			return &ExitError{Code: ExitFailure, Err: err}
		}
		if !ui.json() {
			fmt.Fprintf(env.Stdout, "Evidence written to %s.\n", af.evidence)
		}
	}
	return exitFor(r.ExitCode())
}

// exitFor turns an exit code into the error Main expects.
func exitFor(code int) error {
	if code == ExitOK {
		return nil
	}
	return &ExitError{Code: code}
}

// askApproval asks the Terraform question and accepts only "yes". An
// interrupt while waiting counts as no.
func askApproval(ctx context.Context, env *Env) error {
	fmt.Fprint(env.Stdout, views.ApplyPrompt)
	answer := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(env.Stdin).ReadString('\n')
		answer <- strings.TrimSpace(line)
	}()

	select {
	case a := <-answer:
		if a == "yes" {
			fmt.Fprintln(env.Stdout)
			return nil
		}
	case <-ctx.Done():
		fmt.Fprintln(env.Stdout)
	}
	fmt.Fprintln(env.Stdout, "\nApply cancelled: nothing was written.")
	return errSilent
}

// applyUI renders plan and apply progress as human text or JSON lines.
type applyUI struct {
	env    *Env
	stream *views.JSONStream
}

func newApplyUI(env *Env, jsonOut bool) *applyUI {
	ui := &applyUI{env: env}
	if jsonOut {
		ui.stream = views.NewJSONStream(env.Stdout, env.Now)
		ui.stream.Version(Version)
	}
	return ui
}

// json reports whether the UI prints JSON lines.
func (ui *applyUI) json() bool { return ui.stream != nil }

func (ui *applyUI) event(e plan.Event) {
	if ui.stream != nil {
		ui.stream.Event(e)
		return
	}
	views.ApplyProgress(ui.env.Stdout, e, ui.env.Style())
}

func (ui *applyUI) planned(p *plan.Plan) {
	if ui.stream != nil {
		ui.stream.PlanSummary(p)
		return
	}
	views.PlanHuman(ui.env.Stdout, p, ui.env.Style())
}

// batches tells a person how the apply is split into batches, if it is.
func (ui *applyUI) batches(hosts []int, limit *plan.FailLimit) {
	if ui.stream != nil || len(hosts) == 0 {
		return
	}
	fmt.Fprintln(ui.env.Stdout)
	views.BatchPlan(ui.env.Stdout, hosts, limit, ui.env.Style())
}

func (ui *applyUI) applied(r *plan.Result) {
	if ui.stream != nil {
		ui.stream.ApplySummary(r)
		return
	}
	views.ApplyHuman(ui.env.Stdout, r, ui.env.Style())
}
