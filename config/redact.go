package config

import (
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Secrets returns every sensitive value the configuration loaded: each value
// any sensitive variable was given (default, file, environment or -var) and
// each connection password. Pass it to Redact and RedactFiles before showing
// anything derived from the configuration.
func (c *Config) Secrets() []string {
	if c == nil {
		return nil
	}
	return c.secrets
}

// Redact returns copies of diags in which every occurrence of a secret in
// the summary or detail reads Redacted. Diagnostics that carry an
// expression and its evaluation context lose both, since HCL would print
// the values of the variables the expression uses.
func Redact(diags hcl.Diagnostics, secrets []string) hcl.Diagnostics {
	r := replacer(secrets, func(string) string { return Redacted })
	if r == nil {
		return diags
	}
	out := make(hcl.Diagnostics, len(diags))
	for i, d := range diags {
		cp := *d
		cp.Summary = r.Replace(d.Summary)
		cp.Detail = r.Replace(d.Detail)
		cp.Expression, cp.EvalContext = nil, nil
		out[i] = &cp
	}
	return out
}

// RedactFiles returns files with every secret in their source replaced by
// asterisks of the same length, so that snippets never show a secret while
// every range still points at the same text. A secret is also found in the
// form it takes inside an HCL string literal (with \\, \" and $${ escapes).
func RedactFiles(files map[string]*hcl.File, secrets []string) map[string]*hcl.File {
	var all []string
	for _, s := range secrets {
		all = append(all, s, escapeHCL(s))
	}
	r := replacer(all, func(s string) string { return strings.Repeat("*", len(s)) })
	if r == nil {
		return files
	}
	out := make(map[string]*hcl.File, len(files))
	for name, f := range files {
		red := r.Replace(string(f.Bytes))
		if red == string(f.Bytes) {
			out[name] = f
			continue
		}
		cp := *f
		cp.Bytes = []byte(red)
		out[name] = &cp
	}
	return out
}

// escapeHCL writes s as it appears between the quotes of an HCL string.
//
// TODO: a secret written with \uNNNN escapes, or split across a template,
// is not found in the source; acceptable because secrets belong in
// variables set outside the configuration. Redacting whole string literals
// whose value is a secret (found through the parsed expressions) would fix
// it.
func escapeHCL(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "${", "$${", "%{", "%%{",
		"\n", `\n`, "\t", `\t`).Replace(s)
}

// replacer builds a Replacer for secrets, longest first so that a secret
// containing another is replaced whole. It returns nil when there is
// nothing to replace.
func replacer(secrets []string, with func(string) string) *strings.Replacer {
	list := make([]string, 0, len(secrets))
	for _, s := range secrets {
		if s != "" {
			list = append(list, s)
		}
	}
	if len(list) == 0 {
		return nil
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })

	var pairs []string
	for _, s := range list {
		pairs = append(pairs, s, with(s))
	}
	return strings.NewReplacer(pairs...)
}
