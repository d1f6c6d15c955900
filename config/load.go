package config

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// FileSuffix is the name ending of configuration files. Load reads every
// file of a directory that ends with it, in name order.
const FileSuffix = ".smtp.hcl"

// Inputs are the values a configuration is loaded with besides its files.
//
// Variable values are taken, later winning, from: the variable's default,
// the environment variable SMTPVERBS_VAR_<name>, each -var-file in the order
// given, and each -var in the order given. This is Terraform's order.
type Inputs struct {
	// Vars are -var arguments, "name=value", in the order given.
	Vars []string

	// VarFiles are -var-file paths: HCL files of `name = value` lines.
	VarFiles []string

	// Getenv reads SMTPVERBS_VAR_<name> and the variables that
	// password_env names. Nil means os.Getenv.
	Getenv func(string) string

	// Now is the time exceptions are checked against. Zero means
	// time.Now().
	Now time.Time
}

// Load reads every *.smtp.hcl file of dir, evaluates it with in, and
// validates the result.
//
// The returned Config is never nil. When diags has errors it is incomplete
// and only good for rendering the diagnostics: Files holds the sources for
// snippets and Secrets the values to redact. Warnings are returned in diags
// and also kept in Config.Warnings. Diagnostics are not yet redacted; pass
// them through Redact with c.Secrets() before showing them.
func Load(dir string, in Inputs) (*Config, hcl.Diagnostics) {
	if in.Getenv == nil {
		in.Getenv = os.Getenv
	}
	if in.Now.IsZero() {
		in.Now = time.Now()
	}
	c := &Config{
		Dir:         dir,
		Files:       map[string]*hcl.File{},
		Connections: map[string]*Connection{},
		Baselines:   map[string]*Baseline{},
	}

	// Parse every file first, so syntax errors in all of them are shown
	// together.
	bodies, diags := c.parseDir(dir)
	if diags.HasErrors() {
		return c, diags
	}

	l := &loader{c: c, in: in}
	diags = append(diags, l.load(bodies)...)
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			c.Warnings = append(c.Warnings, d)
		}
	}
	return c, diags
}

// parseDir parses the configuration files of dir, records them in c.Files
// and computes c.Digest.
func (c *Config) parseDir(dir string) ([]hcl.Body, hcl.Diagnostics) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read configuration directory",
			Detail: fmt.Sprintf("Reading %s failed: %v. Run smtpverbs in the directory "+
				"that holds your *%s files, or pass -chdir=DIR.", dir, err, FileSuffix),
		}}
	}

	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), FileSuffix) {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "No configuration files",
			Detail: fmt.Sprintf("The directory %s holds no *%s files. Write one (see the "+
				"examples directory), or run smtpverbs where they are with -chdir=DIR.",
				dir, FileSuffix),
		}}
	}

	var diags hcl.Diagnostics
	var bodies []hcl.Body
	sum := sha256.New()
	for _, name := range names {
		path := filepath.Join(dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot read configuration file",
				Detail:   fmt.Sprintf("Reading %s failed: %v.", path, err),
			})
			continue
		}

		// The digest covers names and bytes, each length-prefixed so that
		// moving text from one file to the next changes it.
		fmt.Fprintf(sum, "%d:%s%d:", len(name), name, len(src))
		sum.Write(src)

		f, fileDiags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
		diags = append(diags, fileDiags...)
		if f != nil {
			c.Files[path] = f
			bodies = append(bodies, f.Body)
		}
	}
	c.Digest = "sha256:" + hex.EncodeToString(sum.Sum(nil))
	return bodies, diags
}
