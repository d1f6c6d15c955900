package config

import (
	"fmt"
	"net"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// DefaultSMTPPort is the port probed when a server sets no smtp_port.
const DefaultSMTPPort = 25

var serverSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "for_each"}, {Name: "address"}, {Name: "connection"}, {Name: "baselines"},
	{Name: "enable"}, {Name: "disable"}, {Name: "virtual_servers"}, {Name: "method"},
	{Name: "mdutil_path"}, {Name: "adsutil_path"}, {Name: "restart"},
	{Name: "smtp_port"}, {Name: "groups"}, {Name: "tags"},
}}

// decodeServers decodes the server blocks, expanding for_each, into
// l.c.Servers.
func (l *loader) decodeServers(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, ok := l.c.blocks[name]; ok {
			diags = append(diags, duplicate("server", name, b, prev))
			continue
		}
		l.c.blocks[name] = b.DefRange
		content, d := b.Body.Content(serverSchema)
		diags = append(diags, d...)

		fe, ok := content.Attributes["for_each"]
		if !ok {
			s, d := l.server(name, name, b, content.Attributes, nil)
			diags = append(diags, d...)
			l.c.Servers = append(l.c.Servers, s)
			continue
		}
		instances, d := l.forEach(fe)
		diags = append(diags, d...)
		for _, inst := range instances {
			key := inst.key.AsString()
			s, d := l.server(fmt.Sprintf("%s[%q]", name, key), name, b,
				content.Attributes, inst)
			diags = append(diags, d...)
			l.c.Servers = append(l.c.Servers, s)
		}
	}
	return diags
}

// forEach evaluates a for_each argument: a map of key => value, or a list
// or set of strings, each of which is both key and value.
func (l *loader) forEach(a *hcl.Attribute) ([]*each, hcl.Diagnostics) {
	v, diags := l.eval(a.Expr, nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	bad := func(what string) hcl.Diagnostics {
		return append(diags, errorAt(a.Expr.Range(), "Invalid for_each argument",
			fmt.Sprintf("for_each takes a map of instance name => address, or a list "+
				"or set of addresses; this value is %s.", what)))
	}
	if v.IsNull() {
		return nil, bad("null")
	}

	ty := v.Type()
	var out []*each
	switch {
	case ty.IsMapType() || ty.IsObjectType():
		for it := v.ElementIterator(); it.Next(); {
			k, ev := it.Element()
			out = append(out, &each{key: k, value: ev})
		}
	case ty.IsListType() || ty.IsSetType() || ty.IsTupleType():
		seen := map[string]bool{}
		for it := v.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			s, err := convert.Convert(ev, cty.String)
			if err != nil || s.IsNull() {
				return nil, bad("a list with an element that is not a string")
			}
			if !seen[s.AsString()] {
				seen[s.AsString()] = true
				out = append(out, &each{key: s, value: s})
			}
		}
	default:
		return nil, bad("of type " + ty.FriendlyName())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key.AsString() < out[j].key.AsString() })
	return out, diags
}

// server decodes one server instance. e is nil outside for_each.
func (l *loader) server(name, block string, b *hcl.Block, attrs hcl.Attributes,
	e *each) (*Server, hcl.Diagnostics) {
	s := &Server{Name: name, block: block, Method: "auto", Restart: true,
		SMTPPort: DefaultSMTPPort, DeclRange: b.DefRange}
	var diags hcl.Diagnostics

	diags = append(diags, l.address(s, b, attrs, e)...)
	diags = append(diags, l.serverConnection(s, b, attrs, e)...)
	diags = append(diags, l.serverOptions(s, attrs, e)...)

	// The policy: baselines in order, then the server's own lists.
	var own policy
	if a, ok := attrs["baselines"]; ok {
		items, d := l.items(a, e, "baseline")
		diags = append(diags, d...)
		for _, it := range items {
			p, ok := l.policies[it.s]
			if !ok {
				diags = append(diags, errorAt(it.rng, "Unknown baseline",
					fmt.Sprintf("No baseline is named %q.%s The baselines are %s.",
						it.s, didYouMean(it.s, mapKeys(l.policies)),
						quotedList(mapKeys(l.policies)))))
				continue
			}
			s.Baselines = append(s.Baselines, it.s)
			own = append(own, p...)
		}
	}
	p, d := l.verbPolicy(attrs, e, fmt.Sprintf("server %q", block))
	diags = append(diags, d...)
	l.resolved[s] = append(own, p...)
	return s, diags
}

// hostname matches a DNS host name: dot-separated labels of letters,
// digits and inner dashes.
var hostname = regexp.MustCompile(`^` + label + `(\.` + label + `)*\.?$`)

// label is one DNS label.
const label = `[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?`

// address decodes and checks the address of a server.
func (l *loader) address(s *Server, b *hcl.Block, attrs hcl.Attributes, e *each) hcl.Diagnostics {
	a, ok := attrs["address"]
	if !ok {
		return hcl.Diagnostics{errorAt(b.DefRange, "Missing address",
			fmt.Sprintf("Server %q needs an address: the host name or IP address that "+
				"WinRM and SMTP connect to, such as address = \"10.0.0.5\".", s.block))}
	}
	addr, ok, diags := l.str(a, e)
	if !ok {
		return diags
	}
	s.Address = addr
	if net.ParseIP(addr) != nil || (len(addr) <= 253 && hostname.MatchString(addr)) {
		return diags
	}
	return append(diags, errorAt(a.Expr.Range(), "Invalid address",
		fmt.Sprintf("%q is not a host name or IP address. Write only the host, such "+
			"as \"mail01.corp.example\" or \"10.0.0.5\": no scheme, path or port (the "+
			"WinRM port is set in the connection block, the SMTP port with smtp_port).",
			addr)))
}

