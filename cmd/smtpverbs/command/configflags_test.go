package command

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// TestLoadConfig checks the helper plan, apply and scan use: -var and
// -var-file reach Load, errors are printed redacted and become errSilent,
// and a valid configuration comes back with its warnings printed.
func TestLoadConfig(t *testing.T) {
	good := strings.Replace(badConfig, "${var.pw}.example", "mail01.example", 1)
	good = strings.Replace(good, "ETRM", "ETRN", 1)
	tests := []struct {
		name       string
		config     string
		wantErr    bool
		wantStderr string
	}{
		{"valid", good, false, "Warning: Certificate verification disabled"},
		{"invalid", badConfig, true, "Error: Unknown verb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configDir(t, map[string]string{"main.smtp.hcl": tt.config,
				"secret.vars.hcl": "pw = \"top secret\"\n"})
			t.Chdir(dir)

			var cf configFlags
			fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
			cf.register(fs)
			if err := fs.Parse([]string{"--var-file", "secret.vars.hcl"}); err != nil {
				t.Fatal(err)
			}
			env, _, stderr := configEnv(nil)
			cfg, err := loadConfig(env, &cf)

			if gotErr := err != nil; gotErr != tt.wantErr || (err != nil && err != errSilent) {
				t.Errorf("wrong error\ngot: %v\nwant error: %v (errSilent)", err, tt.wantErr)
			}
			if !tt.wantErr && (cfg == nil || len(cfg.Servers) != 1) {
				t.Errorf("wrong config\ngot: %+v\nwant: one server", cfg)
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) ||
				strings.Contains(stderr.String(), "top secret") {
				t.Errorf("wrong stderr\ngot:\n%s\nwant %q and no secret", stderr, tt.wantStderr)
			}
		})
	}
}
