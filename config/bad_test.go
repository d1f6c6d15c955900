package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// testNow is the clock of every test load.
var testNow = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// testEnv is the environment of every test load: PW holds a password.
func testEnv(name string) string {
	if name == "PW" {
		return "env-password"
	}
	return ""
}

// loadFile copies testdata file name into an empty directory and loads it,
// so each case is a configuration of its own.
func loadFile(t *testing.T, name string, in Inputs) (*Config, hcl.Diagnostics) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "bad", name+FileSuffix))
	if err != nil {
		t.Fatal(err)
	}
	return loadSource(t, src, in)
}

// loadSource loads src as the only file of a configuration.
func loadSource(t *testing.T, src []byte, in Inputs) (*Config, hcl.Diagnostics) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main"+FileSuffix), src, 0o600); err != nil {
		t.Fatal(err)
	}
	if in.Getenv == nil {
		in.Getenv = testEnv
	}
	if in.Now.IsZero() {
		in.Now = testNow
	}
	return Load(dir, in)
}

// position formats where d points, "line:column", or "-" without a range.
func position(d *hcl.Diagnostic) string {
	if d.Subject == nil {
		return "-"
	}
	return fmt.Sprintf("%d:%d", d.Subject.Start.Line, d.Subject.Start.Column)
}

