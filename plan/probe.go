package plan

import (
	"context"
	"net"
	"strconv"
	"strings"

	"github.com/smtpverbs/smtpverbs/verb"
)

// ProbeFunc talks SMTP to addr (host:port) and reports what the live
// service offers. It returns an error only when no answer could be had.
// The command wires package scan in through a small adapter, so the engine
// does not depend on the scanner's details.
type ProbeFunc func(ctx context.Context, addr string) (*ProbeResult, error)

// ProbeResult is what an SMTP probe saw.
type ProbeResult struct {
	// Addr is the address probed.
	Addr string

	// Advertised are the EHLO keywords, upper case, first token only.
	Advertised []string

	// Accepted are the verbs that an active try accepted, upper case.
	Accepted []string

	// Transcript is the conversation, one line per element, prefixed
	// "C: " and "S: ", kept as evidence.
	Transcript []string
}

// Offers reports whether the service advertises name in EHLO or accepted
// it when tried.
func (r *ProbeResult) Offers(name string) bool {
	n := strings.ToUpper(name)
	for _, list := range [][]string{r.Advertised, r.Accepted} {
		for _, v := range list {
			if strings.ToUpper(v) == n {
				return true
			}
		}
	}
	return false
}

// probeAddr is the address that shows what instance in of h offers live:
// the configured SMTP port for the first virtual server (the one clients
// reach, possibly through a port mapping) and the metabase port for the
// others. It returns "" when there is nothing to probe.
func probeAddr(h *Host, in *Instance) string {
	port := 0
	if in.ID == 1 && h.SMTPPort > 0 {
		port = h.SMTPPort
	} else if len(in.Ports) > 0 {
		port = in.Ports[0]
	}
	if port == 0 {
		return ""
	}
	return net.JoinHostPort(h.Address, strconv.Itoa(port))
}

// stillOffered lists the verbs of h's policy that are off in value but that
// r shows the live service still offers.
func stillOffered(h *Host, value verb.Flags, r *ProbeResult) []string {
	var out []string
	for _, v := range disabledVerbs(h) {
		if !value.Has(v) && r.Offers(v.Name) {
			out = append(out, v.Name)
		}
	}
	return out
}

// disabledVerbs resolves the names of h.Disable.
func disabledVerbs(h *Host) []verb.Verb {
	var out []verb.Verb
	for _, name := range h.Disable {
		if v, ok := verb.Lookup(name); ok {
			out = append(out, v)
		}
	}
	return out
}
