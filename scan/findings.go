package scan

import (
	"slices"
	"strings"
	"time"
)

// Finding severities, from worst to mere information. Info findings are
// reported but do not make a result count as having findings.
const (
	SeverityHigh   = "high"
	SeverityMedium = "medium"
	SeverityLow    = "low"
	SeverityInfo   = "info"
)

// Finding is one problem a probe found.
type Finding struct {
	// ID is stable forever; see the table in the package documentation.
	ID       string `json:"id"`
	Severity string `json:"severity"`
	Title    string `json:"title"`

	// Evidence is the exact lines seen, one per line, each prefixed "C: "
	// (sent) or "S: " (received) as in the transcript.
	Evidence string `json:"evidence"`

	// Why says why it matters; Remedy says what to change on this server
	// family.
	Why    string `json:"why"`
	Remedy string `json:"remedy"`

	// Refs are the RFCs, CVEs and standards Why relies on.
	Refs []string `json:"refs,omitempty"`
}

// kind is the fixed part of a finding: everything but evidence and remedy.
type kind struct {
	id, severity, title, why string
	refs                     []string
}

// Reasons shared by several kinds.
const (
	whyPCI = " PCI DSS v4.0 requirement 2.2.4 asks that unnecessary functions be " +
		"disabled, and 2.2.5 that any insecure function kept be justified and secured."
	whyHidden = " Leaving the keyword out of EHLO does not switch the command off: " +
		"the server still carries it out, and a scanner that tries the command " +
		"still finds it."
	whyTURN = "TURN makes the server hand its queued mail to whoever asks, without " +
		"checking who that is, so a rogue host can collect mail meant for another " +
		"site (RFC 1985, section 3)."
	whyATRN = "ATRN (RFC 2645) is authenticated TURN: queued mail goes to any " +
		"client that logs in. Few servers need on-demand relay."
	whyETRN = "ETRN lets any client make the server start delivering its queue for " +
		"a domain, so outsiders can trigger outbound connections and learn which " +
		"domains it queues for. Few servers need it."
)

// kinds lists every finding kind in report order. IDs never change.
var kinds = []kind{
	{"SV-TURN", SeverityHigh, "TURN is advertised", whyTURN + whyPCI,
		[]string{"RFC 1985", "PCI DSS 2.2.4", "PCI DSS 2.2.5"}},
	{"SV-TURN-HIDDEN", SeverityHigh, "TURN is accepted although EHLO does not advertise it",
		whyTURN + whyHidden + whyPCI, []string{"RFC 1985", "PCI DSS 2.2.4", "PCI DSS 2.2.5"}},
	{"SV-ATRN", SeverityMedium, "ATRN is advertised", whyATRN + whyPCI,
		[]string{"RFC 2645", "PCI DSS 2.2.4", "PCI DSS 2.2.5"}},
	{"SV-ATRN-HIDDEN", SeverityMedium, "ATRN is accepted although EHLO does not advertise it",
		whyATRN + whyHidden + whyPCI, []string{"RFC 2645", "PCI DSS 2.2.4", "PCI DSS 2.2.5"}},
	{"SV-ETRN", SeverityMedium, "ETRN is advertised", whyETRN + whyPCI,
		[]string{"RFC 1985", "PCI DSS 2.2.4", "PCI DSS 2.2.5"}},
	{"SV-ETRN-HIDDEN", SeverityMedium, "ETRN is accepted although EHLO does not advertise it",
		whyETRN + whyHidden + whyPCI, []string{"RFC 1985", "PCI DSS 2.2.4", "PCI DSS 2.2.5"}},
	{"SV-HELP-VERBS", SeverityLow, "HELP still lists a verb the server does not offer",
		"Scanners that read the HELP text (nmap smtp-commands, for one) report " +
			"every verb listed there, so the server keeps failing audits for a " +
			"verb that is switched off.", []string{"PCI DSS 2.2.4"}},
	{"SV-VRFY", SeverityMedium, "VRFY confirms mailboxes",
		"A server that confirms addresses through VRFY lets anyone harvest valid " +
			"mailboxes for spam and password guessing. A 252 reply, which " +
			"confirms nothing, is the recommended answer (RFC 5321, section 3.5.3).",
		[]string{"RFC 5321 3.5.3", "CVE-1999-0531 (rejected, still cited)", "Nessus 10249"}},
	{"SV-EXPN", SeverityMedium, "EXPN expands addresses",
		"EXPN reveals who is on a mailing list and which mailboxes exist, which " +
			"helps address harvesting and social engineering.",
		[]string{"RFC 5321 3.5.3", "CVE-1999-0531 (rejected, still cited)", "Nessus 10249"}},
	{"SV-RELAY", SeverityHigh, "Open relay",
		"The server accepted, from an unauthenticated client, a recipient outside " +
			"its own domains for a sender outside them too: spammers can send mail " +
			"through it, and it will end up on block lists.",
		[]string{"CVE-1999-0512", "RFC 5321 3.9"}},
	{"SV-TLS-FAIL", SeverityMedium, "STARTTLS is offered but does not work",
		"The server advertises STARTTLS but refuses it or fails the handshake, so " +
			"senders either give up or fall back to plain text.",
		[]string{"RFC 3207"}},
	{"SV-TLS-OLD", SeverityMedium, "TLS older than 1.2 was negotiated",
		"TLS 1.0 and 1.1 are deprecated and weak; a client that allows them can be " +
			"pushed down to them.", []string{"RFC 8996", "PCI DSS 4.2.1"}},
	{"SV-TLS-EXPIRED", SeverityLow, "The TLS certificate has expired",
		"Senders that check certificates refuse to deliver, and the rest learn to " +
			"ignore certificate errors.", []string{"RFC 3207"}},
	{"SV-NOTLS", SeverityInfo, "STARTTLS is not offered",
		"Mail to and from this server travels in plain text. This is information, " +
			"not a verb problem: smtpverbs does not manage TLS.", []string{"RFC 3207"}},
}