// TestLoad_bad loads one invalid configuration per case from testdata/bad
// and checks the first error: its summary, where it points, and a phrase
// of its detail that carries the fix or the suggestion.
func TestLoad_bad(t *testing.T) {
	tests := []struct {
		file    string
		vars    []string
		summary string
		pos     string
		detail  string
	}{
		{"unknown_verb", nil, "Unknown verb", "7:22", `Did you mean "ETRN"?`},
		{"controlled_elsewhere", nil, "Verb not controlled by " +
			"SmtpInboundCommandSupportOptions", "8:22", "VRFY is not one of them: IIS answers"},
		{"turn_atrn", nil, "TURN and ATRN set differently", "13:16", "share one bit (0x400)"},
		{"enabled_and_disabled", nil, "Verb both enabled and disabled", "8:21",
			`baseline "pci" lists ETRN in both`},
		{"unknown_baseline", nil, "Unknown baseline", "12:16", `Did you mean "pci"?`},
		{"unknown_connection", nil, "Unknown connection", "8:16", `Did you mean "c"?`},
		{"no_connection", nil, "No connection declared", "2:1", "Add one"},
		{"which_connection", nil, "Missing connection", "11:1", `"c" and "d"`},
		{"duplicate_server", nil, "Duplicate server", "10:1", "already declared at"},
		{"duplicate_baseline", nil, "Duplicate baseline", "7:1", "already declared at"},
		{"duplicate_connection", nil, "Duplicate connection", "6:1", "already declared"},
		{"duplicate_variable", nil, "Duplicate variable", "7:1", "already declared at"},
		{"duplicate_exception", nil, "Duplicate exception", "17:1", "An exception named"},
		{"missing_address", nil, "Missing address", "6:1", `address = "10.0.0.5"`},
		{"bad_address", nil, "Invalid address", "7:13", "no scheme, path or port"},
		{"bad_transport", nil, "Invalid transport", "2:18", `not "winrm"`},
		{"bad_auth", nil, "Invalid auth", "2:18", `"basic" (the default) or "ntlm"`},
		{"bad_method", nil, "Invalid method", "8:13", `not "wmi"`},
		{"port_out_of_range", nil, "Port out of range", "2:18", "from 1 to 65535"},
		{"smtp_port_zero", nil, "Port out of range", "8:15", "not 0"},
		{"bad_duration", nil, "Invalid duration", "4:18", `such as "60s"`},
		{"operation_timeout", nil, "operation_timeout not below timeout", "5:3",
			"make operation_timeout smaller"},
		{"ca_file_missing", nil, "CA file not found", "4:18", "relative to the configuration"},
		{"insecure_with_ca_file", nil, "Conflicting TLS settings", "5:3", "remove insecure"},
		{"password_and_env", nil, "Conflicting password settings", "9:3", "Keep one"},
		{"no_password", nil, "Missing password", "1:1", "password_env"},
		{"missing_username", nil, "Missing username", "1:1", "username ="},
		{"password_env_unset", nil, "Password environment variable not set", "3:18",
			"NOT_SET_ANYWHERE"},
		{"unknown_variable", nil, "Reference to undeclared variable", "11:13",
			`Did you mean "hosts"?`},
		{"missing_variable", nil, "No value for required variable", "6:1",
			"SMTPVERBS_VAR_address"},
		{"var_type_mismatch", []string{"port=abc"}, "Invalid value for variable", "-",
			"a number is required"},
		{"undeclared_var", []string{"prot=25"}, "Value for undeclared variable", "-",
			`Did you mean "port"?`},
		{"malformed_var", []string{"port"}, "Malformed -var argument", "-", "NAME=VALUE"},
		{"for_each_string", nil, "Invalid for_each argument", "7:14", "of type string"},
		{"each_outside_for_each", nil, `Reference to "each" without for_each`, "7:13",
			"Add for_each"},
		{"exception_no_justification", nil, "Missing justification", "10:1",
			"justification ="},
		{"exception_bad_date", nil, "Invalid expiry date", "14:19", "YYYY-MM-DD"},
		{"exception_unknown_server", nil, "Unknown server in exception", "12:30",
			`Did you mean "mail01"?`},
		{"exception_bad_verb", nil, "Verb not controlled by " +
			"SmtpInboundCommandSupportOptions", "11:19", "EXPN is not one of them"},
		{"exception_missing_fields", nil, "Missing required argument", "10:15",
			`"verb" is required`},
		{"virtual_servers", nil, "Invalid virtual_servers", "8:21", "counting from 1"},
		{"virtual_servers_word", nil, "Invalid virtual_servers", "8:21", `"all"`},
		{"unknown_attribute", nil, "Unsupported argument", "8:3", `"adress"`},
		{"unknown_block", nil, "Unsupported block type", "6:1", `"host"`},
		{"syntax_error", nil, "Invalid multi-line string", "7:22", "heredoc"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, diags := loadFile(t, tt.file, Inputs{Vars: tt.vars})
			if !diags.HasErrors() {
				t.Fatalf("no error\ngot: %v\nwant: %s", diags, tt.summary)
			}
			var first *hcl.Diagnostic
			for _, d := range diags {
				if d.Severity == hcl.DiagError {
					first = d
					break
				}
			}
			got := fmt.Sprintf("%s @ %s", first.Summary, position(first))
			want := fmt.Sprintf("%s @ %s", tt.summary, tt.pos)
			if got != want {
				t.Errorf("wrong first error\ngot: %s\nwant: %s\nall: %v", got, want, diags)
			}
			if !strings.Contains(first.Detail, tt.detail) {
				t.Errorf("wrong detail\ngot: %s\nwant a detail containing: %s",
					first.Detail, tt.detail)
			}
			if first.Subject != nil && filepath.Base(first.Subject.Filename) !=
				"main"+FileSuffix {
				t.Errorf("wrong file\ngot: %s\nwant: main%s", first.Subject.Filename,
					FileSuffix)
			}
			if strings.HasSuffix(first.Summary, ".") {
				t.Errorf("summary ends with a period: %q", first.Summary)
			}
		})
	}
}

// TestLoad_noServers checks that a configuration without servers loads
// with a warning rather than an error.
func TestLoad_noServers(t *testing.T) {
	c, diags := loadFile(t, "no_servers", Inputs{})
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if len(c.Warnings) != 1 || c.Warnings[0].Summary != "No servers declared" {
		t.Errorf("wrong warnings\ngot: %v\nwant: No servers declared", c.Warnings)
	}
}

// TestLoad_noFiles checks the error for a directory without configuration.
func TestLoad_noFiles(t *testing.T) {
	_, diags := Load(t.TempDir(), Inputs{})
	if len(diags) != 1 || diags[0].Summary != "No configuration files" {
		t.Errorf("wrong diagnostics\ngot: %v\nwant: No configuration files", diags)
	}
}
