package config

import (
	"fmt"
	"math/big"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// each holds each.key and each.value inside one for_each instance.
type each struct {
	key, value cty.Value
}

// functions are the HCL functions expressions may call.
var functions = map[string]function.Function{
	"lower":  stdlib.LowerFunc,
	"upper":  stdlib.UpperFunc,
	"concat": stdlib.ConcatFunc,
	"format": stdlib.FormatFunc,
}

// eval evaluates expr with the variables and, inside a for_each instance,
// each.key and each.value. It first checks every reference so that a
// mistake gets a message naming the fix rather than HCL's generic one. A
// value that cannot be known (an unset variable, already reported) comes
// back as cty.DynamicVal without diagnostics.
func (l *loader) eval(expr hcl.Expression, e *each) (cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		diags = append(diags, l.checkRef(tr, e)...)
	}
	if diags.HasErrors() {
		return cty.DynamicVal, diags
	}

	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(l.varValues())},
		Functions: functions,
	}
	if e != nil {
		ctx.Variables["each"] = cty.ObjectVal(map[string]cty.Value{
			"key": e.key, "value": e.value,
		})
	}
	v, valDiags := expr.Value(ctx)
	return v, append(diags, valDiags...)
}

// checkRef reports a reference that is not var.NAME of a declared variable
// nor each.key / each.value inside for_each.
func (l *loader) checkRef(tr hcl.Traversal, e *each) hcl.Diagnostics {
	rng := tr.SourceRange()
	attr := ""
	if len(tr) > 1 {
		if a, ok := tr[1].(hcl.TraverseAttr); ok {
			attr = a.Name
		}
	}

	switch tr.RootName() {
	case "var":
		if _, ok := l.vars[attr]; ok {
			return nil
		}
		return hcl.Diagnostics{errorAt(rng, "Reference to undeclared variable",
			fmt.Sprintf("There is no variable named %q.%s Declare it with a "+
				"variable %q block, or correct the name.", attr,
				didYouMean(attr, mapKeys(l.vars)), attr))}

	case "each":
		if e == nil {
			return hcl.Diagnostics{errorAt(rng, `Reference to "each" without for_each`,
				"each.key and each.value exist only inside a server block that "+
					"sets for_each. Add for_each to this block, or write the value "+
					"directly.")}
		}
		if attr != "key" && attr != "value" {
			return hcl.Diagnostics{errorAt(rng, "Invalid each attribute",
				fmt.Sprintf("each has only the attributes key and value, not %q.",
					attr))}
		}
		return nil
	}
	return hcl.Diagnostics{errorAt(rng, "Unknown reference",
		fmt.Sprintf("%q cannot be referred to here. Values may use var.NAME, "+
			"each.key and each.value; connections and baselines are named by "+
			"string, as in connection = \"corp\".", tr.RootName()))}
}

// typeError returns the diagnostic for an attribute of the wrong type.
func typeError(attr *hcl.Attribute, want string, err error) *hcl.Diagnostic {
	detail := fmt.Sprintf("Inappropriate value for attribute %q: %s is required.",
		attr.Name, want)
	if err != nil {
		detail = fmt.Sprintf("Inappropriate value for attribute %q: %v.", attr.Name, err)
	}
	return errorAt(attr.Expr.Range(), "Incorrect attribute value type", detail)
}

// known reports whether v can be used: known and not null. Null values get
// a diagnostic; unknown ones were reported where they became unknown.
func known(attr *hcl.Attribute, v cty.Value) (bool, hcl.Diagnostics) {
	if !v.IsWhollyKnown() {
		return false, nil
	}
	if v.IsNull() {
		return false, hcl.Diagnostics{errorAt(attr.Expr.Range(), "Missing attribute value",
			fmt.Sprintf("The attribute %q must not be null. Give it a value or "+
				"remove it to use the default.", attr.Name))}
	}
	return true, nil
}

// str evaluates attr as a string. ok is false when there is no usable
// value; the reason is in diags unless already reported.
func (l *loader) str(attr *hcl.Attribute, e *each) (s string, ok bool,
	diags hcl.Diagnostics) {
	v, diags := l.eval(attr.Expr, e)
	if diags.HasErrors() {
		return "", false, diags
	}
	if ok, d := known(attr, v); !ok {
		return "", false, append(diags, d...)
	}
	v, err := convert.Convert(v, cty.String)
	if err != nil {
		return "", false, append(diags, typeError(attr, "a string", err))
	}
	return v.AsString(), true, diags
}

// integer evaluates attr as a whole number.
func (l *loader) integer(attr *hcl.Attribute, e *each) (n int, ok bool,
	diags hcl.Diagnostics) {
	v, diags := l.eval(attr.Expr, e)
	if diags.HasErrors() {
		return 0, false, diags
	}
	if ok, d := known(attr, v); !ok {
		return 0, false, append(diags, d...)
	}
	return wholeNumber(attr, v, diags)
}

