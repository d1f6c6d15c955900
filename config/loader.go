package config

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/smtpverbs/smtpverbs/verb"
)

// rootSchema is the top level of a configuration file.
var rootSchema = &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
	{Type: "variable", LabelNames: []string{"name"}},
	{Type: "connection", LabelNames: []string{"name"}},
	{Type: "baseline", LabelNames: []string{"name"}},
	{Type: "server", LabelNames: []string{"name"}},
	{Type: "exception", LabelNames: []string{"name"}},
}}

// loader holds the state of one Load.
type loader struct {
	c  *Config
	in Inputs

	// vars are the declared variables; seen keeps every value each was
	// given, so all values of a sensitive one can be redacted.
	vars map[string]*variable
	seen map[string][]cty.Value

	// policies are the decoded baselines; resolved is each server's
	// settings in the order they apply.
	policies map[string]policy
	resolved map[*Server]policy
}

// load decodes and checks the parsed files. Blocks are decoded kind by kind
// in dependency order, so any block may refer to one declared in any file.
func (l *loader) load(bodies []hcl.Body) hcl.Diagnostics {
	l.vars = map[string]*variable{}
	l.seen = map[string][]cty.Value{}
	l.policies = map[string]policy{}
	l.resolved = map[*Server]policy{}
	l.c.blocks = map[string]hcl.Range{}

	content, diags := hcl.MergeBodies(bodies).Content(rootSchema)
	byType := map[string][]*hcl.Block{}
	for _, b := range content.Blocks {
		byType[b.Type] = append(byType[b.Type], b)
	}

	// Variables first, since everything else may use them; the secrets are
	// known from here on, even if later steps fail.
	diags = append(diags, l.declareVariables(byType["variable"])...)
	diags = append(diags, l.assignVariables()...)
	l.collectSecrets()

	diags = append(diags, l.decodeConnections(byType["connection"])...)
	diags = append(diags, l.decodeBaselines(byType["baseline"])...)
	diags = append(diags, l.decodeServers(byType["server"])...)
	for _, s := range l.c.Servers {
		diags = append(diags, l.resolve(s)...)
	}
	diags = append(diags, l.decodeExceptions(byType["exception"])...)

	if len(byType["server"]) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "No servers declared",
			Detail: "The configuration declares no server block, so there is nothing " +
				"to plan or apply. Add a server block with an address.",
		})
	}
	return dedupe(diags)
}

// resolve computes the On and Off bits of s from its settings, later
// settings winning, and reports TURN and ATRN set differently: they share
// one bit, so IIS offers both or neither.
func (l *loader) resolve(s *Server) hcl.Diagnostics {
	final := map[string]setting{}
	for _, st := range l.resolved[s] {
		final[st.verb.Name] = st
	}

	turn, hasTurn := final[verb.TURN.Name]
	atrn, hasAtrn := final[verb.ATRN.Name]
	if hasTurn && hasAtrn && turn.on != atrn.on {
		// Point at whichever was written last in the order of application.
		later := atrn
		for _, st := range l.resolved[s] {
			if st == turn {
				later = turn
			}
			if st == atrn {
				later = atrn
			}
		}
		return hcl.Diagnostics{errorAt(later.rng, "TURN and ATRN set differently",
			fmt.Sprintf("On server %q, TURN is %s by %s and ATRN is %s by %s. They share "+
				"one bit (0x400) of %s, so IIS offers both or neither: enable or disable "+
				"them together.", s.block, onOff(turn.on), turn.by, onOff(atrn.on),
				atrn.by, verb.PropertyName))}
	}

	for _, st := range final {
		if st.on {
			s.On |= st.verb.Bit
		} else {
			s.Off |= st.verb.Bit
		}
	}
	return nil
}

// onOff describes a setting in messages.
func onOff(on bool) string {
	if on {
		return "enabled"
	}
	return "disabled"
}
