package config

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/smtpverbs/smtpverbs/verb"
)

var baselineSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "enable"}, {Name: "disable"},
}}

// decodeBaselines decodes the baseline blocks into l.c.Baselines.
func (l *loader) decodeBaselines(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, ok := l.c.Baselines[name]; ok {
			diags = append(diags, duplicate("baseline", name, b, prev.DeclRange))
			continue
		}
		content, d := b.Body.Content(baselineSchema)
		diags = append(diags, d...)

		bl := &Baseline{Name: name, DeclRange: b.DefRange}
		p, d := l.verbPolicy(content.Attributes, nil, fmt.Sprintf("baseline %q", name))
		diags = append(diags, d...)
		bl.Enable, bl.Disable = p.verbs(true), p.verbs(false)
		l.c.Baselines[name] = bl
		l.policies[name] = p
	}
	return diags
}

// setting is one verb switched on or off by a block.
type setting struct {
	verb verb.Verb
	on   bool
	rng  hcl.Range

	// by names the block, as `baseline "pci"`, for messages.
	by string
}

// policy is the verbs one block enables and disables, in the order written.
type policy []setting

// verbs returns the verbs p switches to on.
func (p policy) verbs(on bool) []verb.Verb {
	var out []verb.Verb
	for _, s := range p {
		if s.on == on {
			out = append(out, s.verb)
		}
	}
	return out
}

// verbPolicy decodes the enable and disable attributes of a block named by,
// reporting unknown verbs and a verb listed in both.
func (l *loader) verbPolicy(attrs hcl.Attributes, e *each, by string) (policy,
	hcl.Diagnostics) {
	var p policy
	var diags hcl.Diagnostics
	listed := map[string]setting{}
	for _, attrName := range []string{"disable", "enable"} {
		a, ok := attrs[attrName]
		if !ok {
			continue
		}
		items, d := l.items(a, e, "")
		diags = append(diags, d...)
		for _, it := range items {
			v, d := lookupVerb(it)
			diags = append(diags, d...)
			if d.HasErrors() {
				continue
			}
			s := setting{verb: v, on: attrName == "enable", rng: it.rng, by: by}
			if prev, ok := listed[v.Name]; ok {
				if prev.on != s.on {
					diags = append(diags, errorAt(it.rng, "Verb both enabled and disabled",
						fmt.Sprintf("%s lists %s in both enable and disable. Remove it "+
							"from one of the two lists.", by, v.Name)))
				}
				continue
			}
			listed[v.Name] = s
			p = append(p, s)
		}
	}
	return p, diags
}

// lookupVerb resolves a verb name written in a configuration.
func lookupVerb(it item) (verb.Verb, hcl.Diagnostics) {
	if v, ok := verb.Lookup(it.s); ok {
		return v, nil
	}
	name := strings.ToUpper(strings.TrimSpace(it.s))
	if why, ok := verb.ControlledElsewhere(name); ok {
		return verb.Verb{}, hcl.Diagnostics{errorAt(it.rng,
			"Verb not controlled by "+verb.PropertyName,
			fmt.Sprintf("smtpverbs manages only the verbs that %s switches (%s). %s is "+
				"not one of them: %s. Remove it from this list.", verb.PropertyName,
				verbNames(), name, why))}
	}

	hint := ""
	if s := verb.Suggest(name); s != "" {
		hint = fmt.Sprintf(" Did you mean %q?", s)
	}
	return verb.Verb{}, hcl.Diagnostics{errorAt(it.rng, "Unknown verb",
		fmt.Sprintf("%q is not a verb that %s controls.%s The verbs are %s, in any "+
			"case.", it.s, verb.PropertyName, hint, verbNames()))}
}

// verbNames lists the controllable verbs for messages.
func verbNames() string {
	names := make([]string, len(verb.All))
	for i, v := range verb.All {
		names[i] = v.Name
	}
	return strings.Join(names, ", ")
}