// wholeNumber converts v, the value of attr, to an int.
func wholeNumber(attr *hcl.Attribute, v cty.Value, diags hcl.Diagnostics) (int, bool,
	hcl.Diagnostics) {
	v, err := convert.Convert(v, cty.Number)
	if err != nil {
		return 0, false, append(diags, typeError(attr, "a number", err))
	}
	bf := v.AsBigFloat()
	if !bf.IsInt() || bf.Cmp(big.NewFloat(1<<31)) >= 0 || bf.Cmp(big.NewFloat(-1<<31)) < 0 {
		return 0, false, append(diags, errorAt(attr.Expr.Range(), "Invalid number",
			fmt.Sprintf("The attribute %q needs a whole number, not %s.", attr.Name,
				bf.Text('g', 10))))
	}
	n, _ := bf.Int64()
	return int(n), true, diags
}

// boolean evaluates attr as a bool.
func (l *loader) boolean(attr *hcl.Attribute, e *each) (b bool, ok bool,
	diags hcl.Diagnostics) {
	v, diags := l.eval(attr.Expr, e)
	if diags.HasErrors() {
		return false, false, diags
	}
	if ok, d := known(attr, v); !ok {
		return false, false, append(diags, d...)
	}
	v, err := convert.Convert(v, cty.Bool)
	if err != nil {
		return false, false, append(diags, typeError(attr, "a bool", err))
	}
	return v.True(), true, diags
}

// item is one string of a list attribute with where it was written.
type item struct {
	s   string
	rng hcl.Range
}

// items evaluates attr as a list of strings, keeping the position of each
// element when the list is written out literally. When refRoot is set, an
// element may also be a reference refRoot.NAME (baseline.pci), which stands
// for the string NAME.
func (l *loader) items(attr *hcl.Attribute, e *each, refRoot string) ([]item,
	hcl.Diagnostics) {
	if _, isTuple := attr.Expr.(*hclsyntax.TupleConsExpr); isTuple {
		exprs, _ := hcl.ExprList(attr.Expr)
		var out []item
		var diags hcl.Diagnostics
		for _, x := range exprs {
			it, ok, d := l.element(attr, x, e, refRoot)
			diags = append(diags, d...)
			if ok {
				out = append(out, it)
			}
		}
		return out, diags
	}

	// Anything else (var.list, concat(...)) is evaluated whole, and every
	// element is reported at the attribute.
	v, diags := l.eval(attr.Expr, e)
	if diags.HasErrors() {
		return nil, diags
	}
	if ok, d := known(attr, v); !ok {
		return nil, append(diags, d...)
	}
	v, err := convert.Convert(v, cty.List(cty.String))
	if err != nil || v.IsNull() {
		return nil, append(diags, typeError(attr, "a list of strings", err))
	}
	var out []item
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			continue
		}
		out = append(out, item{s: ev.AsString(), rng: attr.Expr.Range()})
	}
	return out, diags
}

// element evaluates one element of a literal list attribute.
func (l *loader) element(attr *hcl.Attribute, x hcl.Expression, e *each,
	refRoot string) (item, bool, hcl.Diagnostics) {
	if name, ok := reference(x, refRoot); ok {
		return item{s: name, rng: x.Range()}, true, nil
	}

	v, diags := l.eval(x, e)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return item{}, false, diags
	}
	v, err := convert.Convert(v, cty.String)
	if err != nil || v.IsNull() {
		return item{}, false, append(diags, errorAt(x.Range(), "Incorrect list element type",
			fmt.Sprintf("Every element of %q must be a string.", attr.Name)))
	}
	return item{s: v.AsString(), rng: x.Range()}, true, diags
}

// reference reports whether x is written root.NAME and returns NAME.
func reference(x hcl.Expression, root string) (string, bool) {
	if root == "" {
		return "", false
	}
	st, ok := x.(*hclsyntax.ScopeTraversalExpr)
	if !ok || st.Traversal.RootName() != root || len(st.Traversal) != 2 {
		return "", false
	}
	a, ok := st.Traversal[1].(hcl.TraverseAttr)
	return a.Name, ok
}

// name evaluates attr as one name that may also be written root.NAME, as
// in connection = connection.corp.
func (l *loader) name(attr *hcl.Attribute, e *each, root string) (item, bool,
	hcl.Diagnostics) {
	if n, ok := reference(attr.Expr, root); ok {
		return item{s: n, rng: attr.Expr.Range()}, true, nil
	}
	s, ok, diags := l.str(attr, e)
	return item{s: s, rng: attr.Expr.Range()}, ok, diags
}
