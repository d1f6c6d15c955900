package config

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/smtpverbs/smtpverbs/verb"
)

// policySource is a fleet used by the policy, exception and target tests.
const policySource = `
connection "c" {
  username     = "svc"
  password_env = "PW"
}

baseline "pci" {
  disable = ["TURN", "ATRN", "ETRN"]
}

baseline "modern" {
  enable  = ["8bitmime"]
  disable = ["DSN"]
}

server "mail01" {
  address   = "10.0.0.5"
  baselines = ["pci", baseline.modern]
  enable    = ["DSN"]
  groups    = ["pci"]
}

server "edge" {
  for_each  = { a = "10.0.1.1", b = "10.0.1.2" }
  address   = each.value
  baselines = ["pci"]
  tags      = ["dmz", "pci"]
}

server "hub" {
  address         = "hub.corp.example"
  virtual_servers = [2, 1, 2]
  restart         = false
  smtp_port       = 2525
}

exception "etrn" {
  verb          = "etrn"
  servers       = ["edge[\"b\"]", "mail01"]
  justification = "Partner X pulls queued mail with ETRN"
  expires       = "2026-06-01"
}

exception "turn" {
  verb          = "ATRN"
  servers       = ["group.dmz"]
  justification = "Old partner"
  expires       = "2026-05-31"
}
`

// loadPolicy loads policySource at now and fails on errors.
func loadPolicy(t *testing.T, now time.Time) (*Config, hcl.Diagnostics) {
	t.Helper()
	c, diags := loadSource(t, []byte(policySource), Inputs{Now: now})
	if diags.HasErrors() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	return c, diags
}

// server returns the server named name.
func server(t *testing.T, c *Config, name string) *Server {
	t.Helper()
	for _, s := range c.Servers {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no server %q", name)
	return nil
}

// TestLoad_policy checks On and Off after baselines, server settings and
// exceptions: the etrn exception is active on its last day, the turn
// exception expired the day before.
func TestLoad_policy(t *testing.T) {
	c, diags := loadPolicy(t, testNow)
	tests := []struct {
		server  string
		on, off verb.Flags
	}{
		// DSN: disabled by modern, re-enabled by the server; ETRN allowed.
		{"mail01", verb.DSN.Bit | verb.EightBitMIME.Bit, verb.TURN.Bit},
		{`edge["a"]`, 0, verb.TURN.Bit | verb.ETRN.Bit},
		{`edge["b"]`, 0, verb.TURN.Bit},
		{"hub", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.server, func(t *testing.T) {
			s := server(t, c, tt.server)
			if s.On != tt.on || s.Off != tt.off {
				t.Errorf("wrong policy\ngot: on %v off %v\nwant: on %v off %v",
					s.On, s.Off, tt.on, tt.off)
			}
		})
	}

	var warnings []string
	for _, d := range diags {
		warnings = append(warnings, d.Summary)
	}
	want := []string{`Exception "turn" expired on 2026-05-31`}
	if !slices.Equal(warnings, want) {
		t.Errorf("wrong warnings\ngot: %q\nwant: %q", warnings, want)
	}
}

// TestLoad_exceptionActiveAllowsSharedBit checks that an active exception
// for ATRN also allows TURN, since both are one bit, and that the server
// records the exception.
func TestLoad_exceptionActiveAllowsSharedBit(t *testing.T) {
	c, _ := loadPolicy(t, time.Date(2026, 5, 31, 23, 0, 0, 0, time.UTC))
	s := server(t, c, `edge["a"]`)
	if s.Off != verb.ETRN.Bit || s.On != 0 {
		t.Errorf("wrong policy\ngot: on %v off %v\nwant: on 0x0 off %v", s.On, s.Off,
			verb.ETRN.Bit)
	}
	if len(s.Exceptions) != 1 || s.Exceptions[0].Name != "turn" || !s.Exceptions[0].Active {
		t.Errorf("wrong exceptions\ngot: %+v\nwant: turn, active", s.Exceptions)
	}
}

// TestLoad_serverOptions checks defaults and explicit server settings.
func TestLoad_serverOptions(t *testing.T) {
	c, _ := loadPolicy(t, testNow)
	hub := server(t, c, "hub")
	mail := server(t, c, "mail01")
	got := []any{hub.VirtualServers, hub.Restart, hub.SMTPPort, hub.Method,
		mail.VirtualServers == nil, mail.Restart, mail.SMTPPort, mail.Connection.Name,
		mail.Connection.Port, mail.Connection.HTTPS, mail.Connection.Password,
		server(t, c, `edge["a"]`).Groups, mail.Baselines}
	want := []any{[]int{1, 2}, false, 2525, "auto", true, true, 25, "c", 5986, true,
		"env-password", []string{"dmz", "pci"}, []string{"pci", "modern"}}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("wrong value %d\ngot: %v\nwant: %v", i, got[i], want[i])
		}
	}
	if !strings.HasPrefix(c.Digest, "sha256:") || len(c.Digest) != len("sha256:")+64 {
		t.Errorf("wrong digest\ngot: %s\nwant: sha256:<64 hex digits>", c.Digest)
	}
}

// TestConfig_Select checks every target form and the unknown-target error.
func TestConfig_Select(t *testing.T) {
	c, _ := loadPolicy(t, testNow)
	tests := []struct {
		targets []string
		want    []string
		err     string
	}{
		{nil, []string{"mail01", `edge["a"]`, `edge["b"]`, "hub"}, ""},
		{[]string{"hub", "mail01"}, []string{"mail01", "hub"}, ""},
		{[]string{"server.hub"}, []string{"hub"}, ""},
		{[]string{`edge["b"]`}, []string{`edge["b"]`}, ""},
		{[]string{"edge[b]"}, []string{`edge["b"]`}, ""},
		{[]string{"edge"}, []string{`edge["a"]`, `edge["b"]`}, ""},
		{[]string{"group.pci"}, []string{"mail01", `edge["a"]`, `edge["b"]`}, ""},
		{[]string{"tag.dmz", "hub"}, []string{`edge["a"]`, `edge["b"]`, "hub"}, ""},
		{[]string{"dmz"}, []string{`edge["a"]`, `edge["b"]`}, ""},
		{[]string{"mial01"}, nil, `Did you mean "mail01"?`},
		{[]string{"group.dzm"}, nil, `Did you mean "group.dmz"?`},
		{[]string{`edge["c"]`}, nil, "names no server"},
	}
	for _, tt := range tests {
		t.Run(joinOr(tt.targets, "all"), func(t *testing.T) {
			servers, diags := c.Select(tt.targets)
			var got []string
			for _, s := range servers {
				got = append(got, s.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("wrong servers\ngot: %q\nwant: %q", got, tt.want)
			}
			switch {
			case tt.err == "" && diags.HasErrors():
				t.Errorf("unexpected error: %v", diags)
			case tt.err != "" && (len(diags) != 1 || !strings.Contains(diags[0].Detail, tt.err)):
				t.Errorf("wrong error\ngot: %v\nwant: %s", diags, tt.err)
			}
		})
	}
}
