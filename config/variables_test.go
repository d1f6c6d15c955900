package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// varSource declares variables of each type and uses them in a server.
const varSource = `
variable "port" {
  type    = number
  default = 25
}

variable "hosts" {
  type    = list(string)
  default = ["10.0.0.1"]
}

variable "pw" {
  type      = string
  sensitive = true
}

connection "c" {
  username = "svc"
  password = var.pw
}

server "s" {
  for_each  = var.hosts
  address   = each.value
  smtp_port = var.port
}
`

// TestLoad_variablePrecedence checks default < environment < -var-file (in
// order) < -var (in order), for a number and a list.
func TestLoad_variablePrecedence(t *testing.T) {
	dir := t.TempDir()
	file1 := filepath.Join(dir, "one.vars.hcl")
	file2 := filepath.Join(dir, "two.vars.hcl")
	writeFile(t, file1, "port = 1001\nhosts = [\"10.0.0.2\"]\n")
	writeFile(t, file2, "port = 1002\n")

	tests := []struct {
		name      string
		env       map[string]string
		files     []string
		vars      []string
		wantPort  int
		wantHosts string
	}{
		{"default", nil, nil, nil, 25, `s["10.0.0.1"]`},
		{"env", map[string]string{"SMTPVERBS_VAR_port": "1000",
			"SMTPVERBS_VAR_hosts": `["10.0.0.9"]`}, nil, nil, 1000, `s["10.0.0.9"]`},
		{"file over env", map[string]string{"SMTPVERBS_VAR_port": "1000"},
			[]string{file1}, nil, 1001, `s["10.0.0.2"]`},
		{"later file", nil, []string{file1, file2}, nil, 1002, `s["10.0.0.2"]`},
		{"var over file", nil, []string{file2}, []string{"port=1003"}, 1003,
			`s["10.0.0.1"]`},
		{"later var", nil, nil, []string{"port=1", "port=1004",
			`hosts=["10.0.0.4"]`}, 1004, `s["10.0.0.4"]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := func(name string) string {
				if name == "SMTPVERBS_VAR_pw" {
					return "pw-from-env"
				}
				return tt.env[name]
			}
			c, diags := loadSource(t, []byte(varSource), Inputs{Vars: tt.vars,
				VarFiles: tt.files, Getenv: env})
			if diags.HasErrors() {
				t.Fatalf("unexpected errors: %v", diags)
			}
			s := c.Servers[0]
			if s.SMTPPort != tt.wantPort || s.Name != tt.wantHosts {
				t.Errorf("wrong values\ngot: %d %s\nwant: %d %s", s.SMTPPort, s.Name,
					tt.wantPort, tt.wantHosts)
			}
		})
	}
}

// TestLoad_varFileUndeclared checks that a -var-file naming an undeclared
// variable warns at the line and loads.
func TestLoad_varFileUndeclared(t *testing.T) {
	file := filepath.Join(t.TempDir(), "x.vars.hcl")
	writeFile(t, file, "pw = \"a\"\nprot = 1\n")
	_, diags := loadSource(t, []byte(varSource), Inputs{VarFiles: []string{file}})
	if diags.HasErrors() || len(diags) != 1 {
		t.Fatalf("wrong diagnostics\ngot: %v\nwant: one warning", diags)
	}
	got := diags[0].Summary + " @ " + position(diags[0])
	if want := "Value for undeclared variable @ 2:1"; got != want ||
		!strings.Contains(diags[0].Detail, `Did you mean "port"?`) {
		t.Errorf("wrong warning\ngot: %s: %s\nwant: %s", got, diags[0].Detail, want)
	}
}

// TestRedact loads configurations in which a sensitive value ends up in a
// diagnostic, renders them as validate does, and checks that the secret
// appears nowhere: not in summaries, details, snippets or the values HCL
// prints for an expression.
func TestRedact(t *testing.T) {
	const secret = "hunter2 is/secret"
	varFile := filepath.Join(t.TempDir(), "secret.vars.hcl")
	writeFile(t, varFile, "pw = \""+secret+"\"\nport = \""+secret+"\"\n")

	tests := []struct {
		name string
		src  string
		in   Inputs
	}{
		{"address from -var", varSource + `
server "x" {
  address = "${var.pw}:25"
}`, Inputs{Vars: []string{"pw=" + secret}}},
		{"default in snippet", strings.Replace(varSource, "sensitive = true",
			"sensitive = true\n  default = \""+secret+"\"", 1) + `
server "x" {
  address = var.pw
}`, Inputs{}},
		{"var file", varSource, Inputs{VarFiles: []string{varFile}}},
		{"for_each value", varSource + `
server "y" {
  for_each = [var.pw]
  address  = each.value
}`, Inputs{Vars: []string{"pw=" + secret}}},
		{"arithmetic", varSource + `
server "z" {
  address   = "10.0.0.5"
  smtp_port = var.pw + 1
}`, Inputs{Vars: []string{"pw=" + secret}}},
		{"password_env", `
connection "c" {
  username     = "svc"
  password_env = "PW"
}
server "x" {
  address = "${upper("a")}"
  smtp_port = "hunter2 is/secret"
}`, Inputs{Getenv: func(string) string { return secret }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, diags := loadSource(t, []byte(tt.src), tt.in)
			if !diags.HasErrors() {
				t.Fatalf("no error to check\ngot: %v", diags)
			}
			var out strings.Builder
			files := RedactFiles(c.Files, c.Secrets())
			w := hcl.NewDiagnosticTextWriter(&out, files, 0, false)
			if err := w.WriteDiagnostics(Redact(diags, c.Secrets())); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(out.String(), "hunter2") {
				t.Errorf("secret shown\ngot:\n%s", out.String())
			}
			if !strings.Contains(out.String(), "Error: ") {
				t.Errorf("nothing rendered\ngot:\n%s", out.String())
			}
		})
	}
}

// writeFile writes text to path or fails the test.
func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}
