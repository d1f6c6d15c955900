package command

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/pflag"

	"github.com/smtpverbs/smtpverbs/cmd/smtpverbs/views"
	"github.com/smtpverbs/smtpverbs/config"
)

// configFlags are the flags of every command that loads the configuration.
type configFlags struct {
	vars     []string
	varFiles []string
}

// register adds -var and -var-file, both repeatable, to fs.
func (f *configFlags) register(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.vars, "var", nil,
		"set a variable, NAME=VALUE (repeatable; wins over -var-file and the environment)")
	fs.StringArrayVar(&f.varFiles, "var-file", nil,
		"read variables from an HCL file of NAME = VALUE lines (repeatable)")
}

// inputs returns the config.Inputs the flags and env describe.
func (f *configFlags) inputs(env *Env) config.Inputs {
	in := config.Inputs{Vars: f.vars, VarFiles: f.varFiles, Getenv: env.Getenv}
	if env.Now != nil {
		in.Now = env.Now()
	}
	return in
}

// loadConfig loads the configuration of the current directory (the root's
// -chdir is already applied), prints its warnings and errors to env.Stderr
// with secrets redacted, and returns errSilent when there are errors.
func loadConfig(env *Env, f *configFlags) (*config.Config, error) {
	cfg, diags := config.Load(".", f.inputs(env))
	printDiagnostics(env, cfg, diags)
	if diags.HasErrors() {
		return nil, errSilent
	}
	return cfg, nil
}

// printDiagnostics writes diags to env.Stderr, redacted with the secrets of
// cfg, with source snippets.
func printDiagnostics(env *Env, cfg *config.Config, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	secrets := cfg.Secrets()
	files := config.RedactFiles(cfg.Files, secrets)
	views.Diagnostics(env.Stderr, files, config.Redact(diags, secrets), env.Color(),
		diagnosticWidth(env))
}

// diagnosticWidth is the column diagnostics are wrapped at: 0 (no wrapping)
// when the output is not a terminal, so logs and pipes get whole lines.
func diagnosticWidth(env *Env) int {
	switch {
	case !env.StdoutTTY:
		return 0
	case env.Width > 0:
		return min(max(env.Width-2, 40), 100)
	}
	return 78
}