// serverConnection resolves the connection a server uses.
func (l *loader) serverConnection(s *Server, b *hcl.Block, attrs hcl.Attributes,
	e *each) hcl.Diagnostics {
	names := mapKeys(l.c.Connections)
	a, ok := attrs["connection"]
	if !ok {
		switch len(names) {
		case 1:
			s.Connection = l.c.Connections[names[0]]
			return nil
		case 0:
			return hcl.Diagnostics{errorAt(b.DefRange, "No connection declared",
				"A server needs a connection block saying how to reach WinRM. Add "+
					"one with a username and a password or password_env, as in the "+
					"examples directory.")}
		}
		return hcl.Diagnostics{errorAt(b.DefRange, "Missing connection",
			fmt.Sprintf("Server %q must say which connection to use, since there are "+
				"several: %s. Add connection = \"NAME\".", s.block, quotedList(names)))}
	}

	it, ok, diags := l.name(a, e, "connection")
	if !ok {
		return diags
	}
	conn, ok := l.c.Connections[it.s]
	if !ok {
		return append(diags, errorAt(it.rng, "Unknown connection",
			fmt.Sprintf("No connection is named %q.%s The connections are %s.", it.s,
				didYouMean(it.s, names), quotedList(names))))
	}
	s.Connection = conn
	return diags
}

// serverOptions decodes the remaining server attributes.
func (l *loader) serverOptions(s *Server, attrs hcl.Attributes, e *each) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a, ok := attrs["virtual_servers"]; ok {
		vs, d := l.virtualServers(a, e)
		diags = append(diags, d...)
		s.VirtualServers = vs
	}
	if a, ok := attrs["method"]; ok {
		m, ok, d := l.str(a, e)
		diags = append(diags, d...)
		switch {
		case !ok:
		case m == "auto" || m == "mdutil" || m == "adsutil":
			s.Method = m
		default:
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid method",
				fmt.Sprintf("method is \"auto\" (the default: mdutil when installed, "+
					"else adsutil), \"mdutil\" or \"adsutil\", not %q.", m)))
		}
	}
	for attr, dst := range map[string]*string{
		"mdutil_path": &s.MdutilPath, "adsutil_path": &s.AdsutilPath,
	} {
		if a, ok := attrs[attr]; ok {
			v, _, d := l.str(a, e)
			diags = append(diags, d...)
			*dst = v
		}
	}
	if a, ok := attrs["restart"]; ok {
		r, ok, d := l.boolean(a, e)
		diags = append(diags, d...)
		if ok {
			s.Restart = r
		}
	}
	if a, ok := attrs["smtp_port"]; ok {
		n, ok, d := l.integer(a, e)
		diags = append(diags, d...)
		if ok {
			s.SMTPPort = n
			diags = append(diags, checkPort(a, n)...)
		}
	}
	for _, attr := range []string{"groups", "tags"} {
		if a, ok := attrs[attr]; ok {
			items, d := l.items(a, e, "")
			diags = append(diags, d...)
			diags = append(diags, addGroups(s, items)...)
		}
	}
	return diags
}

// addGroups adds group names to s, checking that each can be targeted as
// group.NAME.
func addGroups(s *Server, items []item) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, it := range items {
		if !hclsyntax.ValidIdentifier(it.s) {
			diags = append(diags, errorAt(it.rng, "Invalid group name",
				fmt.Sprintf("%q cannot be used as a group: a group name starts with a "+
					"letter and holds letters, digits, underscores and dashes, so that "+
					"-target=group.NAME can name it.", it.s)))
			continue
		}
		if !slices.Contains(s.Groups, it.s) {
			s.Groups = append(s.Groups, it.s)
		}
	}
	return diags
}

// virtualServers decodes virtual_servers: "all" or a list of instance
// numbers. "all" comes back as nil.
func (l *loader) virtualServers(a *hcl.Attribute, e *each) ([]int, hcl.Diagnostics) {
	v, diags := l.eval(a.Expr, e)
	if diags.HasErrors() {
		return nil, diags
	}
	if ok, d := known(a, v); !ok {
		return nil, append(diags, d...)
	}
	bad := append(diags, errorAt(a.Expr.Range(), "Invalid virtual_servers",
		"virtual_servers is \"all\" (the default) or a non-empty list of instance "+
			"numbers, such as [1, 2]: N in /LM/SmtpSvc/N, counting from 1."))

	if v.Type() == cty.String {
		if strings.EqualFold(v.AsString(), "all") {
			return nil, diags
		}
		return nil, bad
	}
	if !v.CanIterateElements() || v.Type().IsMapType() || v.Type().IsObjectType() ||
		v.LengthInt() == 0 {
		return nil, bad
	}

	var out []int
	for it := v.ElementIterator(); it.Next(); {
		_, ev := it.Element()
		if ev.IsNull() {
			return nil, bad
		}
		n, ok, _ := wholeNumber(a, ev, nil)
		if !ok || n < 1 {
			return nil, bad
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	sort.Ints(out)
	return out, diags
}
