package config

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// Connection defaults.
const (
	DefaultHTTPSPort        = 5986
	DefaultHTTPPort         = 5985
	DefaultTimeout          = 60 * time.Second
	DefaultOperationTimeout = 20 * time.Second
)

var connectionSchema = &hcl.BodySchema{Attributes: []hcl.AttributeSchema{
	{Name: "transport"}, {Name: "port"}, {Name: "auth"}, {Name: "username"},
	{Name: "password"}, {Name: "password_env"}, {Name: "ca_file"},
	{Name: "tls_server_name"}, {Name: "insecure"}, {Name: "timeout"},
	{Name: "operation_timeout"},
}}

// decodeConnections decodes the connection blocks into l.c.Connections.
func (l *loader) decodeConnections(blocks []*hcl.Block) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, b := range blocks {
		name := b.Labels[0]
		if prev, ok := l.c.Connections[name]; ok {
			diags = append(diags, duplicate("connection", name, b, prev.DeclRange))
			continue
		}
		content, d := b.Body.Content(connectionSchema)
		diags = append(diags, d...)
		conn, d := l.connection(name, b, content.Attributes)
		diags = append(diags, d...)
		l.c.Connections[name] = conn
	}
	return diags
}

// connection decodes and checks one connection block.
func (l *loader) connection(name string, b *hcl.Block, attrs hcl.Attributes) (*Connection,
	hcl.Diagnostics) {
	c := &Connection{Name: name, HTTPS: true, Auth: "basic", DeclRange: b.DefRange,
		Timeout: DefaultTimeout, OperationTimeout: DefaultOperationTimeout}
	var diags hcl.Diagnostics

	if a, ok := attrs["transport"]; ok {
		s, ok, d := l.str(a, nil)
		diags = append(diags, d...)
		switch {
		case !ok:
		case s == "https" || s == "http":
			c.HTTPS = s == "https"
		default:
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid transport",
				fmt.Sprintf("transport is \"https\" (the default) or \"http\", not %q.", s)))
		}
	}

	c.Port = DefaultHTTPPort
	if c.HTTPS {
		c.Port = DefaultHTTPSPort
	}
	if a, ok := attrs["port"]; ok {
		n, ok, d := l.integer(a, nil)
		diags = append(diags, d...)
		if ok {
			c.Port = n
			diags = append(diags, checkPort(a, n)...)
		}
	}

	if a, ok := attrs["auth"]; ok {
		s, ok, d := l.str(a, nil)
		diags = append(diags, d...)
		switch {
		case !ok:
		case s == "basic" || s == "ntlm":
			c.Auth = s
		default:
			diags = append(diags, errorAt(a.Expr.Range(), "Invalid auth",
				fmt.Sprintf("auth is \"basic\" (the default) or \"ntlm\", not %q.", s)))
		}
	}

	diags = append(diags, l.credentials(c, b, attrs)...)
	diags = append(diags, l.tls(c, attrs)...)
	diags = append(diags, l.timeouts(c, attrs)...)
	return c, diags
}

// checkPort reports a TCP port out of range.
func checkPort(a *hcl.Attribute, n int) hcl.Diagnostics {
	if n >= 1 && n <= 65535 {
		return nil
	}
	return hcl.Diagnostics{errorAt(a.Expr.Range(), "Port out of range",
		fmt.Sprintf("%s must be a TCP port from 1 to 65535, not %d.", a.Name, n))}
}

// credentials decodes username, password and password_env.
func (l *loader) credentials(c *Connection, b *hcl.Block, attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a, ok := attrs["username"]; ok {
		s, _, d := l.str(a, nil)
		diags = append(diags, d...)
		c.Username = s
	} else {
		diags = append(diags, errorAt(b.DefRange, "Missing username",
			fmt.Sprintf("Connection %q needs a username for %s authentication, "+
				"such as username = \"CORP\\\\svc-smtpverbs\".", c.Name, c.Auth)))
	}

	pw, hasPW := attrs["password"]
	env, hasEnv := attrs["password_env"]
	switch {
	case hasPW && hasEnv:
		return append(diags, errorAt(env.NameRange, "Conflicting password settings",
			fmt.Sprintf("Connection %q sets both password and password_env. Keep one: "+
				"password = var.NAME with a sensitive variable, or password_env = "+
				"\"ENV_NAME\" to read it from the environment.", c.Name)))

	case !hasPW && !hasEnv:
		return append(diags, errorAt(b.DefRange, "Missing password",
			fmt.Sprintf("Connection %q needs a password for %s authentication. Set "+
				"password = var.NAME with a sensitive variable, or password_env = "+
				"\"ENV_NAME\" to read it from the environment.", c.Name, c.Auth)))

	case hasPW:
		s, ok, d := l.str(pw, nil)
		diags = append(diags, d...)
		if ok {
			c.Password = s
			l.c.secrets = append(l.c.secrets, s)
		}
		if len(pw.Expr.Variables()) == 0 {
			diags = append(diags, warningAt(pw.Expr.Range(), "Password written in the "+
				"configuration", "A literal password ends up in version control and in "+
				"every copy of the file. Declare a variable with sensitive = true and "+
				"write password = var.NAME, or use password_env."))
		}

	default:
		name, ok, d := l.str(env, nil)
		diags = append(diags, d...)
		if !ok {
			break
		}
		c.Password = l.in.Getenv(name)
		if c.Password == "" {
			diags = append(diags, errorAt(env.Expr.Range(), "Password environment "+
				"variable not set", fmt.Sprintf("password_env names %s, which is not set "+
				"or is empty. Export it before running smtpverbs, or use password = "+
				"var.NAME with a sensitive variable.", name)))
		}
		l.c.secrets = append(l.c.secrets, c.Password)
	}
	return diags
}

