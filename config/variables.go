package config

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// EnvVarPrefix starts the name of an environment variable that sets a
// configuration variable: SMTPVERBS_VAR_admin_password sets
// var.admin_password.
const EnvVarPrefix = "SMTPVERBS_VAR_"

// variable is a declared input variable and the value it ended up with.
type variable struct {
	name      string
	typ       cty.Type
	sensitive bool
	declRange hcl.Range

	// value is cty.NilVal until a default or an input sets it.
	value cty.Value
}

var variableSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "type"}, {Name: "default"}, {Name: "sensitive"}, {Name: "description"},
}}

// declareVariables decodes the variable blocks.
func (l *loader) declareVariables(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, ok := l.vars[name]; ok {
			diags = append(diags, duplicate("variable", name, b, prev.declRange))
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			diags = append(diags, errorAt(b.LabelRanges[0], "Invalid variable name",
				fmt.Sprintf("%q cannot be used as var.%s. A variable name starts with "+
					"a letter and holds letters, digits, underscores and dashes.",
					name, name)))
			continue
		}
		v := &variable{name: name, typ: cty.DynamicPseudoType, declRange: b.DefRange}
		l.vars[name] = v

		content, d := b.Body.Content(variableSchema)
		diags = append(diags, d...)
		if a, ok := content.Attributes["type"]; ok {
			ty, d := typeexpr.TypeConstraint(a.Expr)
			diags = append(diags, d...)
			if !d.HasErrors() {
				v.typ = ty
			}
		}
		if a, ok := content.Attributes["sensitive"]; ok {
			s, d := a.Expr.Value(nil)
			diags = append(diags, d...)
			if s, err := convert.Convert(s, cty.Bool); err != nil || s.IsNull() {
				diags = append(diags, typeError(a, "true or false", err))
			} else if !d.HasErrors() {
				v.sensitive = s.True()
			}
		}
		if a, ok := content.Attributes["description"]; ok {
			_, d := a.Expr.Value(nil)
			diags = append(diags, d...)
		}
		if a, ok := content.Attributes["default"]; ok {
			val, d := a.Expr.Value(nil)
			diags = append(diags, d...)
			if !d.HasErrors() {
				diags = append(diags, l.setVar(v, val, a.Expr.Range().Ptr(),
					"the default")...)
			}
		}
	}
	return diags
}

// setVar converts val to the type of v and makes it v's value. from names
// the source for messages ("the default", "-var"); subject is where it was
// written, if in a file. The value itself never appears in a message, since
// it may be a secret.
func (l *loader) setVar(v *variable, val cty.Value, subject *hcl.Range,
	from string) hcl.Diagnostics {
	// Every value is remembered so that collectSecrets can redact all the
	// values a sensitive variable was given, not only the one that won.
	l.seen[v.name] = append(l.seen[v.name], val)

	conv, err := convert.Convert(val, v.typ)
	if err != nil {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid value for variable",
			Detail: fmt.Sprintf("The value of variable %q from %s does not fit its type "+
				"%s: %v. Give a value of that type.", v.name, from,
				typeexpr.TypeString(v.typ), err),
			Subject: subject,
		}}
	}
	v.value = conv
	return nil
}

// assignVariables applies, in Terraform's order, environment variables,
// -var-file files and -var arguments over the defaults, then reports
// variables left without a value.
func (l *loader) assignVariables() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range mapKeys(l.vars) {
		raw := l.in.Getenv(EnvVarPrefix + name)
		if raw != "" {
			diags = append(diags, l.setRaw(l.vars[name], raw,
				"the environment variable "+EnvVarPrefix+name)...)
		}
	}
	for _, path := range l.in.VarFiles {
		diags = append(diags, l.readVarFile(path)...)
	}
	for _, arg := range l.in.Vars {
		diags = append(diags, l.setVarArg(arg)...)
	}

	for _, name := range mapKeys(l.vars) {
		v := l.vars[name]
		if v.value != cty.NilVal {
			continue
		}
		diags = append(diags, errorAt(v.declRange, "No value for required variable",
			fmt.Sprintf("The variable %q has no default and was not set. Set it in one "+
				"of three ways: the argument -var '%s=VALUE', a -var-file containing "+
				"%s = VALUE, or the environment variable %s%s.", name, name, name,
				EnvVarPrefix, name)))
		v.value = cty.DynamicVal
	}
	return diags
}

// setVarArg applies one -var argument, NAME=VALUE.
func (l *loader) setVarArg(arg string) hcl.Diagnostics {
	name, raw, ok := strings.Cut(arg, "=")
	name = strings.TrimSpace(name)
	if !ok {
		// Echo the argument only when it is a declared name: anything else
		// might be a value, and values may be secrets.
		shown := "A -var argument"
		if _, declared := l.vars[name]; declared {
			shown = fmt.Sprintf("The argument -var %q", name)
		}
		return hcl.Diagnostics{noRangeError("Malformed -var argument",
			shown+" has no \"=\". Write -var 'NAME=VALUE', for example "+
				"-var 'smtp_port=25'.")}
	}
	v, declared := l.vars[name]
	if !declared {
		return hcl.Diagnostics{noRangeError("Value for undeclared variable",
			fmt.Sprintf("The argument -var '%s=...' names no declared variable.%s "+
				"Declare it with a variable %q block, or correct the name.", name,
				didYouMean(name, mapKeys(l.vars)), name))}
	}
	return l.setRaw(v, raw, "-var")
}

