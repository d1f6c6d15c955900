package command

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/config"
)

func newValidateCommand(env *Env) *cobra.Command {
	var cf configFlags
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "validate [-json] [-var NAME=VALUE] [-var-file FILE]",
		Short: "Check the configuration without contacting any host",
		Long: "validate loads every *.smtp.hcl file of the current directory (see -chdir), " +
			"evaluates variables, and checks names, verbs, references, connections and " +
			"exceptions. It never contacts a host, but it does read the environment " +
			"variables that password_env names and the files that ca_file names.\n\n" +
			"Variables are taken, later winning, from their default, SMTPVERBS_VAR_<name>, " +
			"each -var-file in order, and each -var in order.\n\n" +
			"With -json it prints one document, {\"valid\", \"error_count\", " +
			"\"warning_count\", \"diagnostics\"}, on standard output. The exit status is 1 " +
			"when the configuration has errors.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runValidate(env, &cf, jsonOut)
		},
	}
	cf.register(cmd.Flags())
	cmd.Flags().BoolVar(&jsonOut, "json", false,
		"print the result as JSON on standard output")
	return cmd
}

// runValidate loads the configuration and reports the outcome.
func runValidate(env *Env, cf *configFlags, jsonOut bool) error {
	cfg, diags := config.Load(".", cf.inputs(env))

	if jsonOut {
		if err := views.DiagnosticsJSON(env.Stdout, config.Redact(diags,
			cfg.Secrets())); err != nil {
			return err
		}
		if diags.HasErrors() {
			return errSilent
		}
		return nil
	}

	printDiagnostics(env, cfg, diags)
	if diags.HasErrors() {
		return errSilent
	}
	fmt.Fprintf(env.Stdout, "Success! The configuration is valid: %s.\n", summarize(cfg))
	return nil
}

// summarize counts what a configuration declares, as "3 servers, 1
// baseline, 1 connection, 0 exceptions".
func summarize(cfg *config.Config) string {
	return fmt.Sprintf("%s, %s, %s, %s",
		plural(len(cfg.Servers), "server"), plural(len(cfg.Baselines), "baseline"),
		plural(len(cfg.Connections), "connection"), plural(len(cfg.Exceptions), "exception"))
}

// plural formats n things, "1 server" or "2 servers".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