// tls decodes ca_file, tls_server_name and insecure.
func (l *loader) tls(c *Connection, attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a, ok := attrs["ca_file"]; ok {
		s, ok, d := l.str(a, nil)
		diags = append(diags, d...)
		if ok {
			c.CAFile = s
			if !filepath.IsAbs(s) {
				c.CAFile = filepath.Join(l.c.Dir, s)
			}
			if _, err := os.Stat(c.CAFile); err != nil {
				diags = append(diags, errorAt(a.Expr.Range(), "CA file not found",
					fmt.Sprintf("ca_file %q (%s) cannot be read: %v. A relative path "+
						"is relative to the configuration directory.", s, c.CAFile, err)))
			}
		}
	}
	if a, ok := attrs["tls_server_name"]; ok {
		s, _, d := l.str(a, nil)
		diags = append(diags, d...)
		c.TLSServerName = s
	}

	a, ok := attrs["insecure"]
	if ok {
		b, _, d := l.boolean(a, nil)
		diags = append(diags, d...)
		c.Insecure = b
	}
	switch {
	case c.Insecure && c.CAFile != "":
		diags = append(diags, errorAt(a.Range, "Conflicting TLS settings",
			fmt.Sprintf("Connection %q sets both ca_file and insecure = true. With a CA "+
				"file the certificate can be verified: remove insecure.", c.Name)))
	case c.Insecure && c.HTTPS:
		diags = append(diags, warningAt(a.Range, "Certificate verification disabled",
			fmt.Sprintf("Connection %q skips verifying the WinRM server certificate, so "+
				"anyone on the path can read the password. Set ca_file to the issuing "+
				"CA's PEM file and remove insecure.", c.Name)))
	}

	if !c.HTTPS && (c.Insecure || c.CAFile != "" || c.TLSServerName != "") {
		diags = append(diags, warningAt(c.DeclRange, "TLS settings have no effect",
			fmt.Sprintf("Connection %q uses transport \"http\", so ca_file, "+
				"tls_server_name and insecure are ignored. Remove them, or use "+
				"transport = \"https\".", c.Name)))
	}
	return diags
}

// timeouts decodes timeout and operation_timeout.
func (l *loader) timeouts(c *Connection, attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if a, ok := attrs["timeout"]; ok {
		d, ok, dd := l.duration(a)
		diags = append(diags, dd...)
		if ok {
			c.Timeout = d
		}
	}
	op, hasOp := attrs["operation_timeout"]
	if hasOp {
		d, ok, dd := l.duration(op)
		diags = append(diags, dd...)
		if ok {
			c.OperationTimeout = d
		}
	}
	if c.OperationTimeout >= c.Timeout {
		rng := c.DeclRange
		if hasOp {
			rng = op.Range
		} else if a, ok := attrs["timeout"]; ok {
			rng = a.Range
		}
		diags = append(diags, errorAt(rng, "operation_timeout not below timeout",
			fmt.Sprintf("Connection %q has operation_timeout %s and timeout %s. The "+
				"server must give up (operation_timeout) before the HTTP request does "+
				"(timeout), or slow commands end in a confusing transport error; make "+
				"operation_timeout smaller, e.g. 20s with timeout 60s.", c.Name,
				c.OperationTimeout, c.Timeout)))
	}
	return diags
}

// duration evaluates a as a positive Go duration such as "60s".
func (l *loader) duration(a *hcl.Attribute) (time.Duration, bool, hcl.Diagnostics) {
	s, ok, diags := l.str(a, nil)
	if !ok {
		return 0, false, diags
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, false, append(diags, errorAt(a.Expr.Range(), "Invalid duration",
			fmt.Sprintf("%s is a positive duration with a unit, such as \"60s\" or "+
				"\"2m\", not %q.", a.Name, s)))
	}
	return d, true, diags
}
