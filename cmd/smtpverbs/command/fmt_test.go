package command

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const messyConfig = `server "mail01" {
address="10.0.0.5"
  baselines = [ "pci" ]
}
`

const tidyConfig = `server "mail01" {
  address   = "10.0.0.5"
  baselines = ["pci"]
}
`

// TestFmt runs fmt with each flag and checks the exit code, the output and
// what the file holds afterwards.
func TestFmt(t *testing.T) {
	tests := []struct {
		name       string
		files      map[string]string
		args       []string
		wantCode   int
		wantStdout string
		wantFile   string
	}{
		{"rewrites", map[string]string{"a.smtp.hcl": messyConfig}, nil, ExitOK,
			"a.smtp.hcl\n", tidyConfig},
		{"already tidy", map[string]string{"a.smtp.hcl": tidyConfig}, nil, ExitOK, "",
			tidyConfig},
		{"check", map[string]string{"a.smtp.hcl": messyConfig}, []string{"-check"},
			exitUnformatted, "a.smtp.hcl\n", messyConfig},
		{"check tidy", map[string]string{"a.smtp.hcl": tidyConfig}, []string{"-check"},
			ExitOK, "", tidyConfig},
		{"diff", map[string]string{"a.smtp.hcl": messyConfig},
			[]string{"-check", "-diff"}, exitUnformatted, "a.smtp.hcl\n" +
				"--- old/a.smtp.hcl\n+++ new/a.smtp.hcl\n@@ -1,4 +1,4 @@\n" +
				" server \"mail01\" {\n-address=\"10.0.0.5\"\n-  baselines = [ \"pci\" ]\n" +
				"+  address   = \"10.0.0.5\"\n+  baselines = [\"pci\"]\n }\n", messyConfig},
		{"syntax error", map[string]string{"a.smtp.hcl": "server {\n"}, nil,
			ExitFailure, "", "server {\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := configDir(t, tt.files)
			env, stdout, stderr := configEnv(nil)
			args := append([]string{"-chdir=" + dir, "fmt"}, tt.args...)

			code := Main(args, env)
			if code != tt.wantCode {
				t.Errorf("wrong exit code\ngot: %d\nwant: %d\nstderr: %s", code,
					tt.wantCode, stderr)
			}
			if stdout.String() != tt.wantStdout {
				t.Errorf("wrong output\ngot:\n%s\nwant:\n%s", stdout, tt.wantStdout)
			}
			got, err := os.ReadFile(filepath.Join(dir, "a.smtp.hcl"))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.wantFile {
				t.Errorf("wrong file\ngot:\n%s\nwant:\n%s", got, tt.wantFile)
			}
			if tt.wantCode == ExitFailure && !strings.Contains(stderr.String(), "Error: ") {
				t.Errorf("no error shown\ngot: %s", stderr)
			}
		})
	}
}

// TestFmt_recursiveAndStdin checks that -recursive reaches subdirectories,
// that without it they are left alone, and that - formats standard input.
func TestFmt_recursiveAndStdin(t *testing.T) {
	dir := configDir(t, nil)
	sub := filepath.Join(dir, "site")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "b.smtp.hcl"), []byte(messyConfig),
		0o600); err != nil {
		t.Fatal(err)
	}

	env, stdout, _ := configEnv(nil)
	if code := Main([]string{"fmt", "-check", dir}, env); code != ExitOK {
		t.Errorf("wrong exit code without -recursive\ngot: %d\nwant: %d", code, ExitOK)
	}
	env, stdout, _ = configEnv(nil)
	code := Main([]string{"fmt", "-check", "-recursive", dir}, env)
	want := filepath.Join(sub, "b.smtp.hcl") + "\n"
	if code != exitUnformatted || stdout.String() != want {
		t.Errorf("wrong result with -recursive\ngot: %d %q\nwant: %d %q", code, stdout,
			exitUnformatted, want)
	}

	env, stdout, _ = configEnv(nil)
	env.Stdin = strings.NewReader(messyConfig)
	if code := Main([]string{"fmt", "-"}, env); code != ExitOK || stdout.String() !=
		tidyConfig {
		t.Errorf("wrong result for stdin\ngot: %d\n%s\nwant: 0\n%s", code, stdout, tidyConfig)
	}
}