// findings derives r's findings from what it saw.
func findings(r *Result, opts Options) []Finding {
	var out []Finding
	add := func(id, evidence string) {
		i := slices.IndexFunc(kinds, func(k kind) bool { return k.id == id })
		k := kinds[i]
		out = append(out, Finding{ID: k.id, Severity: k.severity, Title: k.title,
			Evidence: evidence, Why: k.why, Remedy: remedy(k.id, r.Server.Family),
			Refs: k.refs})
	}

	var helpOnly []string
	for _, v := range []string{"TURN", "ATRN", "ETRN"} {
		switch {
		case r.Advertises(v):
			add("SV-"+v, join(ehloLine(r, v), tryLines(r, v)))
		case r.Accepts(v):
			add("SV-"+v+"-HIDDEN", tryLines(r, v))
		case r.HelpLists(v):
			helpOnly = append(helpOnly, v)
		}
	}
	if len(helpOnly) > 0 {
		add("SV-HELP-VERBS", join(prefixed("S", r.HELPRaw), tryLines(r, helpOnly...)))
	}

	for _, v := range []string{"VRFY", "EXPN"} {
		if rep, ok := r.Verbs[v]; ok && (rep.Code == 250 || rep.Code == 251) {
			add("SV-"+v, tryLines(r, v))
		}
	}
	if rel := r.Relay; rel != nil && strings.HasPrefix(rel.Command, "RCPT") &&
		(rel.Code == 250 || rel.Code == 251) {
		add("SV-RELAY", join("C: "+rel.Command, prefixed("S", rel.Lines)))
	}

	if opts.STARTTLS {
		tlsFindings(r, add)
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return order(a.ID) - order(b.ID) })
	return out
}

// tlsFindings adds the findings about STARTTLS.
func tlsFindings(r *Result, add func(id, evidence string)) {
	switch {
	case r.TLS == nil:
		// Judge a missing STARTTLS only when the keyword list was seen.
		if r.EHLORaw != nil && !r.Advertises("STARTTLS") {
			add("SV-NOTLS", join(prefixed("S", r.EHLORaw)))
		} else if r.UsedHELO {
			add("SV-NOTLS", "S: (EHLO refused; HELO cannot offer STARTTLS)")
		}
	case r.TLS.Error != "":
		add("SV-TLS-FAIL", join(ehloLine(r, "STARTTLS"), "TLS: "+r.TLS.Error))
	default:
		if r.TLS.Version == "TLS 1.0" || r.TLS.Version == "TLS 1.1" ||
			r.TLS.Version == "SSLv3" {
			add("SV-TLS-OLD", "TLS: "+r.TLS.Version+" "+r.TLS.CipherSuite)
		}
		if !r.TLS.NotAfter.IsZero() && time.Now().After(r.TLS.NotAfter) {
			add("SV-TLS-EXPIRED", "TLS: certificate "+r.TLS.Subject+" expired "+
				r.TLS.NotAfter.Format(time.RFC3339))
		}
	}
}

// order is the position of id in the kinds table.
func order(id string) int {
	return slices.IndexFunc(kinds, func(k kind) bool { return k.id == id })
}

// ehloLine returns the EHLO line that advertises v, as evidence.
func ehloLine(r *Result, v string) string {
	for _, l := range r.EHLORaw[min(1, len(r.EHLORaw)):] {
		if f := strings.Fields(l[min(4, len(l)):]); len(f) > 0 && strings.EqualFold(f[0], v) {
			return "S: " + l
		}
	}
	return ""
}

// tryLines returns the exchanges of the active tries of vs, as evidence.
func tryLines(r *Result, vs ...string) string {
	var parts []string
	for _, v := range vs {
		if rep, ok := r.Verbs[v]; ok {
			parts = append(parts, "C: "+rep.Command, prefixed("S", rep.Lines))
		}
	}
	return join(parts...)
}

// prefixed returns lines as transcript lines from dir, one per line.
func prefixed(dir string, lines []string) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = dir + ": " + l
	}
	return strings.Join(out, "\n")
}

// join joins the non-empty parts with newlines.
func join(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), "\n")
}
