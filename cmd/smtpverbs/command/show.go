package command

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/plan"
)

func newShowCommand(env *Env) *cobra.Command {
	var jsonOut, diff bool
	cmd := &cobra.Command{
		Use:   "show [-json | -diff] PLANFILE",
		Short: "Show a saved plan",
		Long: "show renders a plan saved with plan -out as plan printed it. With -diff it " +
			"prints a unified diff (--- observed, +++ target) with one line per verb and " +
			"virtual server, for a change review; with -json the plan file's JSON. A plan " +
			"older than a day is still shown, with a warning: apply re-reads every host " +
			"and skips those that changed. show contacts no host and needs no " +
			"configuration.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if jsonOut && diff {
				return errors.New("-json and -diff exclude each other: choose one")
			}
			return runShow(env, args[0], jsonOut, diff)
		},
	}
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print the plan as JSON")
	cmd.Flags().BoolVar(&diff, "diff", false, "print the plan as a unified diff")
	return cmd
}

func runShow(env *Env, path string, jsonOut, diff bool) error {
	p, err := plan.ReadFile(path)
	if err != nil {
		return err
	}
	switch {
	case jsonOut:
		data, err := plan.Marshal(p)
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(data)
		return err
	case diff:
		views.PlanDiff(env.Stdout, p)
	default:
		views.ShowPlan(env.Stdout, p, env.Now(), env.Style())
	}
	return nil
}
