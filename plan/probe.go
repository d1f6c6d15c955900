package plan

import (
	"context"
	"fmt"
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

// ehloVisible are the verbs whose state a probe sees in the EHLO reply of
// every IIS SMTP service. ATRN is left out: only Exchange's event sinks
// advertise it, so a standalone IIS with the TURN/ATRN bit set offers TURN
// alone and the absence of ATRN says nothing.
var ehloVisible = []verb.Verb{verb.TURN, verb.ETRN, verb.DSN, verb.ENHANCEDSTATUSCODES,
	verb.EightBitMIME, verb.BINARYMIME, verb.CHUNKING}

// liveDiff compares what value enables with what r shows the live service
// offers. Offered are the verbs off in value that the service still offers
// (any verb, ATRN included); missing are the verbs of ehloVisible on in value
// that the service does not offer. Both are empty when r saw no EHLO
// keywords at all, since then the missing list would only say that EHLO
// failed.
func liveDiff(value verb.Flags, r *ProbeResult) (offered, missing []string) {
	for _, v := range verb.All {
		if !value.Has(v) && r.Offers(v.Name) {
			offered = append(offered, v.Name)
		}
	}
	if len(r.Advertised) == 0 {
		return offered, nil
	}
	for _, v := range ehloVisible {
		if value.Has(v) && !r.Offers(v.Name) {
			missing = append(missing, v.Name)
		}
	}
	return offered, missing
}

// pendingText says how the live service at addr differs from the metabase
// value of the instance at path, e.g. "live SMTP on 10.0.0.5:25
// (/LM/SmtpSvc/1) offers TURN, ETRN, which the metabase has off". It
// returns "" when nothing differs.
func pendingText(addr, path string, offered, missing []string) string {
	var parts []string
	if len(offered) > 0 {
		parts = append(parts, fmt.Sprintf("offers %s, which the metabase has off",
			strings.Join(offered, ", ")))
	}
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("does not offer %s, which the metabase has on",
			strings.Join(missing, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("live SMTP on %s (%s) %s", addr, path, strings.Join(parts, " and "))
}

// pendingCause is what a difference between the live service and the
// metabase means, and what to do about it.
const pendingCause = "SMTPSVC was not restarted since the change, or something else " +
	"overrides the metabase; restart SMTPSVC (net stop smtpsvc && net start smtpsvc) " +
	"and plan again"

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