// setRaw applies a value given as text on the command line or in the
// environment. A string, number or bool variable takes the text as it is;
// a list or map variable takes it as an HCL expression such as ["a", "b"].
func (l *loader) setRaw(v *variable, raw, from string) hcl.Diagnostics {
	if v.typ.IsPrimitiveType() || v.typ == cty.DynamicPseudoType {
		return l.setVar(v, cty.StringVal(raw), nil, from)
	}

	expr, diags := hclsyntax.ParseExpression([]byte(raw), from, hcl.InitialPos)
	if diags.HasErrors() {
		return hcl.Diagnostics{noRangeError("Invalid value for variable",
			fmt.Sprintf("The value of variable %q from %s is not a valid HCL "+
				"expression; write a %s such as %s.", v.name, from,
				typeexpr.TypeString(v.typ), typeExample(v.typ)))}
	}
	val, diags := expr.Value(nil)
	if diags.HasErrors() {
		return hcl.Diagnostics{noRangeError("Invalid value for variable",
			fmt.Sprintf("The value of variable %q from %s must be a constant %s "+
				"such as %s.", v.name, from, typeexpr.TypeString(v.typ),
				typeExample(v.typ)))}
	}
	return l.setVar(v, val, nil, from)
}

// typeExample shows a value of ty for messages.
func typeExample(ty cty.Type) string {
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		return `{a = "10.0.0.5", b = "10.0.0.6"}`
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		return `["10.0.0.5", "10.0.0.6"]`
	}
	return `"text"`
}

// readVarFile applies the NAME = VALUE lines of a -var-file.
func (l *loader) readVarFile(path string) hcl.Diagnostics {
	src, err := os.ReadFile(path)
	if err != nil {
		return hcl.Diagnostics{noRangeError("Cannot read variables file",
			fmt.Sprintf("Reading the -var-file %s failed: %v. Check the path; it is "+
				"relative to the configuration directory.", path, err))}
	}
	f, diags := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if f == nil {
		return diags
	}
	l.c.Files[path] = f
	if diags.HasErrors() {
		return diags
	}
	attrs, d := f.Body.JustAttributes()
	diags = append(diags, d...)

	// JustAttributes returns a map; apply in file order so a repeated name
	// behaves predictably.
	list := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool {
		return list[i].Range.Start.Byte < list[j].Range.Start.Byte
	})
	for _, a := range list {
		v, ok := l.vars[a.Name]
		if !ok {
			diags = append(diags, warningAt(a.NameRange, "Value for undeclared variable",
				fmt.Sprintf("The file sets %q, which no variable block declares, so "+
					"the value is ignored.%s Correct the name or remove the line.",
					a.Name, didYouMean(a.Name, mapKeys(l.vars)))))
			continue
		}
		val, d := a.Expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() {
			diags = append(diags, l.setVar(v, val, a.Expr.Range().Ptr(), path)...)
		}
	}
	return diags
}

// varValues returns the values for the var object of expressions.
func (l *loader) varValues() map[string]cty.Value {
	out := make(map[string]cty.Value, len(l.vars))
	for name, v := range l.vars {
		out[name] = v.value
		if v.value == cty.NilVal {
			out[name] = cty.DynamicVal
		}
	}
	return out
}

// collectSecrets adds every value any sensitive variable was given, from
// any source, to the secrets of the configuration.
func (l *loader) collectSecrets() {
	for name, v := range l.vars {
		if !v.sensitive {
			continue
		}
		for _, val := range l.seen[name] {
			l.c.secrets = appendStrings(l.c.secrets, val)
		}
	}
}

// appendStrings appends every primitive value inside val, as text.
func appendStrings(out []string, val cty.Value) []string {
	if val.IsNull() || !val.IsWhollyKnown() {
		return out
	}
	ty := val.Type()
	switch {
	case ty.IsPrimitiveType():
		s, err := convert.Convert(val, cty.String)
		if err == nil && s.AsString() != "" {
			out = append(out, s.AsString())
		}
	case val.CanIterateElements():
		for it := val.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			out = appendStrings(out, ev)
		}
	}
	return out
}

// duplicate reports a second block of kind with the same name.
func duplicate(kind, name string, b *hcl.Block, prev hcl.Range) *hcl.Diagnostic {
	article := "A"
	if strings.ContainsAny(kind[:1], "aeiou") {
		article = "An"
	}
	return errorAt(b.DefRange, "Duplicate "+kind,
		fmt.Sprintf("%s %s named %q is already declared at %s. Names must be unique; "+
			"rename or remove one of them.", article, kind, name, where(prev)))
}
