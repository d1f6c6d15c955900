package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// exampleEnv is the environment the examples are loaded with.
func exampleEnv(name string) string {
	return map[string]string{
		"SMTPVERBS_PASSWORD":           "env-secret-1",
		"SMTPVERBS_VAR_admin_password": "var-secret-2",
	}[name]
}

// TestLoad_examples loads every example directory as a user would, with
// the variables its README names, and checks that it is valid.
func TestLoad_examples(t *testing.T) {
	tests := []struct {
		dir      string
		servers  []string
		warnings int
	}{
		{"pci-baseline", []string{`relay["a"]`, `relay["b"]`, `relay["c"]`}, 0},
		{"exceptions", []string{"mail01", "mail02"}, 0},
		// The dmz connection sets insecure = true, which warns.
		{"groups", []string{`edge["192.0.2.10"]`, `edge["192.0.2.11"]`, "hub"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			dir := filepath.Join("..", "examples", tt.dir)
			now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
			c, diags := Load(dir, Inputs{Getenv: exampleEnv, Now: now})
			if diags.HasErrors() {
				t.Fatalf("unexpected errors:\n%s", diagText(c, diags))
			}
			if len(c.Warnings) != tt.warnings {
				t.Errorf("wrong number of warnings\ngot: %d\n%s\nwant: %d",
					len(c.Warnings), diagText(c, c.Warnings), tt.warnings)
			}
			var got []string
			for _, s := range c.Servers {
				got = append(got, s.Name)
			}
			if !slices.Equal(got, tt.servers) {
				t.Errorf("wrong servers\ngot: %q\nwant: %q", got, tt.servers)
			}
		})
	}
}

// diagText renders diags for a failure message.
func diagText(c *Config, diags hcl.Diagnostics) string {
	var b strings.Builder
	w := hcl.NewDiagnosticTextWriter(&b, c.Files, 0, false)
	_ = w.WriteDiagnostics(diags)
	return b.String()
}
