package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// DateFormat is how exception expiry dates are written: YYYY-MM-DD.
const DateFormat = "2006-01-02"

var exceptionSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "verb", Required: true}, {Name: "servers", Required: true},
	{Name: "justification"}, {Name: "approved_by"}, {Name: "expires", Required: true},
}}

// decodeExceptions decodes the exception blocks and applies the active
// ones to the servers they name. It runs after the servers are decoded.
func (l *loader) decodeExceptions(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := map[string]hcl.Range{}
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, ok := seen[name]; ok {
			diags = append(diags, duplicate("exception", name, b, prev))
			continue
		}
		seen[name] = b.DefRange

		content, contentDiags := b.Body.Content(exceptionSchema)
		diags = append(diags, contentDiags...)
		ex, servers, d := l.exception(name, b, content.Attributes)
		diags = append(diags, d...)
		if contentDiags.HasErrors() || d.HasErrors() {
			continue
		}
		l.c.Exceptions = append(l.c.Exceptions, ex)
		diags = append(diags, l.applyException(ex, servers, content.Attributes)...)
	}
	return diags
}

// exception decodes one exception block and resolves the servers it names.
func (l *loader) exception(name string, b *hcl.Block, attrs hcl.Attributes) (*Exception,
	[]*Server, hcl.Diagnostics) {
	ex := &Exception{Name: name, DeclRange: b.DefRange}
	var diags hcl.Diagnostics

	if a, ok := attrs["verb"]; ok {
		s, ok, d := l.str(a, nil)
		diags = append(diags, d...)
		if ok {
			v, d := lookupVerb(item{s: s, rng: a.Expr.Range()})
			diags = append(diags, d...)
			ex.Verb = v
		}
	}

	a, ok := attrs["justification"]
	if ok {
		s, _, d := l.str(a, nil)
		diags = append(diags, d...)
		ex.Justification = strings.TrimSpace(s)
	}
	if ex.Justification == "" {
		rng := b.DefRange
		if a != nil {
			rng = a.Expr.Range()
		}
		diags = append(diags, errorAt(rng, "Missing justification",
			fmt.Sprintf("Exception %q needs a justification telling an auditor why the "+
				"verb stays allowed, such as justification = \"Partner X pulls queued "+
				"mail with ETRN until the 2027 migration (CHG-1234)\".", name)))
	}
	if a, ok := attrs["approved_by"]; ok {
		s, _, d := l.str(a, nil)
		diags = append(diags, d...)
		ex.ApprovedBy = s
	}

	if a, ok := attrs["expires"]; ok {
		s, ok, d := l.str(a, nil)
		diags = append(diags, d...)
		if ok {
			t, err := time.Parse(DateFormat, s)
			if err != nil {
				diags = append(diags, errorAt(a.Expr.Range(), "Invalid expiry date",
					fmt.Sprintf("expires is a date written YYYY-MM-DD, such as "+
						"\"2027-01-31\", not %q.", s)))
			}
			ex.Expires = t
		}
	}

	var servers []*Server
	if a, ok := attrs["servers"]; ok {
		items, d := l.items(a, nil, "")
		diags = append(diags, d...)
		if len(items) == 0 && !d.HasErrors() {
			diags = append(diags, errorAt(a.Expr.Range(), "No servers in exception",
				fmt.Sprintf("Exception %q applies to no server. List server names or "+
					"groups, such as servers = [\"mail01\", \"group.partners\"].", name)))
		}
		for _, it := range items {
			matched, ok := l.c.match(it.s)
			if !ok {
				diags = append(diags, errorAt(it.rng, "Unknown server in exception",
					fmt.Sprintf("%q names no server, for_each block or group.%s %s",
						it.s, didYouMean(it.s, l.c.targetNames()), targetHelp)))
			}
			ex.Servers = append(ex.Servers, it.s)
			servers = append(servers, matched...)
		}
	}
	return ex, servers, diags
}

// active reports whether ex still applies at now. An exception holds through
// its whole expiry day, as a calendar date in now's time zone.
func (ex *Exception) active(now time.Time) bool {
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return !today.After(ex.Expires)
}

// applyException records ex on each of servers and, when it is active,
// takes its verb out of the servers' Off bits. TURN and ATRN share one bit,
// so an exception for either allows both.
func (l *loader) applyException(ex *Exception, servers []*Server,
	attrs hcl.Attributes) hcl.Diagnostics {
	active := ex.active(l.in.Now)
	var names, unaffected []string
	for _, s := range servers {
		if containsException(s, ex) {
			continue
		}
		s.Exceptions = append(s.Exceptions, AppliedException{Exception: ex, Active: active})
		names = append(names, s.Name)
		if active && s.Off&ex.Verb.Bit == 0 {
			unaffected = append(unaffected, s.Name)
		}
		if active {
			s.Off &^= ex.Verb.Bit
		}
	}

	if !active {
		return hcl.Diagnostics{warningAt(attrs["expires"].Expr.Range(),
			fmt.Sprintf("Exception %q expired on %s", ex.Name, ex.Expires.Format(DateFormat)),
			fmt.Sprintf("The exception no longer applies: %s is managed by the baselines "+
				"again on %s. Renew it with a later expires date and a new approval, or "+
				"delete the block.", ex.Verb.Name, strings.Join(names, ", ")))}
	}
	if len(unaffected) > 0 {
		return hcl.Diagnostics{warningAt(ex.DeclRange, "Exception has no effect",
			fmt.Sprintf("Exception %q allows %s on %s, where no baseline or server "+
				"setting disables it. Remove those servers from the exception, or the "+
				"exception itself.", ex.Name, ex.Verb.Name, strings.Join(unaffected, ", ")))}
	}
	return nil
}

// containsException reports whether s already has ex (named twice).
func containsException(s *Server, ex *Exception) bool {
	for _, a := range s.Exceptions {
		if a.Exception == ex {
			return true
		}
	}
	return false
}
