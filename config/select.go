package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Select returns the servers that targets name, in declaration order, or
// every server when targets is empty. A target is one of:
//
//   - a server name, mail01, or server.mail01;
//   - one for_each instance, web["a"] (the quotes may be left out);
//   - a for_each block name, web, meaning all of its instances;
//   - a group, group.NAME or tag.NAME, or a bare NAME that no server block
//     uses.
//
// An unknown target is an error diagnostic with a suggestion.
func (c *Config) Select(targets []string) ([]*Server, hcl.Diagnostics) {
	if len(targets) == 0 {
		return c.Servers, nil
	}
	var diags hcl.Diagnostics
	chosen := map[*Server]bool{}
	for _, t := range targets {
		servers, ok := c.match(t)
		if !ok {
			diags = append(diags, noRangeError("Unknown target",
				fmt.Sprintf("-target=%s names no server, for_each block or group.%s %s",
					t, didYouMean(t, c.targetNames()), targetHelp)))
			continue
		}
		for _, s := range servers {
			chosen[s] = true
		}
	}

	var out []*Server
	for _, s := range c.Servers {
		if chosen[s] {
			out = append(out, s)
		}
	}
	return out, diags
}

// targetHelp explains the target syntax in messages.
const targetHelp = `A target is a server name (mail01), one instance of a for_each ` +
	`block (web["a"]), all instances of one (web), or a group (group.pci).`

// match returns the servers target t names, and false when it names
// nothing declared. A for_each block without instances matches no server
// but is still a known name.
func (c *Config) match(t string) ([]*Server, bool) {
	t = strings.TrimSpace(t)
	t = strings.TrimPrefix(t, "server.")

	if g, ok := cutAny(t, "group.", "tag."); ok {
		out := c.inGroup(g)
		return out, len(out) > 0
	}

	// A server instance, its quotes optional: web["a"] or web[a].
	if i := strings.IndexByte(t, '['); i > 0 && strings.HasSuffix(t, "]") {
		key := strings.Trim(t[i+1:len(t)-1], `"`)
		t = fmt.Sprintf("%s[%q]", t[:i], key)
	}
	for _, s := range c.Servers {
		if s.Name == t {
			return []*Server{s}, true
		}
	}
	if _, ok := c.blocks[t]; ok {
		var out []*Server
		for _, s := range c.Servers {
			if s.block == t {
				out = append(out, s)
			}
		}
		return out, true
	}

	out := c.inGroup(t)
	return out, len(out) > 0
}

// inGroup returns the servers in group g.
func (c *Config) inGroup(g string) []*Server {
	var out []*Server
	for _, s := range c.Servers {
		if slices.Contains(s.Groups, g) {
			out = append(out, s)
		}
	}
	return out
}

// targetNames lists every valid target, for suggestions.
func (c *Config) targetNames() []string {
	var out []string
	for _, s := range c.Servers {
		out = append(out, s.Name)
		for _, g := range s.Groups {
			if !slices.Contains(out, "group."+g) {
				out = append(out, "group."+g)
			}
		}
	}
	for name := range c.blocks {
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// cutAny removes the first of prefixes that s starts with.
func cutAny(s string, prefixes ...string) (string, bool) {
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest, true
		}
	}
	return s, false
}
