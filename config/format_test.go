package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/smtpverbs/smtpverbs/internal/golden"
)

// TestFormat formats a messy file and compares it with the golden result,
// then checks that formatting is idempotent and that the result loads.
func TestFormat(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("testdata", "fmt", "messy.smtp.hcl"))
	if err != nil {
		t.Fatal(err)
	}
	got, diags := Format(src, "messy.smtp.hcl")
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}

	golden.Check(t, filepath.Join("testdata", "fmt", "messy.golden"), got)

	again, _ := Format(got, "messy.smtp.hcl")
	if string(again) != string(got) {
		t.Errorf("formatting is not idempotent\ngot:\n%s\nwant:\n%s", again, got)
	}
}

// TestFormat_syntaxError checks that broken source is reported, not
// formatted.
func TestFormat_syntaxError(t *testing.T) {
	out, diags := Format([]byte("server \"a\" {\n  address = \n"), "broken.smtp.hcl")
	if out != nil || !diags.HasErrors() {
		t.Fatalf("wrong result\ngot: %q, %v\nwant: nil and an error", out, diags)
	}
	if got := diags[0].Subject.Filename; got != "broken.smtp.hcl" {
		t.Errorf("wrong file name\ngot: %s\nwant: broken.smtp.hcl", got)
	}
}
